#!/usr/bin/env bash
# `make e2e-terraform`: the root configuration applied to an AWS API emulator.
#
#   1. installs moto[server] (pinned) into the git-ignored venv .venv-e2e
#   2. starts it on 127.0.0.1 at a free port (tests/e2e/moto_server.py: moto plus
#      two documented emulator gaps filled)
#   3. copies the root configuration to .e2e-terraform/root and renders
#      emulator_override.tf there: both aliased providers point at the emulator,
#      the source with plain credentials, the destination through
#      sts:AssumeRole into a second account id; two regions (e2e.tfvars.json)
#   4. terraform apply, then `terraform plan -detailed-exitcode` must report no
#      changes
#   5. check.py wiring: queue policy, rules, BRIDGE_ROUTES, event source mapping,
#      through the emulator's API
#   6. $DOCTOR_CMD (optional hook, see below) against the applied accounts
#   7. terraform destroy, then check.py empty: nothing left in either account
#
# The modules and the root configuration are used unchanged; only the override
# file (tests/e2e/emulator_override.tf.tftpl) knows about the emulator.
#
# Environment:
#   TF                 terraform binary (default: terraform)
#   TF_CLI_CONFIG_FILE kept when it names a file; otherwise a local filesystem mirror of
#                      hashicorp/* providers is used when TF_PLUGIN_MIRROR (default
#                      /opt/tf-plugins) exists, else the public registry
#   DOCTOR_CMD         run after the wiring checks with the emulator's endpoint in
#                      AWS_ENDPOINT_URL and E2E_CONTEXT_JSON pointing at
#                      .e2e-terraform/context.json (endpoint, regions, credentials,
#                      routes, `terraform output -json`); its failure fails the run
#   E2E_KEEP=1         keep .e2e-terraform/ (logs, state) after a passing run
#   E2E_TIMEOUT        seconds for each terraform apply/plan/destroy (default 1200)
set -euo pipefail

MOTO_VERSION="5.2.1" # PyPI moto[server]; moto_server.py fills gaps of this version

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
E2E_SRC="$ROOT/terraform/tests/e2e"
WORK="$ROOT/.e2e-terraform"
VENV="$ROOT/.venv-e2e"
TF="${TF:-terraform}"
TIMEOUT="${E2E_TIMEOUT:-1200}"
START=$SECONDS

step() { printf '\n==> [%3ss] %s\n' "$((SECONDS - START))" "$*"; }
fail() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

command -v "$TF" >/dev/null || fail "terraform is not installed: https://developer.hashicorp.com/terraform/install (>= 1.7)"
command -v python3 >/dev/null || fail "python3 is required (moto server and the checks run in a venv)"

# ------------------------------------------------------------------ moto ---
step "moto[server] $MOTO_VERSION in ${VENV#"$ROOT"/}"
if [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null)" != "$MOTO_VERSION" ]]; then
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  echo "installed"
else
  echo "already installed"
fi
PY="$VENV/bin/python"

rm -rf "$WORK"
mkdir -p "$WORK"
MOTO_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    echo "e2e-terraform FAILED after $((SECONDS - START)) s; logs and state kept in ${WORK#"$ROOT"/}/" >&2
  elif [[ "${E2E_KEEP:-}" != 1 ]]; then
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

step "starting moto server on 127.0.0.1"
for attempt in 1 2 3; do
  PORT="$(free_port)"
  # No MOTO_ACCOUNT_ID: it would pin every request to one account and defeat
  # the assumed role's account.
  env -u MOTO_ACCOUNT_ID "$PY" "$E2E_SRC/moto_server.py" 127.0.0.1 "$PORT" >"$WORK/moto.log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 1 60); do
    if "$PY" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/', timeout=2)" 2>/dev/null; then break 2; fi
    kill -0 "$MOTO_PID" 2>/dev/null || break
    sleep 0.5
  done
  kill "$MOTO_PID" 2>/dev/null || true
  wait "$MOTO_PID" 2>/dev/null || true
  MOTO_PID=""
  echo "moto did not start on port $PORT (attempt $attempt); see ${WORK#"$ROOT"/}/moto.log"
done
[[ -n "$MOTO_PID" ]] || fail "moto server did not start"
ENDPOINT="http://127.0.0.1:$PORT"
grep '^moto_server.py:' "$WORK/moto.log" || true
echo "moto server $ENDPOINT (pid $MOTO_PID)"

# ------------------------------------------------------------- terraform ---
step "root configuration + emulator override in ${WORK#"$ROOT"/}/root"
mkdir -p "$WORK/root"
# The root's .tf files and the JSON it reads (canary-route.json)
(cd "$ROOT/terraform" && find . -maxdepth 1 \( -name '*.tf' -o -name '*.json' \) -exec cp {} "$WORK/root/" \;)
cp -r "$ROOT/terraform/modules" "$WORK/root/modules"
find "$WORK/root/modules" -name .terraform -prune -exec rm -rf {} +
# Static keys of the emulator: the source account's, and the deployer's that
# only assumes the destination role.
SOURCE_KEY="e2e-source"
DEPLOYER_KEY="e2e-deployer"
sed -e "s|\${endpoint}|$ENDPOINT|g" -e "s|\${source_key}|$SOURCE_KEY|g" -e "s|\${deployer_key}|$DEPLOYER_KEY|g" \
  "$E2E_SRC/emulator_override.tf.tftpl" >"$WORK/root/emulator_override.tf"
cp "$E2E_SRC/e2e.tfvars.json" "$WORK/root/e2e.auto.tfvars.json"
[[ -f "$ROOT/terraform/.terraform.lock.hcl" ]] && cp "$ROOT/terraform/.terraform.lock.hcl" "$WORK/root/"

if [[ -f "$ROOT/function/target/function.zip" ]]; then
  ZIP="$ROOT/function/target/function.zip"
  echo "function package: function/target/function.zip (the real build)"
else
  ZIP="$ROOT/terraform/tests/fixtures/function.zip"
  echo "function package: terraform/tests/fixtures/function.zip (stand-in; no function/target/function.zip was built)"
fi
# The runtime follows the package: a native build has a bootstrap at its root.
RUNTIME="$("$PY" -c 'import sys, zipfile; print("native" if "bootstrap" in zipfile.ZipFile(sys.argv[1]).namelist() else "jvm")' "$ZIP")"
echo "runtime: $RUNTIME"
printf 'function_zip_path = "%s"\nruntime           = "%s"\n' "$ZIP" "$RUNTIME" >"$WORK/root/e2e_zip.auto.tfvars"

[[ -f "${TF_CLI_CONFIG_FILE:-}" ]] || unset TF_CLI_CONFIG_FILE # naming no file only makes Terraform warn
if [[ -z "${TF_CLI_CONFIG_FILE:-}" ]] && [[ -d "${TF_PLUGIN_MIRROR:-/opt/tf-plugins}/registry.terraform.io/hashicorp" ]]; then
  cat >"$WORK/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
fi

# Only the emulator's credentials: no profile, SSO or instance metadata of this
# machine can reach a real account.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_PROFILE
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

tf() { # tf LOG ARGS... : run terraform in the work copy, output to a log, bounded in time
  local log="$WORK/$1"
  shift
  timeout --kill-after=30 "$TIMEOUT" "$TF" -chdir="$WORK/root" "$@" -no-color >"$log" 2>&1
}

step "terraform init"
tf init.log init -input=false || { tail -30 "$WORK/init.log"; fail "terraform init failed"; }
"$TF" version | head -2

step "terraform apply (two accounts, two regions, on the emulator)"
if ! tf apply.log apply -auto-approve -input=false; then
  grep -A12 '^Error' "$WORK/apply.log" | head -60 || tail -40 "$WORK/apply.log"
  fail "terraform apply failed (${WORK#"$ROOT"/}/apply.log)"
fi
grep -E '^Apply complete' "$WORK/apply.log"

# No window where rules run before the queue admits them: on this first apply the
# queue policy (and the key, with its policy) must be complete before any topic
# rule is created. terraform/tests/graph_order.py checks the same on the graph.
"$PY" - "$WORK/apply.log" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
def first(pattern):
    return next((i for i, line in enumerate(lines) if re.match(pattern, line)), None)
rule_created = first(r'module\.source\.aws_iot_topic_rule\.route\[.*\]: Creating\.\.\.')
failed = 0
for name, pattern in (("queue policy", r'module\.destination\.aws_sqs_queue_policy\.main: Creation complete'),
                      ("KMS key", r'module\.destination\.aws_kms_key\.queue\[0\]: Creation complete')):
    done = first(pattern)
    ok = rule_created is not None and done is not None and done < rule_created
    failed += not ok
    print(f"  {'ok  ' if ok else 'FAIL'}  {name} complete (log line {done}) before the first topic rule is created (line {rule_created})")
sys.exit(1 if failed else 0)
EOF

step "terraform plan -detailed-exitcode (a second plan must find nothing to change)"
set +e
tf plan.log plan -detailed-exitcode -input=false
plan_rc=$?
set -e
case $plan_rc in
  0) echo "No changes: the applied state matches the configuration" ;;
  2) grep -E '^  # |will be|must be' "$WORK/plan.log" | head -40
     fail "the plan after apply is not empty (perpetual diff; ${WORK#"$ROOT"/}/plan.log)" ;;
  *) tail -30 "$WORK/plan.log"; fail "terraform plan failed" ;;
esac

step "wiring checks through the emulator's API"
"$TF" -chdir="$WORK/root" output -json >"$WORK/outputs.json"
"$PY" - "$WORK" "$ENDPOINT" "$SOURCE_KEY" "$DEPLOYER_KEY" <<'EOF'
import json, sys
work, endpoint, source_key, deployer_key = sys.argv[1:5]
tfvars = json.load(open(f"{work}/root/e2e.auto.tfvars.json"))
context = {
    "endpoint_url": endpoint,
    "source": {"region": tfvars["source_region"], "access_key": source_key, "secret_key": source_key},
    "destination": {
        "region": tfvars["destination_region"],
        "account_id": tfvars["destination_assume_role_arn"].split(":")[4],
        "assume_role_arn": tfvars["destination_assume_role_arn"],
        "access_key": deployer_key, "secret_key": deployer_key,
    },
    "routes": tfvars["routes"],
    "create_kms_key": tfvars.get("create_kms_key", False),
    "outputs": json.load(open(f"{work}/outputs.json")),
}
json.dump(context, open(f"{work}/context.json", "w"), indent=2)
EOF
"$PY" "$E2E_SRC/check.py" wiring "$WORK/context.json"
# The "nothing left" check must see what is there now, or it proves nothing later.
if "$PY" "$E2E_SRC/check.py" empty "$WORK/context.json" >"$WORK/empty-before-destroy.log"; then
  fail "check.py empty passes before the destroy: it does not see the applied resources"
fi
echo "  ok    the 'nothing left' check sees the applied resources ($(grep -c FAIL "$WORK/empty-before-destroy.log") kinds found)"

if [[ -n "${DOCTOR_CMD:-}" ]]; then
  # Hook for configuration checks against the applied accounts (e.g. `make doctor`):
  # the emulator endpoint is in AWS_ENDPOINT_URL, everything else in E2E_CONTEXT_JSON.
  step "DOCTOR_CMD: $DOCTOR_CMD"
  AWS_ENDPOINT_URL="$ENDPOINT" E2E_CONTEXT_JSON="$WORK/context.json" E2E_OUTPUTS_JSON="$WORK/outputs.json" \
    bash -c "$DOCTOR_CMD"
fi

step "terraform destroy"
if ! tf destroy.log destroy -auto-approve -input=false; then
  grep -A12 '^Error' "$WORK/destroy.log" | head -60 || tail -40 "$WORK/destroy.log"
  fail "terraform destroy failed (${WORK#"$ROOT"/}/destroy.log)"
fi
grep -E '^Destroy complete' "$WORK/destroy.log"

step "nothing left in either account"
"$PY" "$E2E_SRC/check.py" empty "$WORK/context.json"

step "e2e-terraform passed in $((SECONDS - START)) s"
