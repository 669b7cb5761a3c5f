#!/usr/bin/env bash
# Starts a Docker engine for the image build and the container test, unless one already answers.
# Debian's docker.io: dockerd as root with its own data root, overlay2 storage, bridge networking
# (so `-p host:container` publishing works). The daemon keeps running after this script exits;
# stop it with: kill "$(cat "$FACEMATCH_DOCKER_ROOT/dockerd.pid")"
set -euo pipefail

FACEMATCH_DOCKER_ROOT=${FACEMATCH_DOCKER_ROOT:-/var/lib/facematch-docker}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}

if docker info > /dev/null 2>&1; then
  echo "start-dockerd: a Docker engine already answers ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
  exit 0
fi
if ! command -v dockerd > /dev/null; then
  echo "start-dockerd: dockerd is not installed; on Debian: apt-get update && apt-get install -y docker.io" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "start-dockerd: dockerd must start as root (run this script with sudo), or point DOCKER_HOST at an engine" >&2
  exit 1
fi

mkdir -p "$FACEMATCH_DOCKER_ROOT"
log="$FACEMATCH_DOCKER_ROOT/dockerd.log"
echo "start-dockerd: starting dockerd (data root $FACEMATCH_DOCKER_ROOT, log $log)"
# setsid: the daemon must outlive this script and not receive the caller's terminal signals.
setsid dockerd \
  --data-root "$FACEMATCH_DOCKER_ROOT/data" \
  --exec-root "$FACEMATCH_DOCKER_ROOT/exec" \
  --pidfile "$FACEMATCH_DOCKER_ROOT/dockerd.pid" \
  --storage-driver overlay2 \
  --host unix:///var/run/docker.sock \
  > "$log" 2>&1 < /dev/null &

for _ in $(seq "$WAIT_SECONDS"); do
  if docker info > /dev/null 2>&1; then
    echo "start-dockerd: ready ($(docker info --format '{{.ServerVersion}}, {{.Driver}}'))"
    exit 0
  fi
  if ! kill -0 $! 2> /dev/null; then
    echo "start-dockerd: dockerd exited; the end of its log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  sleep 1
done
echo "start-dockerd: dockerd did not answer within ${WAIT_SECONDS}s; the end of its log:" >&2
tail -n 20 "$log" >&2
exit 1
