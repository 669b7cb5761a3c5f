#!/usr/bin/env bash
# Builds the project image (default tag facematch-mock) with BuildKit, passing npm an extra CA as a
# build secret when one is configured (NPM_CA_FILE, else NODE_EXTRA_CA_CERTS): what builds behind a
# TLS-inspecting proxy need, without the certificate ever landing in a layer.
#   scripts/docker-build.sh [tag] [extra docker build args...]
# The base image must exist: the official node:24-bookworm-slim, or scripts/docker-base.sh's stand-in.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${1:-facematch-mock}
shift || true
ca=${NPM_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}

# BuildKit is needed for the secret mount. Docker >= 23 uses it through the buildx plugin; Debian's
# docker.io 20.10 CLI has it built in (DOCKER_BUILDKIT=1). A newer CLI without buildx has neither.
docker_cli=""
for candidate in docker /usr/bin/docker; do
  command -v "$candidate" > /dev/null || continue
  if "$candidate" buildx version > /dev/null 2>&1; then docker_cli=$candidate; break; fi
  major=$("$candidate" version --format '{{.Client.Version}}' 2> /dev/null | cut -d. -f1 || true)
  if [ -n "$major" ] && [ "$major" -lt 23 ] 2> /dev/null; then docker_cli=$candidate; break; fi
done
if [ -z "$docker_cli" ]; then
  echo "docker-build: no Docker CLI here can build with BuildKit: install the buildx plugin (docker-buildx)" >&2
  exit 1
fi

secret=()
if [ -n "$ca" ]; then
  [ -r "$ca" ] || { echo "docker-build: the CA file $ca is not readable" >&2; exit 1; }
  secret=(--secret "id=npm_ca,src=$ca")
  echo "docker-build: npm in the build trusts the extra CA $ca (as a build secret)"
fi
started=$(date +%s)
DOCKER_BUILDKIT=1 "$docker_cli" build --progress=plain "${secret[@]}" -t "$tag" "$@" .
echo "docker-build: $tag built in $(($(date +%s) - started)) s," \
  "$(docker image inspect "$tag" --format '{{.Size}}' | awk '{printf "%d MB", $1 / 1e6}')"
