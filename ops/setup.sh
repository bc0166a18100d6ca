#!/usr/bin/env bash
# Creates ops/.venv (idempotent) with the pinned packages of ops/requirements.txt; the venv itself
# (and python3-venv when Python lacks it) comes from .ci/python-venv, shared with harness/.
# Progress goes to stderr, so that callers may capture what the tool prints.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v "${PYTHON:-python3}" >/dev/null || { echo "ops/setup.sh: ${PYTHON:-python3} is missing: install Python 3 (e.g. sudo apt-get install python3 python3-venv)" >&2; exit 1; }
"$here/../.ci/python-venv" "$here/.venv" "$here/requirements.txt" >&2
