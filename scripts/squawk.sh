#!/usr/bin/env bash
# Lint the PostgreSQL upgrade script: `flask db upgrade --sql` (offline, no database needed) | squawk.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp --suffix=.sql)
DATABASE_URL=${SQUAWK_DATABASE_URL:-postgresql://postgres@127.0.0.1/franko} FLASK_DEBUG=1 \
  .venv/bin/flask --app app db upgrade --sql >"$out" 2>/dev/null
.venv/bin/squawk --config .squawk.toml "$out"
