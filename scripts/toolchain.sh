#!/usr/bin/env bash
# Source this file (or run `scripts/toolchain.sh <command>`) to get the project's toolchain:
# Node 22 (brought from the npm registry package for this platform when the machine's node is
# another major), first on PATH, with npm_config_nodedir pointing at its headers so native
# modules (better-sqlite3) build from source without downloading anything, and `yarn` running
# the Yarn release committed in .yarn/releases.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MAJOR=22

current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(current_major)" != "$NODE_MAJOR" ]; then
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "toolchain: unsupported OS $(uname -s)" >&2; exit 1 ;;
  esac
  case "$(uname -m)" in
    x86_64|amd64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) echo "toolchain: unsupported CPU $(uname -m)" >&2; exit 1 ;;
  esac
  pkg="node-$os-$arch"
  NODE_HOME="$ROOT/.toolchain/node_modules/$pkg"
  if [ ! -x "$NODE_HOME/bin/node" ]; then
    echo "toolchain: bringing Node $NODE_MAJOR ($pkg@$NODE_MAJOR) from the npm registry into .toolchain/" >&2
    mkdir -p "$ROOT/.toolchain"
    (cd "$ROOT/.toolchain" && npm install --no-save --no-audit --no-fund --loglevel=error --prefix . "$pkg@$NODE_MAJOR" >&2)
  fi
  export PATH="$NODE_HOME/bin:$PATH"
  export npm_config_nodedir="$NODE_HOME"
else
  NODE_HOME="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
  if [ -d "$NODE_HOME/include/node" ]; then export npm_config_nodedir="$NODE_HOME"; fi
fi

# `yarn` is always the release committed in the repository.
YARN_JS="$(ls "$ROOT"/.yarn/releases/yarn-*.cjs | head -1)"
mkdir -p "$ROOT/.toolchain/bin"
printf '#!/usr/bin/env bash\nexec node "%s" "$@"\n' "$YARN_JS" > "$ROOT/.toolchain/bin/yarn"
chmod +x "$ROOT/.toolchain/bin/yarn"
export PATH="$ROOT/.toolchain/bin:$PATH"
export YARN_ENABLE_TELEMETRY=0

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  cd "$ROOT"
  exec "$@"
fi
