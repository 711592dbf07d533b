#!/usr/bin/env bash
# The explorer's headless-browser test: Debian's chromium driven by playwright-core.
# Installs chromium and the test's npm packages when missing, builds cgsim, starts
# `cgsim serve` on a free port of 127.0.0.1, runs crates/cli/web/tests/explorer.test.mjs,
# stops the server. Screenshots: crates/cli/web/tests/artefacts/. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v chromium >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
(cd crates/cli/web/tests && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; })

cargo build -q -p cgsim
log=$(mktemp)
"$root/target/debug/cgsim" serve --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=
for _ in $(seq 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log" || true)
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "cgsim serve did not start"; cat "$log"; exit 1; }
echo "cgsim serve at $url"
cd crates/cli/web/tests
CGSIM_URL="$url" node explorer.test.mjs
