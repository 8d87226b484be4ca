#!/usr/bin/env bash
# The README's test command: set up from scratch, run every package's tests through turbo, and
# print one "N passed, N failed" line summed from the packages' jest JSON results.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.fluxion-pnpm/node_modules/.bin:$PATH" TURBO_TELEMETRY_DISABLED=1
bash scripts/bootstrap.sh || exit 1
bash scripts/install-chromium.sh # browser tests report it themselves if this fails
find packages apps -maxdepth 2 -name jest-results.json -not -path '*/node_modules/*' -delete 2>/dev/null
pnpm exec tsc -b || { echo "type-check failed"; typecheck_failed=1; }
pnpm exec turbo run lint test --continue --output-logs=errors-only
status=$?
node scripts/test-summary.mjs || status=1
[ "${typecheck_failed:-0}" = 1 ] && status=1
exit $status
