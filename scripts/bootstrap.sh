#!/usr/bin/env bash
# Installs what the repo needs on a machine with only Node 20 and npm: pnpm (pinned), then packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  echo "installing pnpm $want" >&2
  npm install -g "pnpm@$want" >/dev/null 2>&1 || npm install --prefix "$HOME/.fluxion-pnpm" "pnpm@$want" >/dev/null
  export PATH="$HOME/.fluxion-pnpm/node_modules/.bin:$PATH" # if the global install was refused
fi
pnpm install --frozen-lockfile --reporter=append-only >&2
