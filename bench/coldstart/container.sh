#!/usr/bin/env bash
# Cold start of the Docker image: from `docker run` to the first 200 on /readyz through the
# published port, and the container's memory then (docker stats), median of N runs.
#   [DOCKER_RUN_ARGS=...] bench/coldstart/container.sh [image] [runs]     (defaults: facematch-mock, 5)
set -euo pipefail
image=${1:-facematch-mock}
runs=${2:-5}
port=${PORT:-18999}
ms=()
mem=()
for i in $(seq "$runs"); do
  name="facematch-coldstart-$$-$i"
  start=$(date +%s%N)
  # shellcheck disable=SC2086 # DOCKER_RUN_ARGS: extra docker run options, e.g. "-e NODE_DISABLE_COMPILE_CACHE=1"
  docker run --detach --rm --name "$name" -p "127.0.0.1:$port:8080" ${DOCKER_RUN_ARGS:-} "$image" > /dev/null
  until [ "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do
    sleep 0.01
    if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 60000 ]; then echo "not ready after 60 s" >&2; docker logs "$name" >&2; exit 1; fi
  done
  ms+=($(( ($(date +%s%N) - start) / 1000000 )))
  mem+=("$(docker stats --no-stream --format '{{.MemUsage}}' "$name" | cut -d/ -f1 | tr -d ' ')")
  docker stop "$name" > /dev/null
  echo "run $i: ${ms[-1]} ms to ready, ${mem[-1]}" >&2
done
median_ms=$(printf '%s\n' "${ms[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "$image: median ${median_ms} ms from docker run to the first 200 on /readyz (runs: ${ms[*]}); memory ${mem[*]};" \
  "$(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
