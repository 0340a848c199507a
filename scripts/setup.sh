#!/usr/bin/env bash
# Everything a fresh Debian machine with Node 20.19+ needs to build, test and run the demos:
# pnpm 12.4.2 (via npm), redis-server and chromium (via apt, when missing), then the workspace install.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pnpm="12.4.2"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null)" != "$need_pnpm" ]; then
  echo "setup: installing pnpm $need_pnpm with npm"
  npm install -g "pnpm@$need_pnpm" --no-fund --no-audit --loglevel=error
fi

missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} (Debian packages) — needed by the integration tests" >&2
  fi
fi

export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install --frozen-lockfile --prefer-offline
fi
