#!/usr/bin/env bash
# The one test command (README, CI): lint, type check, build, then every test.
# Installs the system packages the tests need when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh chromium mosquitto
[ -d node_modules ] || npm install --no-audit --no-fund
npx biome check .
npx tsc -p tsconfig.json --noEmit
npx tsc -p web/tsconfig.json --noEmit && npx biome check --config-path web/lint/biome-web.json web  # the dashboard (DOM, JSX)
npm run build --silent
node scripts/run-tests.mjs "$@"
