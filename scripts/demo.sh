#!/usr/bin/env bash
# The README's demo command: set up from scratch, build, run the examples app's main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.fluxion-pnpm/node_modules/.bin:$PATH" TURBO_TELEMETRY_DISABLED=1
bash scripts/bootstrap.sh
pnpm exec turbo run build --filter=@fluxion/examples... --output-logs=errors-only >&2
# Through node, not a package bin: a bin pointing into dist/ (absent at install time) made pnpm warn.
node apps/examples/dist/cli.js "$@"
