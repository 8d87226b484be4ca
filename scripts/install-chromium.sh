#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (/usr/bin/chromium) through playwright-core. Installs it
# when missing (as root, or with passwordless sudo); otherwise says how, and the browser tests fail
# with the same advice.
set -uo pipefail
[ -x "${FLUXION_CHROMIUM:-/usr/bin/chromium}" ] && exit 0
if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "Chromium is missing: run 'apt-get install -y chromium' as root for the browser tests" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -q chromium >/tmp/fluxion-apt.log 2>&1 ||
  { "${as_root[@]}" apt-get update -q >>/tmp/fluxion-apt.log 2>&1 && "${as_root[@]}" apt-get install -y -q chromium >>/tmp/fluxion-apt.log 2>&1; } ||
  { echo "apt-get install chromium failed (see /tmp/fluxion-apt.log)" >&2; exit 1; }
