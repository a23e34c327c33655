#!/usr/bin/env bash
# Install Kechuang into .venv and run it on SQLite with demo data at http://127.0.0.1:8000/
# Usage: bash scripts/quickstart.sh [--addr HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e .
exec kechuang serve --demo "$@"
