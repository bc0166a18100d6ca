#!/usr/bin/env bash
# Lint everything that can be checked without an AWS account (`make lint`):
#   1. HCL formatting (hclfmt, equivalent to `terraform fmt -check`; plus
#      `terraform fmt -check` itself when Terraform is installed)
#   2. tflint --recursive (bundled terraform ruleset, preset "all", plus the AWS
#      ruleset tflint-ruleset-aws when it can be installed: `tflint --init`, else
#      built from the Go module cache; without it the step says so)
#   3. checkov -d terraform --framework terraform (zero failed checks; every skip
#      is justified in the code with #checkov:skip=ID:reason)
#   4. policy checks (.ci/checkov/policy_lint.py, stdlib only)
#   5. terraform validate + terraform test (mock providers) in the root, the
#      modules, terraform/bootstrap and the examples -- only where Terraform and the hashicorp/aws
#      provider are available offline; skipped with a message otherwise
#   6. actionlint over .github/workflows (skipped when the directory is absent)
#   7. shellcheck over every shell script; tests of the release tooling (.ci/test-scripts.sh)
#   8. terraform-docs: the generated parts of the module and bootstrap READMEs are up to date
#   9. the dependency-graph test (terraform/tests/graph_order.py) with step 5
#
# Missing tools are installed, pinned: Go tools with `go install` into
# $(go env GOPATH)/bin, checkov into the git-ignored venv .ci/tools/venv.
# Idempotent: a second run installs nothing.
set -euo pipefail

HCLFMT_VERSION="v2.25.0"    # github.com/hashicorp/hcl/v2/cmd/hclfmt
TFLINT_VERSION="v0.64.0"    # github.com/terraform-linters/tflint (terraform ruleset 0.15.0 bundled)
ACTIONLINT_VERSION="v1.7.12" # github.com/rhysd/actionlint/cmd/actionlint
TFDOCS_VERSION="v0.20.0"     # github.com/terraform-docs/terraform-docs
CHECKOV_VERSION="3.3.30"    # PyPI checkov

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TF_DIR="$ROOT/terraform"
TOOLS="$ROOT/.ci/tools"
VENV="$TOOLS/venv"

# A TF_CLI_CONFIG_FILE naming no file only makes Terraform warn on every command.
[[ -f "${TF_CLI_CONFIG_FILE:-}" ]] || unset TF_CLI_CONFIG_FILE

GOBIN_DIR="$(go env GOPATH)/bin"
export PATH="$GOBIN_DIR:$PATH"

log() { printf '\n=== %s\n' "$*"; }

# ------------------------------------------------------------------ tools ---

go_tool_version() { # binary -> module version recorded in it, or ""
  local bin version
  bin="$(command -v "$1" 2>/dev/null)" || { echo ""; return; }
  version="$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" { print $3; exit }')"
  # A build from the module cache records "(devel)": its version is in a stamp file.
  if [[ "$version" == "(devel)" && -f "$bin.version" ]]; then version="$(cat "$bin.version")"; fi
  echo "$version"
}

ensure_go_tool() { # name module version
  local name="$1" module="$2" version="$3" have
  have="$(go_tool_version "$name")"
  if [[ "$have" != "$version" ]]; then
    echo "installing $name $version (go install $module@$version; had: ${have:-none})"
    local t0=$SECONDS
    if ! (cd /tmp && GOFLAGS=-mod=mod go install "$module@$version" 2>/dev/null); then
      # Some proxies serve a module's versions but not its version list, which
      # `go install` reads for deprecations: build from the module cache instead.
      echo "go install refused; building $name from the Go module cache"
      go_build_from_module_cache "$module" "$version" "$GOBIN_DIR/$name" || return 1
    fi
    echo "installed $name $version in $((SECONDS - t0)) s"
  fi
}

go_build_from_module_cache() { # module version output-binary
  local dir
  dir="$(cd /tmp && go mod download -json "$1@$2" 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin).get("Dir", ""))' 2>/dev/null)"
  [[ -n "$dir" && -d "$dir" ]] || { echo "go mod download $1@$2 failed"; return 1; }
  mkdir -p "$(dirname "$3")"
  (cd "$dir" && GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$3" .) && echo "$2" >"$3.version"
}

ensure_checkov() {
  if [[ -x "$VENV/bin/checkov" ]] && [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null)" == "$CHECKOV_VERSION" ]]; then
    return
  fi
  echo "installing checkov $CHECKOV_VERSION into $VENV (pip)"
  local t0=$SECONDS
  mkdir -p "$TOOLS"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  echo "installed checkov $CHECKOV_VERSION in $((SECONDS - t0)) s"
}

ensure_shellcheck() { # optional: actionlint checks run: scripts with it when present
  command -v shellcheck >/dev/null 2>&1 && return
  command -v apt-get >/dev/null 2>&1 || { echo "shellcheck not installed (no apt-get): actionlint runs without it"; return; }
  echo "installing shellcheck (apt-get)"
  if ! apt-get install -y -qq shellcheck >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq shellcheck >/dev/null 2>&1 || echo "shellcheck could not be installed: actionlint runs without it"
  fi
}

ensure_go_tool hclfmt github.com/hashicorp/hcl/v2/cmd/hclfmt "$HCLFMT_VERSION"
ensure_go_tool tflint github.com/terraform-linters/tflint "$TFLINT_VERSION"
ensure_go_tool terraform-docs github.com/terraform-docs/terraform-docs "$TFDOCS_VERSION"
ensure_checkov

# ------------------------------------------------------------------ steps ---

PASSED=0
FAILED=0
SKIPPED=0
FAILED_STEPS=()

step() { # name command...
  local name="$1"
  shift
  log "$name"
  if "$@"; then
    echo "--- $name: ok"
    PASSED=$((PASSED + 1))
  else
    echo "--- $name: FAILED"
    FAILED=$((FAILED + 1))
    FAILED_STEPS+=("$name")
  fi
}

skip() { # name reason
  log "$1"
  echo "--- $1: skipped ($2)"
  SKIPPED=$((SKIPPED + 1))
}

hcl_files() {
  find "$TF_DIR" -type d -name .terraform -prune -o -type f \
    \( -name '*.tf' -o -name '*.tftest.hcl' -o -name '*.tfmock.hcl' -o -name '*.tfvars' -o -name '*.tfvars.example' -o -name '.tflint.hcl' \) -print | sort
}

check_hcl_format() {
  local f bad=0
  while IFS= read -r f; do
    if ! hclfmt "$f" | cmp -s - "$f"; then
      echo "not formatted: ${f#"$ROOT"/}"
      hclfmt "$f" | diff -u "$f" - | head -40 || true
      bad=1
    fi
  done < <(hcl_files)
  if command -v terraform >/dev/null 2>&1; then
    terraform fmt -check -recursive -diff "$TF_DIR" || bad=1
  fi
  [[ $bad -eq 0 ]] && echo "$(hcl_files | wc -l) files formatted"
  return $bad
}

# The AWS ruleset's version is the one in terraform/.tflint.hcl.
TFLINT_AWS_VERSION="$(awk '/^plugin "aws"/ { p = 1 } p && $1 == "version" { gsub(/"/, "", $3); print $3; exit }' "$TF_DIR/.tflint.hcl")"
TFLINT_AWS_PLUGIN="${TFLINT_PLUGIN_DIR:-$HOME/.tflint.d/plugins}/github.com/terraform-linters/tflint-ruleset-aws/$TFLINT_AWS_VERSION/tflint-ruleset-aws"

ensure_tflint_aws() {
  [[ -x "$TFLINT_AWS_PLUGIN" ]] && return 0
  echo "installing tflint-ruleset-aws $TFLINT_AWS_VERSION (tflint --init: GitHub release)"
  (cd "$TF_DIR" && tflint --init --config "$TF_DIR/.tflint.hcl" >/dev/null 2>&1) && [[ -x "$TFLINT_AWS_PLUGIN" ]] && return 0
  echo "tflint --init failed; building tflint-ruleset-aws from the Go module cache"
  go_build_from_module_cache github.com/terraform-linters/tflint-ruleset-aws "v$TFLINT_AWS_VERSION" "$TFLINT_AWS_PLUGIN" >/dev/null 2>&1
}

run_tflint() {
  if ensure_tflint_aws; then
    echo "rulesets: terraform (bundled) + aws $TFLINT_AWS_VERSION"
    (cd "$TF_DIR" && tflint --recursive --config "$TF_DIR/.tflint.hcl" --format compact)
  else
    # Neither GitHub releases nor the module are reachable here (some Go proxies
    # refuse tflint-ruleset-aws): lint with the terraform ruleset, and say so.
    echo "NOTE: tflint-ruleset-aws $TFLINT_AWS_VERSION could not be installed here; rulesets: terraform only (CI runs the AWS ruleset)"
    local cfg="$TOOLS/tflint-no-aws.hcl"
    mkdir -p "$TOOLS"
    awk '/^plugin "aws"/ { skip = 1 } !skip { print } skip && /^}/ { skip = 0 }' "$TF_DIR/.tflint.hcl" >"$cfg"
    (cd "$TF_DIR" && tflint --recursive --config "$cfg" --format compact)
  fi
}

# Generated sections (BEGIN_TF_DOCS ... END_TF_DOCS) of these READMEs; settings in
# terraform/.terraform-docs.yml. Regenerate with: make docs-terraform
TFDOCS_DIRS=("$TF_DIR" "$TF_DIR/modules/source" "$TF_DIR/modules/destination" "$TF_DIR/bootstrap" "$TF_DIR/examples/high-throughput")

run_terraform_docs_check() {
  local d rc=0
  for d in "${TFDOCS_DIRS[@]}"; do
    if terraform-docs --config "$TF_DIR/.terraform-docs.yml" --output-check "$d" >/dev/null 2>&1; then
      echo "up to date: ${d#"$ROOT"/}/README.md"
    else
      echo "out of date: ${d#"$ROOT"/}/README.md (run: make docs-terraform)"
      rc=1
    fi
  done
  return $rc
}

run_checkov() {
  # --skip-download: no calls to the vendor's platform (not reachable here).
  "$VENV/bin/checkov" -d "$TF_DIR" --framework terraform --skip-download --quiet --compact
}

run_policy_lint() {
  python3 "$ROOT/.ci/checkov/policy_lint.py"
}

run_routes_match() {
  "$VENV/bin/python" "$ROOT/.ci/checkov/routes_match.py"
}

# Terraform: offline provider from a local plugin mirror when one exists.
TF_MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
terraform_usable() {
  command -v terraform >/dev/null 2>&1 || return 1
  # TF_LINT_REGISTRY=1 (CI): no mirror needed, providers come from the registry.
  [[ -d "$TF_MIRROR/registry.terraform.io/hashicorp/aws" ]] || [[ -f "${TF_CLI_CONFIG_FILE:-/nonexistent}" ]] \
    || [[ "${TF_LINT_REGISTRY:-}" == 1 ]] || return 1
}

run_terraform_checks() {
  # Respect a CLI configuration the user has; otherwise point Terraform at the
  # local plugin mirror (this machine reaches no Terraform registry).
  if [[ ! -f "${TF_CLI_CONFIG_FILE:-/nonexistent}" ]] && [[ -d "$TF_MIRROR/registry.terraform.io/hashicorp/aws" ]]; then
    mkdir -p "$TOOLS"
    cat > "$TOOLS/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$TF_MIRROR"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
    export TF_CLI_CONFIG_FILE="$TOOLS/terraformrc"
  fi
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  local d rc=0
  for d in "$TF_DIR" "$TF_DIR/modules/source" "$TF_DIR/modules/destination" "$TF_DIR/bootstrap" "$TF_DIR"/examples/*/; do
    d="${d%/}"
    echo "--- ${d#"$ROOT"/}"
    (cd "$d" && terraform init -backend=false -input=false -no-color >/dev/null && terraform validate -no-color) || { rc=1; continue; }
    if compgen -G "$d/tests/*.tftest.hcl" >/dev/null; then
      (cd "$d" && terraform test -no-color) || rc=1
    fi
  done
  echo "--- terraform/tests/graph_order.py (rules wait for the queue and key policies)"
  (cd "$TF_DIR" && terraform graph -type=plan | python3 "$TF_DIR/tests/graph_order.py") || rc=1
  return $rc
}

run_actionlint() {
  actionlint -no-color
}

# Every shell script of the repository (actionlint covers the workflows' run: blocks).
run_shellcheck() {
  local scripts=()
  mapfile -t scripts < <(cd "$ROOT" && ls .ci/*.sh .ci/run .github/scripts/*.sh harness/*.sh 2>/dev/null)
  (cd "$ROOT" && shellcheck "${scripts[@]}") && echo "${#scripts[@]} scripts clean"
}

step "hcl format (hclfmt $HCLFMT_VERSION)" check_hcl_format
step "tflint $TFLINT_VERSION --recursive" run_tflint
step "terraform-docs $TFDOCS_VERSION (module READMEs up to date)" run_terraform_docs_check
step "checkov $CHECKOV_VERSION" run_checkov
step "policy checks (.ci/checkov/policy_lint.py)" run_policy_lint
step "same routes for Terraform and the local stack" run_routes_match
if terraform_usable; then
  step "terraform validate + test ($(terraform version | head -1))" run_terraform_checks
else
  skip "terraform validate + test" "Terraform or an offline hashicorp/aws provider is not available on this machine; GitHub Actions runs them"
fi
if [[ -d "$ROOT/.github/workflows" ]]; then
  ensure_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
  ensure_shellcheck
  step "actionlint $ACTIONLINT_VERSION" run_actionlint
else
  skip "actionlint" ".github/workflows does not exist"
fi
if command -v shellcheck >/dev/null 2>&1; then
  step "shellcheck $(shellcheck --version | awk '/^version:/ {print $2}')" run_shellcheck
else
  skip "shellcheck" "shellcheck is not installed (apt-get install shellcheck)"
fi
# glibc check, zip manifests and fetch-release on fixtures built here (needs a C compiler)
step "release tooling tests (.ci/test-scripts.sh)" bash "$ROOT/.ci/test-scripts.sh"

echo
if [[ $FAILED -gt 0 ]]; then
  echo "failed: ${FAILED_STEPS[*]}"
fi
echo "lint: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[[ $FAILED -eq 0 ]]
