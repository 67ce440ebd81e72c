#!/usr/bin/env bash
# The ingest-only subset of benches/compare.sh (firebell on SQLite and PostgreSQL, and the
# parse-only ceiling), kept so existing instructions keep working. Same knobs as compare.sh.
SCENARIOS="${SCENARIOS:-sqlite postgres parse-only}" exec bash "$(dirname "$0")/compare.sh" "$@"
