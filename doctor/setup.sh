#!/usr/bin/env bash
# Creates doctor/.venv (idempotent) with boto3 pinned in doctor/requirements.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/../.ci/python-venv" "$here/.venv" "$here/requirements.txt"
