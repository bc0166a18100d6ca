#!/usr/bin/env bash
# `make e2e-terraform`: the bootstrap and the root configuration applied to an AWS API
# emulator, the root as the deploy and plan roles the bootstrap creates.
#
#   1. installs moto[server] (pinned) into the git-ignored venv .venv-e2e
#   2. starts it on 127.0.0.1 at a free port (tests/e2e/moto_server.py: moto plus
#      documented emulator gaps filled, and every API call recorded with its caller)
#   3. terraform/bootstrap applied with administrator keys into two accounts (the
#      source with plain keys, the destination through sts:AssumeRole into a second
#      account id): OIDC provider, plan and deploy roles, permissions boundaries
#   4. as the destination deploy role (sts:AssumeRoleWithWebIdentity, as GitHub
#      Actions gets it; the source through the source deploy role, as deploy.yml):
#      terraform apply of the root, then `plan -detailed-exitcode` must report no
#      changes; two regions (e2e.tfvars.json)
#   5. check.py wiring: queue policy, rules, BRIDGE_ROUTES, event source mapping,
#      through the emulator's API
#   6. $DOCTOR_CMD (optional hook, see below) against the applied accounts
#   7. as the plan roles: `terraform plan -lock=false` must read everything and
#      report no changes
#   8. as the deploy roles: an apply of a change (route condition, tags), then
#      terraform destroy; check.py empty: nothing of the root
#      left in either account (the bootstrap's roles stay, as they would)
#   9. iam_calls.py: every call the deploy and plan roles made is allowed by their
#      policy (and the Allow statements no call needed are listed); the calls are
#      compared with terraform/bootstrap/recorded-calls/*.json
#
# The modules, the root and the bootstrap are used unchanged; only the override
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
#   E2E_KEEP=1         keep .e2e-terraform/ (logs, state, calls.jsonl) after a passing run
#   E2E_RECORD=1       rewrite terraform/bootstrap/recorded-calls/*.json from this run
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
  rm -f "$WORK/calls.jsonl"
  env -u MOTO_ACCOUNT_ID E2E_CALL_LOG="$WORK/calls.jsonl" "$PY" "$E2E_SRC/moto_server.py" 127.0.0.1 "$PORT" >"$WORK/moto.log" 2>&1 &
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
# Static keys of the emulator: the source account's, and the deployer's that only
# assumes a role in the destination account (check.py and DOCTOR_CMD use them).
SOURCE_KEY="e2e-source"
DEPLOYER_KEY="e2e-deployer"
render_override() { # DIR SOURCE_KEY DESTINATION_KEY (no keys: the role session in the environment)
  "$PY" - "$E2E_SRC/emulator_override.tf.tftpl" "$1/emulator_override.tf" "$ENDPOINT" "${2:-}" "${3:-}" <<'EOF'
import sys
template, out, endpoint, source_key, destination_key = sys.argv[1:6]
def keys(key):
    return f'  access_key = "{key}"\n  secret_key = "{key}"\n\n' if key else ""
text = open(template).read().replace("${endpoint}", endpoint)
text = text.replace("${source_credentials}", keys(source_key)).replace("${destination_credentials}", keys(destination_key))
open(out, "w").write(text)
EOF
}
render_override "$WORK/root"
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
# The bootstrap and the root share the provider: installed once, linked the second time.
export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-$WORK/plugin-cache}"
mkdir -p "$TF_PLUGIN_CACHE_DIR"

tf() { # tf DIR LOG ARGS... : run terraform in a work copy, output to a log, bounded in time
  local dir="$WORK/$1" log="$WORK/$2"
  shift 2
  timeout --kill-after=30 "$TIMEOUT" "$TF" -chdir="$dir" "$@" -no-color >"$log" 2>&1
}
tf_failed() { # LOG WHAT: show the error and stop
  grep -A12 '^Error' "$WORK/$1" | head -60 || tail -40 "$WORK/$1"
  fail "$2 (${WORK#"$ROOT"/}/$1)"
}

# ------------------------------------------------------------- bootstrap ---
step "terraform/bootstrap as the administrator of both accounts"
mkdir -p "$WORK/bootstrap"
cp "$ROOT"/terraform/bootstrap/*.tf "$WORK/bootstrap/"
# The bootstrap validates the bridge's names with ../modules/names: the root's copy serves it.
ln -s root/modules "$WORK/modules"
[[ -f "$ROOT/terraform/.terraform.lock.hcl" ]] && cp "$ROOT/terraform/.terraform.lock.hcl" "$WORK/bootstrap/"
ADMIN_KEY="e2e-administrator"
render_override "$WORK/bootstrap" "$ADMIN_KEY" "$ADMIN_KEY"
# The accounts' regions and KMS choice are the root's (e2e.tfvars.json); the rest is bootstrap.tfvars.json.
"$PY" - "$E2E_SRC" "$WORK/bootstrap/e2e.auto.tfvars.json" <<'EOF'
import json, sys
src, out = sys.argv[1:3]
root = json.load(open(f"{src}/e2e.tfvars.json"))
values = json.load(open(f"{src}/bootstrap.tfvars.json"))
values.update({k: root[k] for k in ("source_region", "destination_region", "create_kms_key")})
json.dump(values, open(out, "w"), indent=2)
EOF
tf bootstrap bootstrap-init.log init -input=false || tf_failed bootstrap-init.log "terraform init of the bootstrap failed"
tf bootstrap bootstrap-apply.log apply -auto-approve -input=false || tf_failed bootstrap-apply.log "terraform apply of the bootstrap failed"
grep -E '^Apply complete' "$WORK/bootstrap-apply.log"
"$TF" -chdir="$WORK/bootstrap" output -json >"$WORK/bootstrap-outputs.json"
bootstrap_output() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["value"])' "$WORK/bootstrap-outputs.json" "$1"; }

# As GitHub Actions: a web identity session of a destination role in the environment
# (what configure-aws-credentials exports), and the source role assumed by the root's
# aws.source provider (source_assume_role_arn, as .github/scripts/terraform-plan.sh sets it).
as_roles() { # DESTINATION_ROLE_ARN SOURCE_ROLE_ARN
  local session
  session="$("$PY" - "$ENDPOINT" "$1" <<'EOF'
import sys, boto3
endpoint, role = sys.argv[1:3]
sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint)
# The emulator does not verify the token; AWS checks it against the OIDC provider the role trusts.
c = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha-e2e", WebIdentityToken="e2e.github.oidc.token")["Credentials"]
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
EOF
)"
  read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"$session"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
  "$PY" - "$WORK/root/roles.auto.tfvars.json" "$2" "$WORK/bootstrap-outputs.json" <<'EOF'
import json, sys
out, source_role, outputs = sys.argv[1:4]
boundaries = json.load(open(outputs))["terraform_variables"]["value"]
# null: the destination provider uses the session itself, as in deploy.yml
json.dump({"destination_assume_role_arn": None, "source_assume_role_arn": source_role, **boundaries}, open(out, "w"), indent=2)
EOF
}
DEPLOY_ROLES=("$(bootstrap_output destination_deploy_role_arn)" "$(bootstrap_output source_deploy_role_arn)")
PLAN_ROLES=("$(bootstrap_output destination_plan_role_arn)" "$(bootstrap_output source_plan_role_arn)")
echo "deploy roles: ${DEPLOY_ROLES[*]}"
echo "plan roles:   ${PLAN_ROLES[*]}"

# ------------------------------------------------------------------ root ---
as_roles "${DEPLOY_ROLES[@]}"
step "terraform init"
tf root init.log init -input=false || tf_failed init.log "terraform init failed"
"$TF" version | head -2

step "terraform apply as the deploy roles (two accounts, two regions, on the emulator)"
tf root apply.log apply -auto-approve -input=false || tf_failed apply.log "terraform apply failed"
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

step "terraform plan -detailed-exitcode as the deploy roles (a second plan must find nothing to change)"
set +e
tf root plan.log plan -detailed-exitcode -input=false
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
    "kept_roles": [v["value"] for k, v in json.load(open(f"{work}/bootstrap-outputs.json")).items() if k.endswith("_role_arn")],
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
  # It runs as an operator would, not as the deploy roles (their calls are checked against
  # their policy below): the source with the source account's keys, the destination through
  # the deployer role of e2e.tfvars.json.
  step "DOCTOR_CMD: $DOCTOR_CMD"
  "$PY" - "$WORK/outputs.json" "$WORK/outputs-operator.json" "$WORK/root/e2e.auto.tfvars.json" <<'EOF'
import json, sys
outputs, out, tfvars = sys.argv[1:4]
o = json.load(open(outputs))
o["doctor"]["value"]["source"]["assume_role_arn"] = None
o["doctor"]["value"]["destination"]["assume_role_arn"] = json.load(open(tfvars))["destination_assume_role_arn"]
json.dump(o, open(out, "w"), indent=2)
EOF
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN AWS_ENDPOINT_URL="$ENDPOINT" \
    E2E_CONTEXT_JSON="$WORK/context.json" E2E_OUTPUTS_JSON="$WORK/outputs-operator.json" bash -c "$DOCTOR_CMD"
fi

step "terraform plan -lock=false as the plan roles (read-only: must see everything, change nothing)"
as_roles "${PLAN_ROLES[@]}"
set +e
tf root plan-as-plan-role.log plan -detailed-exitcode -input=false -lock=false
plan_rc=$?
set -e
case $plan_rc in
  0) echo "No changes: the plan roles read every resource" ;;
  # the doctor output names the source role the root assumed, which is the plan role now
  2) if grep -qE '^Plan: ' "$WORK/plan-as-plan-role.log"; then
       grep -E '^  # ' "$WORK/plan-as-plan-role.log" | head -20
       fail "the plan as the plan roles shows resource changes (${WORK#"$ROOT"/}/plan-as-plan-role.log)"
     fi
     echo "No resource changes (outputs differ: the source role the root assumed is the plan role)" ;;
  *) tf_failed plan-as-plan-role.log "terraform plan as the plan roles failed" ;;
esac

# A deployment mostly changes what exists: new function code (every deploy: native images
# are not byte-reproducible), a route's condition (its rule is replaced, the function gets
# new BRIDGE_ROUTES, a new version and the alias moves) and the tags of every resource.
# Applied as the deploy roles, so their update calls are checked as well.
step "terraform apply of a change (function code, a route condition, the tags) as the deploy roles"
as_roles "${DEPLOY_ROLES[@]}"
"$PY" - "$WORK/root/e2e.auto.tfvars.json" "$WORK/root/update.auto.tfvars.json" "$ZIP" "$RUNTIME" "$WORK/function-v2.zip" <<'EOF'
import json, shutil, sys, zipfile
tfvars, out, zip_path, runtime, new_zip = sys.argv[1:6]
values = json.load(open(tfvars))
routes = [dict(r, condition="severity >= 4") if r.get("condition") else r for r in values["routes"]]
shutil.copyfile(zip_path, new_zip)
with zipfile.ZipFile(new_zip, "a") as z:  # another package: UpdateFunctionCode
    z.writestr("e2e-update.txt", "second deploy\n")
json.dump({"routes": routes, "tags": {"Project": "iot-cross-account-bridge", "Stage": "e2e"},
           "function_zip_path": new_zip, "runtime": runtime}, open(out, "w"), indent=2)
EOF
tf root update.log apply -auto-approve -input=false || tf_failed update.log "terraform apply of the change failed"
grep -E '^Apply complete' "$WORK/update.log"
grep -qE '^Apply complete! Resources: 0 added, [1-9][0-9]* changed' "$WORK/update.log" \
  || fail "the change applied no in-place update (${WORK#"$ROOT"/}/update.log)"

step "terraform destroy as the deploy roles"
tf root destroy.log destroy -auto-approve -input=false || tf_failed destroy.log "terraform destroy failed"
grep -E '^Destroy complete' "$WORK/destroy.log"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

step "IAM: every call of the deploy and plan roles allowed by their policy"
"$PY" "$E2E_SRC/iam_calls.py" selftest
record=()
[[ "${E2E_RECORD:-}" == 1 ]] && record=(--write)
"$PY" "$E2E_SRC/iam_calls.py" check "$WORK/calls.jsonl" "$WORK/bootstrap-outputs.json" \
  "$ROOT/terraform/bootstrap/recorded-calls" "${record[@]}"

step "nothing left in either account"
"$PY" "$E2E_SRC/check.py" empty "$WORK/context.json"

step "e2e-terraform passed in $((SECONDS - START)) s"
