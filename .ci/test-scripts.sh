#!/usr/bin/env bash
# Tests of the release tooling scripts, on fixtures built here (no binary is committed):
#   .ci/check-glibc.sh       a binary needing only old glibc passes; one needing GLIBC_2.99
#                            (a tiny library versioned like that, built with cc) fails and
#                            names the symbol; so does a zip bundling a .so that needs it; a
#                            non-ELF file and a lower limit fail
#   .ci/function-manifest.sh native zip: executable ELF `bootstrap` at the root, architecture
#                            from the ELF header (x86_64 and arm64), permissions kept when
#                            stamping, the shared libraries it needs in the zip; jvm zip: the Quarkus handler in lib/; bad layouts refused
#   .ci/fetch-release.sh     from a local release directory (file://): a good zip is kept with
#                            its sidecar manifest; a tampered zip, a missing SHA256SUMS entry
#                            and a zip of the wrong architecture are refused and nothing is kept
# Run by `make lint` (.ci/lint.sh). Needs cc (gcc or clang), readelf, unzip, python3, curl.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI="$ROOT/.ci"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }

# expect <exit code> <output must contain, or ""> <description> -- command...
expect() {
  local want="$1" needle="$2" what="$3" out rc
  shift 4
  set +e
  out="$("$@" 2>&1)"
  rc=$?
  set -e
  if [ "$rc" -ne "$want" ]; then
    bad "$what: exit $rc, expected $want"
    printf '%s\n' "$out" | sed 's/^/         /'
  elif [ -n "$needle" ] && [[ "$out" != *"$needle"* ]]; then
    bad "$what: output lacks '$needle'"
    printf '%s\n' "$out" | sed 's/^/         /'
  else
    ok "$what"
  fi
}

# mkzip OUT.zip NAME=FILE[:MODE]...  (python keeps the Unix mode in the entry; zip(1) may be absent)
mkzip() {
  python3 - "$@" <<'EOF'
import sys, zipfile
out, *entries = sys.argv[1:]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for e in entries:
        name, src = e.split('=', 1)
        mode = 0o644
        if ':' in src:
            src, m = src.rsplit(':', 1)
            mode = int(m, 8)
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, open(src, 'rb').read())
EOF
}
zip_mode() { python3 -c 'import sys, zipfile; print(format(zipfile.ZipFile(sys.argv[1]).getinfo(sys.argv[2]).external_attr >> 16 & 0o777, "o"))' "$1" "$2"; }

CC="${CC:-$(command -v cc || command -v gcc || command -v clang || true)}"
[ -n "$CC" ] || { echo "test-scripts: a C compiler (cc) is needed for the fixture binaries" >&2; exit 1; }

case "$(uname -m)" in
  x86_64|amd64) host_arch=x86_64 ;;
  aarch64|arm64) host_arch=arm64 ;;
  *) host_arch="" ;;
esac

echo "== fixtures (cc: $CC)"
cat > old.c <<'EOF'
#include <stdio.h>
int main(void) { puts("fixture"); return 0; }
EOF
"$CC" -o old old.c
# A library whose symbol carries the version GLIBC_2.99: the executable linked against it needs
# GLIBC_2.99 exactly as one built on a too-new distribution needs GLIBC_2.38 from libc.so.6.
printf 'int bridge_fixture_new(void) { return 0; }\n' > libnew.c
printf 'GLIBC_2.99 { global: bridge_fixture_new; local: *; };\n' > libnew.map
"$CC" -shared -fPIC -Wl,--version-script=libnew.map -Wl,-soname,libfixturenew.so -o libfixturenew.so libnew.c
printf 'int bridge_fixture_new(void);\nint main(void) { return bridge_fixture_new(); }\n' > new.c
"$CC" -o new new.c -L. -lfixturenew
printf '#!/bin/sh\nexec java -version\n' > script.sh

echo "== check-glibc.sh"
expect 0 "ok" "old glibc symbols pass (limit 2.34)" -- "$CI/check-glibc.sh" old
expect 1 "bridge_fixture_new@GLIBC_2.99" "GLIBC_2.99 fails and names the symbol" -- "$CI/check-glibc.sh" new
expect 1 "GLIBC_2.2" "a limit below what the binary needs fails" -- "$CI/check-glibc.sh" old 2.1
expect 2 "not an ELF" "a shell script is refused" -- "$CI/check-glibc.sh" script.sh
mkzip new.zip bootstrap=new:755
expect 1 "GLIBC_2.99" "a native zip's bootstrap is checked" -- "$CI/check-glibc.sh" new.zip
# a shared library shipped next to bootstrap is loaded too: it is checked as well
printf 'int bridge_fixture_new(void);\nint bridge_fixture_uses(void) { return bridge_fixture_new(); }\n' > libuses.c
"$CC" -shared -fPIC -o libuses.so libuses.c -L. -lfixturenew
mkzip withlib.zip bootstrap=old:755 libuses.so=libuses.so
expect 1 "withlib.zip:libuses.so needs GLIBC_2.99" "a bundled .so needing a newer glibc fails the zip" -- "$CI/check-glibc.sh" withlib.zip
mkzip oldlib.zip bootstrap=old:755 libold.so=libfixturenew.so
expect 0 "oldlib.zip:bootstrap needs glibc" "a zip whose files all fit passes" -- "$CI/check-glibc.sh" oldlib.zip
libc_version="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
if [ -n "$libc_version" ] && [ "$(printf '%s\n2.36\n' "$libc_version" | sort -V | head -1)" = "2.36" ]; then
  # the real thing on this machine: arc4random is GLIBC_2.36 in libc.so.6
  printf '#include <stdlib.h>\nint main(void) { return (int)(arc4random() & 0); }\n' > real.c
  if "$CC" -o real real.c 2>/dev/null; then
    expect 1 "arc4random@GLIBC_2.36" "a real libc.so.6 symbol of glibc 2.36 fails" -- "$CI/check-glibc.sh" real
  fi
else
  echo "  skip a real GLIBC_2.36 symbol: this machine's glibc is ${libc_version:-unknown}"
fi

echo "== function-manifest.sh"
if [ -n "$host_arch" ]; then
  mkzip native.zip bootstrap=old:755
  expect 0 "\"architectures\":[\"$host_arch\"]" "native zip: kind and architecture from the ELF header" -- "$CI/function-manifest.sh" native.zip
  inside="{\"kind\":\"native\",\"architectures\":[\"$host_arch\"]}"
  sidecar="${inside%\}},\"sha256\":\"$(sha256sum native.zip | cut -d' ' -f1)\"}"
  if [ "$(unzip -p native.zip bridge-function.json)" = "$inside" ] && [ "$(cat native.zip.json)" = "$sidecar" ]; then
    ok "manifest inside the zip; the sidecar native.zip.json adds the stamped zip's SHA-256"
  else
    bad "manifest inside the zip or the sidecar is wrong: $(unzip -p native.zip bridge-function.json) / $(cat native.zip.json)"
  fi
  if [ "$(zip_mode native.zip bootstrap)" = 755 ]; then ok "bootstrap keeps mode 755 after stamping"; else bad "bootstrap lost its mode: $(zip_mode native.zip bootstrap)"; fi
  expect 0 "" "stamping twice is idempotent (--check agrees)" -- "$CI/function-manifest.sh" --check native.zip
  # the other architecture: same ELF with e_machine patched (x86_64 62 <-> aarch64 183)
  other=arm64; machine=183
  if [ "$host_arch" = arm64 ]; then other=x86_64; machine=62; fi
  cp old other-bin
  python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(18); f.write(int(sys.argv[2]).to_bytes(2,"little"))' other-bin "$machine"
  mkzip other.zip bootstrap=other-bin:755
  expect 0 "\"architectures\":[\"$other\"]" "native zip for $other is recognised as $other" -- "$CI/function-manifest.sh" other.zip
fi
# an executable that needs a library the Lambda base lacks (as the JDK's libjava.so for an image
# with the JDK's shared libraries): the zip must carry it in lib/ (or at the root)
printf 'int bridge_fixture_jdk(void) { return 0; }\n' > libjdk.c
"$CC" -shared -fPIC -Wl,-soname,libfixturejdk.so -o libfixturejdk.so libjdk.c
printf 'int bridge_fixture_jdk(void);\nint main(void) { return bridge_fixture_jdk(); }\n' > needsjdk.c
"$CC" -o needsjdk needsjdk.c -L. -lfixturejdk
mkzip nolib.zip bootstrap=needsjdk:755
expect 1 "needs libfixturejdk.so, not in the zip" "a bootstrap whose shared library is not in the zip is refused" -- "$CI/function-manifest.sh" nolib.zip
mkzip withjdk.zip bootstrap=needsjdk:755 lib/libfixturejdk.so=libfixturejdk.so:755
expect 0 '"kind":"native"' "a bootstrap with its shared library in lib/ is a native zip" -- "$CI/function-manifest.sh" withjdk.zip
mkzip noexec.zip bootstrap=old:644
expect 1 "not executable" "a bootstrap without the executable bit is refused" -- "$CI/function-manifest.sh" noexec.zip
mkzip script.zip bootstrap=script.sh:755
expect 1 "not an ELF" "a script bootstrap is not a native build" -- "$CI/function-manifest.sh" script.zip
mkdir -p jar/io/quarkus/amazon/lambda/runtime
: > jar/io/quarkus/amazon/lambda/runtime/QuarkusStreamHandler.class
mkzip handler.jar io/quarkus/amazon/lambda/runtime/QuarkusStreamHandler.class=jar/io/quarkus/amazon/lambda/runtime/QuarkusStreamHandler.class
mkzip jvm.zip lib/io.quarkus.quarkus-amazon-lambda-3.33.2.jar=handler.jar
expect 0 '{"kind":"jvm","architectures":["x86_64","arm64"]}' "jvm zip: the Quarkus handler in lib/, both architectures" -- "$CI/function-manifest.sh" jvm.zip
mkzip empty.jar META-INF/MANIFEST.MF=old.c
mkzip nohandler.zip lib/io.quarkus.quarkus-amazon-lambda-3.33.2.jar=empty.jar
expect 1 "lacks the handler" "a jvm zip without the handler class is refused" -- "$CI/function-manifest.sh" nohandler.zip
mkzip neither.zip README=old.c
expect 1 "neither a native zip" "a zip that is neither kind is refused" -- "$CI/function-manifest.sh" neither.zip
if [ -f "$ROOT/function/target/function.zip" ]; then
  expect 0 '"kind":' "the built function/target/function.zip has a valid layout" -- "$CI/function-manifest.sh" --check "$ROOT/function/target/function.zip"
fi

echo "== fetch-release.sh (file:// release directory)"
if [ -n "$host_arch" ]; then
  rel="$work/releases/v9.9.9"
  mkdir -p "$rel"
  mkzip "$rel/function-native-$host_arch.zip" bootstrap=old:755
  mkzip "$rel/function-native-$other.zip" bootstrap=old:755   # mislabelled: a $host_arch binary
  cp jvm.zip "$rel/function-jvm.zip"
  (cd "$rel" && sha256sum function-*.zip > SHA256SUMS)
  export RELEASE_BASE_URL="file://$work/releases"
  expect 0 "verified" "a good release zip is fetched and verified" -- env DEST="$work/out1" "$CI/fetch-release.sh" v9.9.9 native "$host_arch"
  if [ -f "$work/out1/function-native-$host_arch.zip" ] && grep -q "\"$host_arch\"\],\"sha256\":\"$(sha256sum "$work/out1/function-native-$host_arch.zip" | cut -d' ' -f1)\"" "$work/out1/function-native-$host_arch.zip.json"; then
    ok "the zip and its sidecar manifest are in DEST"
  else
    bad "the zip or its sidecar manifest is missing in DEST"
  fi
  expect 0 "verified" "the jvm zip is fetched (architecture-independent)" -- env DEST="$work/out1" "$CI/fetch-release.sh" v9.9.9 jvm
  expect 1 "not an $other build" "a zip whose contents are another architecture is refused" -- env DEST="$work/out2" "$CI/fetch-release.sh" v9.9.9 native "$other"
  printf 'x' >> "$rel/function-native-$host_arch.zip"
  expect 1 "does not match" "a tampered zip is refused" -- env DEST="$work/out3" "$CI/fetch-release.sh" v9.9.9 native "$host_arch"
  if [ -z "$(find "$work/out2" "$work/out3" -name '*.zip' 2>/dev/null)" ]; then ok "nothing is kept from a refused download"; else bad "a refused zip was kept"; fi
  grep -v 'function-jvm.zip' "$rel/SHA256SUMS" > "$rel/S" && mv "$rel/S" "$rel/SHA256SUMS"
  expect 1 "lists function-jvm.zip 0 times" "a zip missing from SHA256SUMS is refused" -- env DEST="$work/out4" "$CI/fetch-release.sh" v9.9.9 jvm
  expect 1 "download failed" "an unknown version fails" -- env DEST="$work/out5" "$CI/fetch-release.sh" v0.0.1 jvm
  expect 2 "ARCH must be" "a wrong ARCH is refused before downloading" -- "$CI/fetch-release.sh" v9.9.9 native ppc64
  unset RELEASE_BASE_URL
fi

echo
echo "test-scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
