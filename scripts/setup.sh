#!/usr/bin/env bash
# Install Vigil into .venv (Python 3.11) with its front-end libraries. Safe to run again.
#   scripts/setup.sh          what running Vigil needs
#   scripts/setup.sh --test   plus what the test suite needs (pytest, Playwright, Debian's Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "Vigil needs Python 3.11 (found $("$PY" --version))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
  if [ ! -x /usr/bin/chromium ]; then
    echo "Installing Debian's chromium for the browser tests" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  if ! command -v java >/dev/null; then
    echo "Installing Debian's Java runtime for the Spark tests" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
if command -v npm >/dev/null; then
  npm ci --no-audit --no-fund --silent
else
  echo "npm not found: the workspace works without htmx, but install Node.js for the full interface" >&2
fi
