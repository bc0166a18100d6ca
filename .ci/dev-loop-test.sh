#!/usr/bin/env bash
# `make dev-test`: the dev loop (function/README.md#dev-loop) on a fresh copy of the work tree.
# Starts `make dev` there (Quarkus dev mode, the mock Lambda event server), posts the AWS sample SQS
# event, checks the SQSBatchResponse and what the %dev profile makes of the record, then changes the
# copy's application.properties and a class, and checks that the next event runs on the reloaded
# configuration and the recompiled class.
# The copy (tracked and untracked files, no build outputs) is what a fresh clone has, and lets the
# test edit a source file without touching the work tree.
#
# usage: bash .ci/dev-loop-test.sh
#   DEV_TEST_TIMEOUT=600   seconds allowed for dev mode to come up (the first build downloads ~/.m2)
#   DEV_TEST_KEEP=1        keep the copy and its dev.log (path printed)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
timeout_s="${DEV_TEST_TIMEOUT:-600}"
case "$timeout_s" in ''|*[!0-9]*) echo "dev-test: DEV_TEST_TIMEOUT must be a number of seconds, not '$timeout_s'" >&2; exit 2 ;; esac
for tool in curl git python3; do
  command -v "$tool" >/dev/null || { echo "dev-test: '$tool' is required" >&2; exit 1; }
done

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Quarkus' default dev port is what users get; only when something else holds 8080 (another dev
# mode, a local service) does the test move to a free port, through the documented property.
port=8080
if listening "$port"; then
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  echo "dev-test: port 8080 is in use, the mock event server goes on $port (quarkus.lambda.mock-event-server.dev-port)"
fi
# The %dev profile points SQS and iot-data at localhost:4566; with nothing there the record's
# outcome is known exactly (below). Something listening there (e.g. LocalStack) changes it.
endpoint_free=1
if listening 4566; then
  endpoint_free=""
  echo "dev-test: localhost:4566 answers, so the record's outcome depends on it: only the response's shape is checked"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/iot-bridge-dev-test.XXXXXX")"
log="$work/dev.log"
copy="$work/repo"
pgid=""
stop_dev() {
  [ -n "$pgid" ] || return 0
  # setsid made the dev process the leader of its own group: make, the Maven wrapper, Maven and
  # the dev-mode JVM it forks all die with the group.
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    pgrep -g "$pgid" >/dev/null || { pgid=""; return 0; }
    sleep 1
  done
  echo "dev-test: dev mode did not stop within 30 s of SIGTERM, killing it" >&2
  kill -KILL -- "-$pgid" 2>/dev/null || true
  sleep 1
  pgid=""
}
cleanup() {
  local rc=$?
  stop_dev
  if [ -n "${DEV_TEST_KEEP:-}" ]; then echo "dev-test: kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "dev-test: FAILED: $*" >&2
  echo "--- last 40 lines of the dev-mode log ($log) ---" >&2
  tail -n 40 "$log" >&2 || true
  exit 1
}

mkdir -p "$copy"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) \
  | (cd "$ROOT" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$copy"

started=$SECONDS
# Headless: no interactive console (it reads the terminal), no analytics question, no debugger
# socket (5005 may be taken by another JVM; debugging is not what is tested here).
dev_args="-Dquarkus.console.enabled=false -Dquarkus.analytics.disabled=true -Ddebug=false"
dev_args+=" -Dquarkus.lambda.mock-event-server.dev-port=$port"
setsid make -C "$copy" --no-print-directory dev DEV_ARGS="$dev_args" </dev/null >"$log" 2>&1 &
pgid=$!
# setsid runs make in place (a background job of a script leads no group), so its pid is the group.
[ "$(ps -o pgid= -p "$pgid" | tr -d ' ')" = "$pgid" ] || fail "make dev did not start as its own process group"
echo "dev-test: make dev in a copy of the work tree, mock event server on :$port (log: $log)"

next_report=$((SECONDS + 15))
until listening "$port"; do
  kill -0 "$pgid" 2>/dev/null || { pgid=""; fail "make dev exited before the mock event server came up"; }
  [ $((SECONDS - started)) -lt "$timeout_s" ] \
    || fail "the mock event server did not come up on :$port within ${timeout_s} s (DEV_TEST_TIMEOUT)"
  if [ "$SECONDS" -ge "$next_report" ]; then
    echo "dev-test: waiting for dev mode ($((SECONDS - started)) s): $(tail -n 1 "$log" | cut -c1-120)"
    next_report=$((SECONDS + 15))
  fi
  sleep 1
done
echo "dev-test: mock event server up after $((SECONDS - started)) s"

# The AWS sample SQS event, as function/README.md#dev-loop posts it.
message_id=19dd0b57-b21e-4ac1-bd88-01bbb068cb78
event='{"Records":[{"messageId":"'$message_id'","receiptHandle":"MessageReceiptHandle",
  "body":"Hello from SQS!","attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1523232000000",
  "SenderId":"123456789012","ApproximateFirstReceiveTimestamp":"1523232000001"},"messageAttributes":{},
  "md5OfBody":"7b270e59b47ff90a553787216d55d91d","eventSource":"aws:sqs",
  "eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:MyQueue","awsRegion":"us-east-1"}]}'
expected='{"batchItemFailures":[{"itemIdentifier":"'$message_id'"}]}'

# post_and_check <what>: posts the event, checks the response and the record's log line.
post_and_check() {
  local response log_lines
  # The mock event server holds the request until the function has answered (or, after a
  # change, until dev mode has reloaded and answered): bounded by the same timeout.
  response="$(curl -sS -m "$timeout_s" -d "$event" "http://localhost:$port/")" \
    || fail "$1: posting the sample SQS event to :$port failed"
  case "$response" in
    *'"batchItemFailures"'*) ;;
    *) fail "$1: the response has no batchItemFailures: $response" ;;
  esac
  if [ -n "$endpoint_free" ]; then
    # Documented outcome (function/README.md#dev-loop): not an envelope (INVALID_JSON), the DLQ
    # at localhost:4566 unreachable (QUARANTINE_FAILED), so the record is left for SQS to retry.
    [ "$response" = "$expected" ] || fail "$1: expected $expected, got $response"
    log_lines="$(grep -F "\"messageId\":\"$message_id\"" "$log" || true)"
    [ "$(grep -c . <<<"$log_lines")" -ge "$2" ] || fail "$1: no record line for $message_id in the log"
    tail -n 1 <<<"$log_lines" | grep -F '"outcome":"RETRY"' | grep -F '"errorCode":"QUARANTINE_FAILED"' | grep -qF 'INVALID_JSON' \
      || fail "$1: the record's log line does not show RETRY, QUARANTINE_FAILED after INVALID_JSON: $(tail -n 1 <<<"$log_lines")"
  fi
  echo "dev-test: $1: $response"
}

post_and_check "sample event" 1

# Live reload: a second route in the copy's application.properties; dev mode restarts on the
# next event and the function starts with two routes.
props="$copy/function/src/main/resources/application.properties"
grep -q '^%dev.bridge.routes=' "$props" || fail "no %dev.bridge.routes line in $props"
sed -i 's|^%dev.bridge.routes=\[\(.*\)\]$|%dev.bridge.routes=[\1,{"name":"devtest","source_filter":"DEVTEST/#","add_prefix":"bridged/"}]|' "$props"
grep -qF '"name":"devtest"' "$props" || fail "could not add a route to %dev.bridge.routes in $props"
# The Lambda poll loop looks for changes at most every 2 s (LambdaHotReplacementRecorder): an event
# posted sooner after the previous one would still run on the old classes.
sleep 3
reload_started=$SECONDS
post_and_check "after changing application.properties" 2
grep -qF 'iot-bridge ready: 2 route(s) [devtest, ground]' "$log" \
  || grep -qF 'iot-bridge ready: 2 route(s) [ground, devtest]' "$log" \
  || fail "dev mode did not reload the changed application.properties (no 'iot-bridge ready: 2 route(s)' line)"
echo "dev-test: live reload picked up the new route ($((SECONDS - reload_started)) s)"

# Live reload of a class: a changed source file in the copy is recompiled before the next event.
handler="$copy/function/src/main/java/dev/iotbridge/function/BridgeHandler.java"
[ -f "$handler" ] || fail "no $handler to change"
printf '// changed by .ci/dev-loop-test.sh\n' >>"$handler"
sleep 3
reload_started=$SECONDS
post_and_check "after changing BridgeHandler.java" 3
grep -qF 'Restarting quarkus due to changes in BridgeHandler.class' "$log" \
  || fail "dev mode did not recompile the changed BridgeHandler.java (no 'Restarting quarkus due to changes in BridgeHandler.class' line)"
echo "dev-test: live reload recompiled BridgeHandler.java ($((SECONDS - reload_started)) s)"

stop_dev
listening "$port" && fail "something still listens on :$port after dev mode stopped"
echo "dev-test: passed in $((SECONDS - started)) s; dev mode stopped, no process left"
