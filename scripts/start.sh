#!/usr/bin/env bash
# Installs everything the portal needs (Node 22 and Yarn from the repository's own toolchain
# script) and starts it: frontend on http://localhost:3000, backend on http://localhost:7007.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
yarn install --immutable
exec yarn start "$@"
