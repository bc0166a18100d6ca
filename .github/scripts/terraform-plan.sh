#!/usr/bin/env bash
# terraform init (S3 remote state) + plan for deploy.yml. Writes:
#   $TF_DIR/tfplan       the saved plan (applied by the apply job of the same run)
#   $RUNNER_TEMP/plan.md the rendered plan (job summary and pull-request comment)
#   has_changes=true|false to $GITHUB_OUTPUT
#
# Environment (set by deploy.yml from repository variables):
#   TF_STATE_BUCKET      required  S3 bucket that holds the state
#   TF_STATE_KEY         optional  object key       (default iot-cross-account-bridge/terraform.tfstate)
#   TF_STATE_REGION      optional  bucket region    (default $AWS_REGION)
#   TF_STATE_LOCK_TABLE  optional  DynamoDB lock table; when empty the S3 lock file (use_lockfile) alone locks
#   TF_VARS_FILE         optional  tfvars file, relative to $TF_DIR (e.g. env/production.tfvars)
#   SOURCE_ROLE_ARN      required  role in the SOURCE account that Terraform's aws.source provider assumes
#   FUNCTION_ZIP         required  absolute path of the native function.zip
#   TF_DIR               optional  Terraform root (default terraform)
#   PLAN_LOCK            optional  "false" for speculative plans (pull requests): no state lock is taken
#   PLAN_TITLE           optional  heading of the rendered plan
set -euo pipefail

# Root variables of terraform/ that the workflow sets (see terraform/variables.tf).
VAR_FUNCTION_ZIP=function_zip_path
VAR_RUNTIME=runtime
VAR_SOURCE_ROLE=source_assume_role_arn

TF_DIR=${TF_DIR:-terraform}
: "${TF_STATE_BUCKET:?set the repository variable TF_STATE_BUCKET (see docs/deploy.md)}"
: "${SOURCE_ROLE_ARN:?set the repository variable for the source account role (see docs/deploy.md)}"
: "${FUNCTION_ZIP:?FUNCTION_ZIP is not set}"
TF_STATE_KEY=${TF_STATE_KEY:-iot-cross-account-bridge/terraform.tfstate}
TF_STATE_REGION=${TF_STATE_REGION:-${AWS_REGION:?AWS_REGION is not set}}
PLAN_TITLE=${PLAN_TITLE:-terraform plan}
out_dir=${RUNNER_TEMP:-/tmp}

if [ ! -f "$FUNCTION_ZIP" ]; then
  echo "::error::function artifact not found: $FUNCTION_ZIP" >&2
  exit 1
fi

# Remote state: without a backend block, `terraform init -backend-config=...` only warns and
# falls back to LOCAL state, which in CI would re-create everything on every run. Refuse that.
if ! grep -Eqs '^[[:space:]]*backend[[:space:]]+"s3"' "$TF_DIR"/*.tf; then
  if grep -Eqs '^[[:space:]]*(backend[[:space:]]+"|cloud[[:space:]]*\{)' "$TF_DIR"/*.tf; then
    echo "::error::$TF_DIR declares a backend other than s3; deploy.yml configures an s3 backend only" >&2
    exit 1
  fi
  echo "::notice::$TF_DIR has no backend block; adding 'backend \"s3\" {}' via ci_backend_override.tf"
  printf 'terraform {\n  backend "s3" {}\n}\n' > "$TF_DIR/ci_backend_override.tf"
fi

backend_args=(
  "-backend-config=bucket=$TF_STATE_BUCKET"
  "-backend-config=key=$TF_STATE_KEY"
  "-backend-config=region=$TF_STATE_REGION"
  "-backend-config=encrypt=true"
  "-backend-config=use_lockfile=true"
)
if [ -n "${TF_STATE_LOCK_TABLE:-}" ]; then
  backend_args+=("-backend-config=dynamodb_table=$TF_STATE_LOCK_TABLE")
fi
terraform -chdir="$TF_DIR" init -input=false -no-color "${backend_args[@]}"

plan_args=(
  -input=false -no-color -detailed-exitcode -out=tfplan
  -var "$VAR_FUNCTION_ZIP=$FUNCTION_ZIP"
  -var "$VAR_RUNTIME=native"
  -var "$VAR_SOURCE_ROLE=$SOURCE_ROLE_ARN"
)
if [ -n "${TF_VARS_FILE:-}" ]; then
  plan_args+=("-var-file=$TF_VARS_FILE")
fi
if [ "${PLAN_LOCK:-true}" = "false" ]; then
  plan_args+=(-lock=false)
else
  plan_args+=(-lock-timeout=15m)
fi

set +e
terraform -chdir="$TF_DIR" plan "${plan_args[@]}"
rc=$?
set -e
case "$rc" in
  0) has_changes=false ;;
  2) has_changes=true ;;
  *) echo "::error::terraform plan failed (exit $rc)" >&2; exit "$rc" ;;
esac
echo "has_changes=$has_changes" >> "${GITHUB_OUTPUT:-/dev/null}"

# Render: HTML-escaped inside <pre> (plans may contain backticks), cut at whole lines so the
# comment stays under GitHub's 65536-character limit.
terraform -chdir="$TF_DIR" show -no-color tfplan > "$out_dir/plan.txt"
headline=$(grep -E '^(Plan:|No changes\.|Changes to Outputs:)' "$out_dir/plan.txt" | head -n 1 || true)
limit=60000
sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$out_dir/plan.txt" > "$out_dir/plan.escaped"
truncated=false
if [ "$(wc -c < "$out_dir/plan.escaped")" -gt "$limit" ]; then
  head -c "$limit" "$out_dir/plan.escaped" | sed '$d' > "$out_dir/plan.cut"
  mv "$out_dir/plan.cut" "$out_dir/plan.escaped"
  truncated=true
fi
{
  echo "<!-- terraform-plan:${TF_DIR} -->"
  echo "### ${PLAN_TITLE}"
  echo
  echo "**${headline:-see the plan below}** (commit \`${GITHUB_SHA:-local}\`, state \`s3://${TF_STATE_BUCKET}/${TF_STATE_KEY}\`)"
  echo
  echo "<details><summary>terraform plan output</summary>"
  echo
  echo "<pre>"
  cat "$out_dir/plan.escaped"
  echo "</pre>"
  if [ "$truncated" = true ]; then
    echo
    echo "_Output truncated; the full plan is in the job log._"
  fi
  echo "</details>"
} > "$out_dir/plan.md"
cat "$out_dir/plan.md" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
