#!/usr/bin/env bash
# Installs libchdb.so (the ClickHouse engine) from its npm package, pinned by
# version and checked against a known sha1 of the package tarball.
set -euo pipefail
pkg=$1 version=$2 sha1=$3 dest=$4

command -v npm >/dev/null || { echo "install-engine: npm is required (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The tarball's address comes from npm's own registry configuration; curl
# shows the download's progress (npm pack shows none), npm pack is the
# fallback.
url=$(npm view "$pkg@$version" dist.tarball 2>/dev/null || true)
echo "install-engine: fetching $pkg@$version (~180 MB download, ~540 MB unpacked; only the first time, kept in $dest)"
if [ -n "$url" ] && command -v curl >/dev/null; then
  tarball=engine.tgz
  curl --fail --location --progress-bar --output "$tmp/$tarball" "$url"
else
  tarball=$(cd "$tmp" && npm pack --silent "$pkg@$version")
fi
got=$(sha1sum "$tmp/$tarball" | cut -d' ' -f1)
if [ "$got" != "$sha1" ]; then
  echo "install-engine: checksum mismatch for $pkg@$version: got $got, want $sha1" >&2
  exit 1
fi
mkdir -p "$dest"
tar -xzf "$tmp/$tarball" -C "$tmp" package/libchdb.so
mv "$tmp/package/libchdb.so" "$dest/libchdb.so.tmp"
mv "$dest/libchdb.so.tmp" "$dest/libchdb.so"
echo "$pkg@$version" > "$dest/VERSION"
echo "install-engine: installed $dest/libchdb.so"
