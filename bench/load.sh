#!/usr/bin/env bash
# `make load`: the multi-instance load run on the local stack (issue 23). For N = 1, 2, 4 function
# instances (the event source mapping's maximum concurrency) the offered rate rises in steps; then
# one step holds the destination's iot-data publish quota below the offered rate (back-pressure).
# Writes bench/results/load/<UTC time>.json and .md, latest.json and latest.md; prints progress.
# Runs the native zip (function/target/native/function.zip from `make native-build`) when it
# exists, else the JVM function.zip (built here when missing). About 8 minutes with the defaults.
#
# usage: bench/load.sh [--no-build] [flags of dev.iotbridge.bench.Load]
#   --no-build   reuse the built local stack and bench runner
#   flags: --instances 1,2,4 --rates 100,200,400,800,1200,1600 --step-seconds 15 --quota-rate 300 --quota 150
#          --quota-instances 2 --memory-mb 512 --latency-ms 15 --plain-http --native-zip PATH --function-zip PATH
#          (all of them: bench/src/main/java/dev/iotbridge/bench/Options.java, or --help)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build=1; pass=()
for a in "$@"; do
  case "$a" in
    --no-build) build="" ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; pass+=("$a") ;;
    *) pass+=("$a") ;;
  esac
done

JDK="$("$root/.ci/find-jdk" 2>/dev/null || true)"
[ -n "$JDK" ] || { echo "load: no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }
MVN=(env JAVA_HOME="$JDK" "$root/mvnw" -B -q -Dstyle.color=never)

if [ -n "$build" ]; then
  if [ ! -f "$root/function/target/native/function.zip" ] && [ ! -f "$root/function/target/function.zip" ]; then
    echo "==> load: no function zip: building the JVM function.zip (make native-build for the native one)"
    "${MVN[@]}" -pl function -am package -DskipTests
  fi
  echo "==> load: building the local stack and the bench runner"
  "${MVN[@]}" -pl local,bench -am package -DskipTests
fi
[ -f "$root/bench/target/classpath.txt" ] || { echo "load: bench/target not built (drop --no-build)" >&2; exit 1; }

echo "==> load: running"
exec "$JDK/bin/java" -XX:+UseParallelGC -Xmx1g --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile="$root/bench/logback.xml" \
  -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
  dev.iotbridge.bench.Load --bench-dir "$root/bench" --java-home "$JDK" --command "make load${*:+ (bench/load.sh $*)}" "${pass[@]}"
