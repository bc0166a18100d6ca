#!/usr/bin/env bash
# Stamps a function zip with what it is, read from its contents, and checks its layout:
#
#   .ci/function-manifest.sh ZIP          write ZIP's manifest into it and next to it
#   .ci/function-manifest.sh --check ZIP  only check the layout and print the manifest
#
# The manifest is `bridge-function.json` at the zip's root, and the sidecar `ZIP.json` holds the
# same plus the zip's SHA-256 (Terraform cannot look inside a zip; the destination module reads
# the sidecar and refuses a zip whose kind or architecture differs from its `runtime` /
# `architecture`, or whose SHA-256 is not the one the sidecar was written for):
#   native: {"kind":"native","architectures":["arm64"]}   one architecture: the ELF machine of
#           the executable `bootstrap` at the root (provided.al2023 runs it as is)
#   jvm:    {"kind":"jvm","architectures":["x86_64","arm64"]}   bytecode runs on both; the
#           Quarkus handler (io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler) must be in lib/
# The architecture is never typed by hand: it comes from the binary, so a zip cannot claim
# to be what it is not. Exit 0 = stamped/valid, 1 = bad layout, 2 = usage.
# Needs unzip, od, readelf and python3 (rewrites the zip keeping every entry's permissions).
set -euo pipefail

MANIFEST=bridge-function.json
HANDLER_CLASS=io/quarkus/amazon/lambda/runtime/QuarkusStreamHandler.class

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
check_only=""
if [ "${1:-}" = "--check" ]; then check_only=1; shift; fi
[ $# -eq 1 ] || usage
zip="$1"
[ -f "$zip" ] || { echo "function-manifest: $zip does not exist" >&2; exit 2; }

fail() { echo "function-manifest: $zip: $*" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

entries="$(unzip -Z1 "$zip")" || fail "not a readable zip"

# ELF e_machine (bytes 18-19, little endian) -> Lambda architecture name.
elf_architecture() {
  local f="$1" magic class machine
  magic="$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')"
  [ "$magic" = "7f454c46" ] || { echo "not-elf"; return; }
  class="$(od -An -tu1 -j4 -N1 "$f" | tr -d ' ')"
  machine="$(od -An -tu2 -j18 -N2 --endian=little "$f" | tr -d ' ')"
  case "$class:$machine" in
    2:62)  echo x86_64 ;;
    2:183) echo arm64 ;;
    *)     echo "unsupported(class=$class,e_machine=$machine)" ;;
  esac
}

if grep -qx 'bootstrap' <<< "$entries"; then
  kind=native
  # provided.al2023 needs the executable bit (zip external attributes, upper 16 bits = st_mode;
  # an odd octal digit in the permission bits means someone may execute it)
  mode="$(python3 -c 'import sys, zipfile; print(format(zipfile.ZipFile(sys.argv[1]).getinfo("bootstrap").external_attr >> 16 & 0o777, "o"))' "$zip")"
  [[ "$mode" =~ [1357] ]] || fail "bootstrap is not executable (mode ${mode}): Lambda cannot start it"
  unzip -q -o "$zip" bootstrap -d "$tmp"
  arch="$(elf_architecture "$tmp/bootstrap")"
  case "$arch" in
    x86_64|arm64) ;;
    not-elf) fail "bootstrap is not an ELF executable (a script wrapper is not a native build)" ;;
    *) fail "bootstrap is an ELF file for an architecture Lambda does not run: $arch" ;;
  esac
  # Every shared library the executable needs must be in the zip unless the provided.al2023 base
  # has it (glibc and zlib): the loader finds the rest in lib/ (the RPATH $ORIGIN/lib of an image
  # with the JDK's shared libraries, and /var/task/lib is on Lambda's LD_LIBRARY_PATH) or at the root.
  missing=()
  while IFS= read -r lib; do
    case "$lib" in
      ''|libc.so.6|libm.so.6|libdl.so.2|libpthread.so.0|librt.so.1|libz.so.1|ld-linux-*) ;;
      *) grep -qxF -e "lib/$lib" -e "$lib" <<< "$entries" || missing+=("$lib") ;;
    esac
  done < <(LC_ALL=C readelf -d -W "$tmp/bootstrap" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  [ ${#missing[@]} -eq 0 ] || fail "bootstrap needs ${missing[*]}, not in the zip (Lambda has no JDK): package them in lib/ (make native-build does)"
  manifest="{\"kind\":\"native\",\"architectures\":[\"$arch\"]}"
else
  kind=jvm
  jar="$(grep -E '^lib/io\.quarkus\.quarkus-amazon-lambda-[0-9][^/]*\.jar$' <<< "$entries" | head -1 || true)"
  [ -n "$jar" ] || fail "neither a native zip (no bootstrap at the root) nor a Quarkus JVM zip (no lib/io.quarkus.quarkus-amazon-lambda-*.jar)"
  unzip -q -o "$zip" "$jar" -d "$tmp"
  # no grep -q: an early exit would kill unzip with SIGPIPE, and pipefail would fail the check
  unzip -Z1 "$tmp/$jar" | grep -x "$HANDLER_CLASS" >/dev/null || fail "$jar lacks the handler $HANDLER_CLASS"
  manifest='{"kind":"jvm","architectures":["x86_64","arm64"]}'
fi

if [ -n "$check_only" ]; then
  if grep -qx "$MANIFEST" <<< "$entries"; then
    inside="$(unzip -p "$zip" "$MANIFEST")"
    [ "$inside" = "$manifest" ] || fail "$MANIFEST says $inside but the contents say $manifest"
  fi
  echo "$manifest"
  exit 0
fi

printf '%s\n' "$manifest" > "$tmp/$MANIFEST"
python3 - "$zip" "$tmp/$MANIFEST" "$MANIFEST" <<'EOF'
import os, shutil, sys, zipfile
path, manifest_file, name = sys.argv[1:]
data = open(manifest_file, 'rb').read()
tmp = path + '.tmp'
with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as dst:
    for info in src.infolist():
        if info.filename != name:
            dst.writestr(info, src.read(info))   # the ZipInfo keeps permissions and timestamps
    entry = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    entry.external_attr = 0o644 << 16
    entry.compress_type = zipfile.ZIP_DEFLATED
    dst.writestr(entry, data)
shutil.move(tmp, path)
EOF
# the sidecar also names the zip it describes: Terraform refuses it next to a rebuilt zip
sha="$(sha256sum "$zip" | cut -d' ' -f1)"
printf '%s,"sha256":"%s"}\n' "${manifest%\}}" "$sha" > "$zip.json"
echo "function-manifest: $zip ($kind): $manifest; sidecar $zip.json"
