#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite against a real PostgreSQL
# (the embedded server in var/, or DATABASE_URL) and Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
