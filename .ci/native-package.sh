#!/usr/bin/env bash
# Makes the deployable native zip out of the one Quarkus builds:
#
#   .ci/native-package.sh BUILT_ZIP OUT_ZIP [NATIVE_IMAGE]
#
# NATIVE_IMAGE is the native-image that built it (empty for a container build). A toolchain whose
# images load the JDK's shared libraries instead of static ones (the development stand-in: no
# static JDK libraries can be had there) is recognised by the directory lib/svm/jdkshared in its
# home; those libraries go into the zip's lib/, where the executable looks (RPATH $ORIGIN/lib).
# Then the zip is stamped (.ci/function-manifest.sh, which refuses a bootstrap whose libraries are
# not in the zip) and its glibc needs are checked (.ci/check-glibc.sh).
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; fi
built="$1" out="$2" native_image="${3:-}"
CI="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -f "$built" ] || { echo "native-package: $built does not exist (did the native build run?)" >&2; exit 2; }

mkdir -p "$(dirname "$out")"
mv -f "$built" "$out"
rm -f "$built.json"

if [ -n "$native_image" ]; then
  shared="$(cd "$(dirname "$(readlink -f "$native_image")")/.." && pwd)/lib/svm/jdkshared"
  if [ -d "$shared" ]; then
    echo "native-package: this native-image links the JDK's libraries dynamically; adding $shared/*.so to lib/ of the zip"
    python3 - "$out" "$shared" <<'PY'
import os, sys, zipfile
out, shared = sys.argv[1:]
with zipfile.ZipFile(out, 'a', zipfile.ZIP_DEFLATED) as z:
    present = set(z.namelist())
    for name in sorted(os.listdir(shared)):
        if not name.endswith('.so') or 'lib/' + name in present:
            continue
        info = zipfile.ZipInfo('lib/' + name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | 0o755) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(shared, name), 'rb') as f:
            z.writestr(info, f.read())
PY
  fi
fi
bash "$CI/function-manifest.sh" "$out"
bash "$CI/check-glibc.sh" "$out"
