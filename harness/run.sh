#!/usr/bin/env bash
# `make bench`: installs what the benchmark needs, builds, runs every competitor side by side and
# writes the results (harness/results/<UTC timestamp>.json + latest.json, docs/benchmarks.md,
# docs/cost.md, docs/benchmarks.png). See docs/benchmarks.md ("How to run") for what is measured.
#
# usage: harness/run.sh [--smoke] [--no-build] [--no-docs] [runner flags]
#   --smoke      tiny counts (200 messages, 1 cold start, 5 + 3 s end-to-end) to check the harness;
#                writes harness/target/results/smoke-*.json only (no docs); exit 0 = the harness
#                works and the function delivered every message.
#   --no-build   reuse function/target/function.zip and the built harness module
#   --function-zip PATH  run this artifact (JVM or native zip); function.zip is then not rebuilt
#   --native-zip PATH    the native competitor's zip, next to the JVM function.zip built here
#                (default: function/target/native/function.zip from `make native-build` when it exists;
#                without one the native competitor is left out, and the run says so)
#   --no-docs    do not rewrite docs/benchmarks.md, cost.md, benchmarks.png, nor harness/results/:
#                the results go to harness/target/results/ (and to --out PATH if given)
#   runner flags (passed through; --help lists them all, harness/src/main/java/dev/iotbridge/harness/bench/BenchOptions.java): --messages N
#                --batches 10,100 --memory-mb N --no-cpu-limit --no-memory-limit --plain-http --latency-ms N
#                --cold-starts N --e2e-rate N --e2e-seconds N --e2e-warmup-s N --out PATH
#                --competitors sample,corrected,concurrent,jvm,jvm-keepalive5,native
#                --scenarios throughput,coldstart,e2e --no-envelope --profile --timeout-s N
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

smoke=""; build=1; docs=1; fnbuild=1; help=""; pass=()
for a in "$@"; do
  case "$a" in
    --function-zip) fnbuild=""; pass+=("$a") ;;   # a given artifact (e.g. the native zip): do not rebuild function.zip
    --smoke) smoke=1; docs=""; pass+=("$a") ;;
    --no-build) build="" ;;
    --no-docs) docs="" ;;
    -h|--help) help=1 ;;
    *) pass+=("$a") ;;
  esac
done

JDK="$("$root/.ci/find-jdk" 2>/dev/null || true)"
[ -n "$JDK" ] || { echo "bench: no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }
MVN=(env JAVA_HOME="$JDK" "$root/mvnw" -B -q -Dstyle.color=never)
runner=("$JDK/bin/java" -XX:+UseParallelGC -Xmx2g --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile="$root/harness/logback.xml")

if [ -n "$help" ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d'
  if [ ! -f "$root/harness/target/classpath.txt" ]; then
    echo "==> bench: building the harness for the runner's flags"
    "${MVN[@]}" -pl harness -am package -DskipTests
  fi
  echo; echo "the runner's flags (every one):"
  exec "${runner[@]}" -cp "$root/harness/target/classes:$(cat "$root/harness/target/classpath.txt")" dev.iotbridge.harness.bench.Bench --help
fi

echo "==> bench: Python venv (harness/.venv: awslambdaric, boto3, matplotlib)"
bash "$root/harness/setup.sh"

if [ -n "$build" ]; then
  if [ -n "$fnbuild" ]; then
    echo "==> bench: building the JVM function.zip"
    "${MVN[@]}" -pl function -am package -DskipTests
  fi
  echo "==> bench: building the local stack and the harness"
  "${MVN[@]}" -pl harness -am package -DskipTests
fi
[ -f "$root/harness/target/classpath.txt" ] || { echo "bench: harness/target not built (drop --no-build)" >&2; exit 1; }

args=(--bench-dir "$root/harness" --java-home "$JDK" --command "make bench${*:+ (harness/run.sh $*)}")
[ -n "$docs" ] && args+=(--docs "$root/docs/benchmarks.md")

echo "==> bench: running"
rc=0
"${runner[@]}" -cp "$root/harness/target/classes:$(cat "$root/harness/target/classpath.txt")" \
  dev.iotbridge.harness.bench.Bench "${args[@]}" "${pass[@]}" || rc=$?

results="$root/harness/results/latest.json"; chart="$root/docs/benchmarks.png"
if [ -n "$smoke" ]; then results="$root/harness/target/results/smoke-latest.json"; chart="$root/harness/target/smoke-chart.png"; fi
if [ -f "$results" ] && { [ -n "$docs" ] || [ -n "$smoke" ]; }; then
  "$root/harness/.venv/bin/python" "$root/harness/chart.py" "$results" "$chart"
fi
exit $rc
