#!/usr/bin/env bash
# Creates tools/.venv (idempotent) with the pinned packages of tools/requirements.txt, for the
# operations tools under tools/ (make redrive); the venv itself comes from .ci/python-venv, shared
# with doctor/ and bench/. Prints the venv's python path on stdout (progress goes to stderr).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v "${PYTHON:-python3}" >/dev/null || { echo "tools/setup.sh: ${PYTHON:-python3} is missing: install Python 3 (e.g. sudo apt-get install python3 python3-venv)" >&2; exit 1; }
"$here/../.ci/python-venv" "$here/.venv" "$here/requirements.txt" >&2
echo "$here/.venv/bin/python"
