#!/usr/bin/env bash
# `npm run bench:n8n-node`: the same benchmark, its measurements run on the Node that n8n 2.41 itself
# requires (24.x, from the runtime the end-to-end suite installs), rather than this machine's Node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_bin=$(bash "$here/../scripts/n8n-runtime.sh" --json | tail -n 1 | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).node')
OCTOPUSX_BENCH_NODE="$node_bin" npm run bench
