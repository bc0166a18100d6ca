#!/usr/bin/env bash
# Creates harness/.venv (idempotent) with the pinned Python packages of harness/requirements.txt:
# awslambdaric (AWS's Lambda runtime interface client), boto3, matplotlib. The venv itself (and
# python3-venv when Python lacks it) comes from .ci/python-venv, shared with ops/.
#
# awslambdaric ships manylinux wheels for CPython 3.9-3.13 on x86_64/aarch64; when pip has
# to build it from source (other Python, other platform) it needs a C/C++ toolchain plus
# autoconf, automake, libtool, cmake and make (it builds aws-lambda-cpp and curl). This
# script installs those from the Debian/Ubuntu archive only in that case.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
python_venv="$here/../.ci/python-venv"

# Prefer wheels; fall back to a source build of awslambdaric with the build tools installed.
if ! "$python_venv" "$venv" "$req" --only-binary awslambdaric; then
  echo "harness/setup.sh: no awslambdaric wheel for this Python/platform; building it from source" >&2
  if command -v apt-get >/dev/null; then
    sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq g++ make cmake autoconf automake libtool unzip libcurl4-openssl-dev
  fi
  "$python_venv" "$venv" "$req"
fi

"$venv/bin/python" - <<'PY'
import awslambdaric, boto3, matplotlib
print(f"harness/setup.sh: awslambdaric {getattr(awslambdaric, '__version__', '?')}, "
      f"boto3 {boto3.__version__}, matplotlib {matplotlib.__version__}")
PY
