#!/usr/bin/env bash
# The queue tests of @fluxion/evolve start a real Debian redis-server on 127.0.0.1. Installs it
# when missing (as root, or with passwordless sudo); otherwise says how, and those tests skip
# with the same advice.
set -uo pipefail
command -v "${FLUXION_REDIS_SERVER:-redis-server}" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "redis-server is missing: run 'apt-get install -y redis-server' as root for the queue tests" >&2
  exit 1
fi
echo "installing Debian's redis-server for the queue tests" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -q redis-server >/tmp/fluxion-apt-redis.log 2>&1 ||
  { "${as_root[@]}" apt-get update -q >>/tmp/fluxion-apt-redis.log 2>&1 && "${as_root[@]}" apt-get install -y -q redis-server >>/tmp/fluxion-apt-redis.log 2>&1; } ||
  { echo "apt-get install redis-server failed (see /tmp/fluxion-apt-redis.log)" >&2; exit 1; }
