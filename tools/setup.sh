#!/usr/bin/env bash
# Creates tools/.venv (idempotent) with the pinned packages of tools/requirements.txt, for the
# operations tools under tools/ (make redrive). The same pattern as bench/setup.sh: a stamp of
# the requirements' hash skips the work when nothing changed; python3-venv is installed from the
# Debian/Ubuntu archive when Python lacks it. Prints the venv's python path on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
py="${PYTHON:-python3}"

command -v "$py" >/dev/null || { echo "tools/setup.sh: $py is missing: install Python 3 (e.g. sudo apt-get install python3 python3-venv)" >&2; exit 1; }
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi

if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "tools/setup.sh: $py lacks venv/ensurepip; installing python3-venv" >&2
  if command -v apt-get >/dev/null; then
    sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >&2 && $sudo_cmd apt-get install -y -qq python3-venv >&2
  fi
fi
[[ -x "$venv/bin/python" ]] || "$py" -m venv "$venv" >&2
"$venv/bin/python" -m pip install -q -r "$req" >&2
echo "$want" > "$stamp"
echo "tools/setup.sh: $("$venv/bin/python" -c 'import boto3; print("boto3", boto3.__version__)') in $venv" >&2
echo "$venv/bin/python"
