#!/usr/bin/env bash
# `make fuzz`: coverage-guided fuzzing with Jazzer of the record-body parser, the
# route list parser and topic validation, each for FUZZ_SECONDS (default 60). The corpus Jazzer
# grows is copied into the fuzz tests' committed inputs directories, which `make test` replays;
# a finding (any exception other than the documented ones, or a broken invariant) fails the run,
# and Jazzer stores the crashing input next to that corpus, so it stays a regression test.
#
# The committed corpus is minimised after each run (libFuzzer -merge=1 through Jazzer's driver):
# only inputs that add coverage stay, plus every crash-* finding.
#
# usage: bash .ci/fuzz.sh [Class#method ...]       (make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS=...)
#   default targets: EnvelopeFuzzTest#parse EnvelopeFuzzTest#process RoutesFuzzTest#parse
#                    MqttTopicsFuzzTest#topicRules   (function/src/test/java/dev/iotbridge/function/fuzz/)
# After a run: `git status function/src/test/resources` shows the new corpus entries to commit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

seconds="${FUZZ_SECONDS:-60}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_SECONDS must be a positive number of seconds, got '$seconds'" >&2; exit 2; }
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  read -r -a targets <<<"${FUZZ_TARGETS:-EnvelopeFuzzTest#parse EnvelopeFuzzTest#process RoutesFuzzTest#parse MqttTopicsFuzzTest#topicRules}"
fi

JDK="$("$ROOT/.ci/find-jdk" 2>/dev/null || true)"
[ -n "$JDK" ] || { echo "fuzz: no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }
MVN=(env JAVA_HOME="$JDK" "$ROOT/mvnw" -B -q -Dstyle.color=never)

pkg=dev/iotbridge/function/fuzz
# The test class path, for corpus minimisation with Jazzer's own driver (libFuzzer -merge=1).
"${MVN[@]}" -pl function -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/fuzz-classpath.txt >/dev/null
JAVA=("$JDK/bin/java" -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED -Xshare:off
      -Djava.util.logging.manager=org.jboss.logmanager.LogManager
      -cp "function/target/test-classes:function/target/classes:$(cat function/target/fuzz-classpath.txt)")

# minimise <class> <method> <dir>: keeps only the inputs that add coverage (libFuzzer -merge=1);
# crash-* files (findings) are always kept.
minimise() {
  local in out
  in="$(mktemp -d)"; out="$(mktemp -d)"
  find "$3" -maxdepth 1 -type f ! -name 'crash-*' -exec cp {} "$in"/ \;
  if nice -n 10 "${JAVA[@]}" com.code_intelligence.jazzer.Jazzer --target_class="dev.iotbridge.function.fuzz.$1" \
       --target_method="$2" -merge=1 "$out" "$in" >"function/target/fuzz-$1-$2-merge.log" 2>&1; then
    find "$3" -maxdepth 1 -type f ! -name 'crash-*' -delete
    cp "$out"/* "$3"/ 2>/dev/null || true
  else
    echo "  corpus minimisation failed (corpus kept as is): function/target/fuzz-$1-$2-merge.log" >&2
  fi
  rm -rf "$in" "$out"
}

reports=function/target/surefire-reports
inputs=function/src/test/resources/$pkg
printf '%-32s %10s %12s %10s %9s  %s\n' target seconds executions exec/s corpus result
failed=0
for target in "${targets[@]}"; do
  class="${target%%#*}"; method="${target#*#}"
  [ "$class" != "$target" ] || { echo "fuzz: target '$target' must be Class#method" >&2; exit 2; }
  generated="function/.cifuzz-corpus/dev.iotbridge.function.fuzz.$class/$method"
  committed="$inputs/${class}Inputs/$method"
  mkdir -p "$committed"
  rm -f "$reports/dev.iotbridge.function.fuzz.$class-output.txt"
  start=$(date +%s)
  result=PASS
  # JAZZER_FUZZ turns the one selected @FuzzTest into a fuzzing run; JAZZER_MAX_DURATION overrides
  # the annotation's duration. Surefire writes Jazzer's libFuzzer output to the -output.txt report.
  if ! JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" nice -n 10 "${MVN[@]}" -pl function -am test \
       -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false >"function/target/fuzz-$class-$method.log" 2>&1; then
    result=FAIL; failed=1
  fi
  elapsed=$(( $(date +%s) - start ))
  # libFuzzer's summary line: "Done 123456 runs in 60 second(s)"
  runs=$(cat "$reports/dev.iotbridge.function.fuzz.$class-output.txt" "function/target/fuzz-$class-$method.log" 2>/dev/null | grep -o 'Done [0-9]* runs in [0-9]* second' | tail -1 || true)
  execs=$(awk '{print $2}' <<<"$runs"); secs=$(awk '{print $5}' <<<"$runs")
  rate=$([ -n "$execs" ] && [ "${secs:-0}" -gt 0 ] && echo $(( execs / secs )) || echo "-")
  if [ -d "$generated" ]; then cp -n "$generated"/* "$committed"/ 2>/dev/null || true; fi
  minimise "$class" "$method" "$committed"
  count=$(find "$committed" -type f | wc -l)
  printf '%-32s %10s %12s %10s %9s  %s\n' "$target" "${secs:-$elapsed}" "${execs:--}" "$rate" "$count" "$result"
  if [ "$result" = FAIL ]; then
    echo "  finding or error: function/target/fuzz-$class-$method.log, $reports/dev.iotbridge.function.fuzz.$class-output.txt" >&2
    grep -h -m3 -E '== Java Exception|FuzzTestFindingException|AssertionFailedError|Exception:' \
      "$reports/dev.iotbridge.function.fuzz.$class-output.txt" "function/target/fuzz-$class-$method.log" 2>/dev/null | sed 's/^/  /' >&2 || true
  fi
done
echo "corpus: $inputs/*Inputs/<method>/ (commit the new files; make test replays them)"
exit $failed
