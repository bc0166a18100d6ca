#!/usr/bin/env bash
# Downloads a released function zip and verifies it before Terraform deploys it
# (`make fetch-release VERSION=v0.2.0 [KIND=native|jvm] [ARCH=x86_64|arm64]`).
#
#   .ci/fetch-release.sh VERSION [KIND] [ARCH]
#
#   VERSION  release tag, e.g. v0.2.0
#   KIND     native (default; runtime provided.al2023) or jvm (runtime java21, any architecture)
#   ARCH     x86_64 (default) or arm64; ignored for jvm
#
# Environment:
#   RELEASE_REPO      owner/name on GitHub; default: parsed from `git remote get-url origin`
#   RELEASE_BASE_URL  instead of https://github.com/RELEASE_REPO/releases/download (a mirror,
#                     or file:///dir for a local release directory holding VERSION/<files>)
#   DEST              output directory; default dist/VERSION
#
# The zip must be listed in the release's SHA256SUMS with the same SHA-256, and its contents
# must be what was asked for (.ci/function-manifest.sh --check); otherwise nothing is kept.
# The sidecar manifest ZIP.json (the zip's manifest plus its SHA-256) is then written for
# Terraform's check.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 3 ]; then usage; fi
version="$1"
kind="${2:-native}"
arch="${3:-x86_64}"

[[ "$version" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$ ]] \
  || { echo "fetch-release: VERSION '$version' is not a release tag like v0.2.0" >&2; exit 2; }
case "$kind" in
  native)
    case "$arch" in x86_64|arm64) ;; *) echo "fetch-release: ARCH must be x86_64 or arm64 (Terraform's architecture), not '$arch'" >&2; exit 2 ;; esac
    name="function-native-$arch.zip" ;;
  jvm) name="function-jvm.zip" ;;
  *) echo "fetch-release: KIND must be native or jvm (Terraform's runtime), not '$kind'" >&2; exit 2 ;;
esac
for tool in curl sha256sum unzip python3; do
  command -v "$tool" >/dev/null || { echo "fetch-release: $tool is missing" >&2; exit 2; }
done

base="${RELEASE_BASE_URL:-}"
if [ -z "$base" ]; then
  repo="${RELEASE_REPO:-}"
  if [ -z "$repo" ]; then
    origin="$(git -C "$ROOT" remote get-url origin 2>/dev/null || true)"
    # git@github.com:owner/name.git, https://github.com/owner/name(.git), ssh://git@github.com/owner/name
    if [[ "$origin" =~ github\.com[:/]([^/]+/[^/]+)$ ]]; then repo="${BASH_REMATCH[1]%.git}"; fi
  fi
  [ -n "$repo" ] || { echo "fetch-release: no GitHub origin to download from: set RELEASE_REPO=owner/name (or RELEASE_BASE_URL)" >&2; exit 2; }
  base="https://github.com/$repo/releases/download"
fi
base="${base%/}"
dest="${DEST:-$ROOT/dist/$version}"
mkdir -p "$dest"

tmp="$(mktemp -d "$dest/.fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

download() { # url file
  echo "fetch-release: $1"
  curl --fail --silent --show-error --location --retry 3 --proto '=https,file' --output "$2" "$1" \
    || { echo "fetch-release: download failed: $1" >&2; exit 1; }
}
download "$base/$version/SHA256SUMS" "$tmp/SHA256SUMS"
download "$base/$version/$name" "$tmp/$name"

# Exactly one line for the file ("HASH  name" or "HASH *name"); sha256sum -c checks it.
awk -v n="$name" '$2 == n || $2 == "*" n' "$tmp/SHA256SUMS" > "$tmp/expected"
lines="$(wc -l < "$tmp/expected")"
[ "$lines" -eq 1 ] || { echo "fetch-release: SHA256SUMS of $version lists $name $lines times (expected once): refused" >&2; exit 1; }
if ! (cd "$tmp" && sha256sum --check --strict --quiet expected); then
  echo "fetch-release: $name does not match its SHA256SUMS entry: refused (nothing kept)" >&2
  exit 1
fi

manifest="$("$ROOT/.ci/function-manifest.sh" --check "$tmp/$name")" || { echo "fetch-release: $name is not a valid function zip: refused" >&2; exit 1; }
case "$manifest" in
  "{\"kind\":\"$kind\","*) ;;
  *) echo "fetch-release: $name contains $manifest, not a $kind build: refused" >&2; exit 1 ;;
esac
if [ "$kind" = native ] && [[ "$manifest" != *"[\"$arch\"]"* ]]; then
  echo "fetch-release: $name contains $manifest, not an $arch build: refused" >&2
  exit 1
fi

mv "$tmp/$name" "$dest/$name"
printf '%s,"sha256":"%s"}\n' "${manifest%\}}" "$(cut -d' ' -f1 "$tmp/expected")" > "$dest/$name.json"
echo "fetch-release: $dest/$name verified (sha256 $(cut -d' ' -f1 "$tmp/expected"))"
echo
echo "Deploy it with Terraform (terraform.tfvars or -var):"
echo "  function_zip_path = \"$dest/$name\""
echo "  runtime           = \"$kind\""
if [ "$kind" = native ]; then echo "  architecture      = \"$arch\""; fi
if [ -n "${repo:-}" ]; then
  echo "Provenance (GitHub CLI): gh attestation verify $dest/$name --repo $repo"
fi
