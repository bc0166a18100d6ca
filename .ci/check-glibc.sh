#!/usr/bin/env bash
# Fails when a Linux executable needs a glibc newer than the Lambda runtime has.
#
#   .ci/check-glibc.sh BINARY_OR_ZIP [MAX_GLIBC]
#
# BINARY_OR_ZIP: an ELF file, or a native function.zip: its root `bootstrap` and every shared
#                library in it (Quarkus copies the *.so files native-image needs next to it).
# MAX_GLIBC:     newest glibc symbol version allowed; default 2.34, the glibc of Amazon Linux
#                2023 (the provided.al2023 runtime). Override with GLIBC_MAX as well.
#
# The dynamic loader refuses to start a binary whose version-needs section (.gnu.version_r)
# names a version its libc lacks ("version `GLIBC_2.38' not found"), so that section is what
# is compared; the dynamic symbol table only names the symbols behind each version.
# Needs readelf (binutils). Exit 0 = fits, 1 = too new, 2 = usage / not an ELF file.
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
target="$1"
max="${2:-${GLIBC_MAX:-2.34}}"
[[ "$max" =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || { echo "check-glibc: MAX_GLIBC '$max' is not a version like 2.34" >&2; exit 2; }
command -v readelf >/dev/null || { echo "check-glibc: readelf is missing (install binutils)" >&2; exit 2; }
[ -f "$target" ] || { echo "check-glibc: $target does not exist" >&2; exit 2; }

is_elf() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; }

# check NAME FILE: prints one line; returns 0 = fits, 1 = too new
check() {
  local name="$1" file="$2" needed newest v too_new=()
  # Only the version-needs section (a library's own version definitions are not needs), lines
  # like "  0x0020:   Name: GLIBC_2.34  Flags: none  Version: 2".
  needed="$(LC_ALL=C readelf -V -W "$file" \
    | awk '/^Version needs section/ { on = 1; next } /^Version [a-z]+ section/ { on = 0 } on' \
    | sed -n 's/.*Name: \(GLIBC_[0-9][0-9.]*\).*/\1/p' | sort -u -V)"
  if [ -z "$needed" ]; then
    echo "check-glibc: $name needs no versioned glibc symbol (statically linked or no libc): ok"
    return 0
  fi
  newest="$(printf '%s\n' "$needed" | sed 's/^GLIBC_//' | sort -V | tail -1)"
  while IFS= read -r v; do
    if [ "$(printf '%s\n%s\n' "${v#GLIBC_}" "$max" | sort -V | tail -1)" != "$max" ]; then too_new+=("$v"); fi
  done <<< "$needed"
  if [ ${#too_new[@]} -eq 0 ]; then
    echo "check-glibc: $name needs glibc <= $newest (allowed: $max): ok"
    return 0
  fi
  echo "check-glibc: $name needs ${too_new[*]}, newer than the allowed glibc $max (Amazon Linux 2023 has 2.34); symbols:" >&2
  for v in "${too_new[@]}"; do
    LC_ALL=C readelf --dyn-syms -W "$file" | awk -v v="@$v" 'index($8, v) { print "  " $8 }' >&2
  done
  return 1
}

status=0
if [[ "$target" == *.zip ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  unzip -q -o "$target" -d "$tmp"
  [ -f "$tmp/bootstrap" ] || { echo "check-glibc: $target has no bootstrap at its root (not a native function zip)" >&2; exit 2; }
  is_elf "$tmp/bootstrap" || { echo "check-glibc: the bootstrap of $target is not an ELF executable" >&2; exit 2; }
  while IFS= read -r f; do
    if is_elf "$f"; then check "$target:${f#"$tmp"/}" "$f" || status=1; fi
  done < <(find "$tmp" -type f \( -name bootstrap -o -name '*.so' -o -name '*.so.*' \) | sort)
else
  is_elf "$target" || { echo "check-glibc: $target is not an ELF executable" >&2; exit 2; }
  check "$target" "$target" || status=1
fi
if [ "$status" -ne 0 ]; then
  echo "  fix: build with the container builder (make native-build NATIVE_BUILDER=container, UBI 9 = glibc 2.34)" >&2
fi
exit "$status"
