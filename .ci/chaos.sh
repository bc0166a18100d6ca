#!/usr/bin/env bash
# `make chaos`: the fault-injection suite on the local two-account stack (code in
# harness/src/main/java/dev/iotbridge/harness/chaos/). Builds the JVM function.zip and the harness when needed, runs the scenarios (1 no faults, 2 transient
# publish faults, 3 function SIGKILLed, 4 destination down, 5 bad-input corpus) and prints ONE
# table; exit 0 only when lost = 0 and every check passed in every scenario.
#
# usage: bash .ci/chaos.sh [--no-build] [flags]     (make chaos ARGS="--quick")
#   --no-build            reuse function/target/function.zip and harness/target/classes
#   FUNCTION_ZIP=PATH     run another artifact (e.g. the native zip) instead of the JVM zip
#   --quick               small counts (a few minutes); the full run is 100k/100k/20k/5k+60 s/corpus
#   --scenarios 1,2,5     a subset; --messages N, --kill-messages N, --outage 60s, ... (--help lists every flag)
#   every flag also as CHAOS_<NAME> in the environment, e.g. CHAOS_MESSAGES=20000 make chaos
# Function logs of the last run: local/run/chaos/<scenario>/logs/; the table also goes to
# local/run/chaos/report.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

build=1; pass=()
for a in "$@"; do
  case "$a" in
    --no-build) build="" ;;
    *) pass+=("$a") ;;
  esac
done
if [ -n "${ARGS:-}" ]; then read -r -a extra <<<"$ARGS"; pass+=("${extra[@]}"); fi

JDK="$("$ROOT/.ci/find-jdk" 2>/dev/null || true)"
[ -n "$JDK" ] || { echo "chaos: no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }
MVN=(env JAVA_HOME="$JDK" "$ROOT/mvnw" -B -q -Dstyle.color=never)

# FUNCTION_ZIP (make chaos FUNCTION_ZIP=function/target/native/function.zip): another artifact, e.g. the native zip
jvm_zip=1
if [ -n "${FUNCTION_ZIP:-}" ] && [ "$(realpath -m "$FUNCTION_ZIP")" != "$ROOT/function/target/function.zip" ]; then
  [ -f "$FUNCTION_ZIP" ] || { echo "chaos: FUNCTION_ZIP=$FUNCTION_ZIP does not exist (make native-build?)" >&2; exit 1; }
  pass=(--function "$(realpath "$FUNCTION_ZIP")" "${pass[@]}"); jvm_zip=""
fi
if [ -n "$jvm_zip" ] && { [ -n "$build" ] || [ ! -f function/target/function.zip ]; }; then
  echo "==> chaos: building the JVM function.zip"
  "${MVN[@]}" -pl function -am package -DskipTests
fi
if [ -n "$build" ] || [ ! -f harness/target/classpath.txt ]; then
  echo "==> chaos: building the local stack and the harness"
  "${MVN[@]}" -pl harness -am package -DskipTests
fi

mkdir -p local/run/chaos
echo "==> chaos: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2 " GiB RAM"}'), $("$JDK/bin/java" -version 2>&1 | head -1)"
# shellcheck disable=SC2046 # the options are words
exec "$JDK/bin/java" -Xmx2g $(.ci/jvm-allow "$JDK") -Dbridge.root="$ROOT" \
  -Dbridge.ric.dir="$ROOT/harness/target/ric" \
  -cp "$ROOT/harness/target/classes:$(cat "$ROOT/harness/target/classpath.txt")" \
  dev.iotbridge.harness.chaos.ChaosMain --work-dir "$ROOT/local/run/chaos" --markdown "$ROOT/local/run/chaos/report.md" \
  "${pass[@]}"
