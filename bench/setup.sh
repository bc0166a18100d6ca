#!/usr/bin/env bash
# Creates bench/.venv (idempotent) with the pinned Python packages of bench/requirements.txt:
# awslambdaric (AWS's Lambda runtime interface client), boto3, matplotlib.
#
# awslambdaric ships manylinux wheels for CPython 3.9-3.13 on x86_64/aarch64; when pip has
# to build it from source (other Python, other platform) it needs a C/C++ toolchain plus
# autoconf, automake, libtool, cmake and make (it builds aws-lambda-cpp and curl). This
# script installs those from the Debian/Ubuntu archive only in that case.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
py="${PYTHON:-python3}"

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "bench/setup.sh: $venv is up to date"
  exit 0
fi

if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "bench/setup.sh: $py lacks venv/ensurepip; installing python3-venv" >&2
  if command -v apt-get >/dev/null; then
    sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq python3-venv
  fi
fi

[[ -x "$venv/bin/python" ]] || "$py" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip >/dev/null

install() { "$venv/bin/python" -m pip install -q -r "$req"; }
# Prefer wheels; fall back to a source build of awslambdaric with the build tools installed.
if ! "$venv/bin/python" -m pip install -q --only-binary awslambdaric -r "$req"; then
  echo "bench/setup.sh: no awslambdaric wheel for this Python/platform; building it from source" >&2
  if command -v apt-get >/dev/null; then
    sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq g++ make cmake autoconf automake libtool unzip libcurl4-openssl-dev
  fi
  install
fi

"$venv/bin/python" - <<'PY'
import awslambdaric, boto3, matplotlib
print(f"bench/setup.sh: awslambdaric {getattr(awslambdaric, '__version__', '?')}, "
      f"boto3 {boto3.__version__}, matplotlib {matplotlib.__version__}")
PY
echo "$want" > "$stamp"
