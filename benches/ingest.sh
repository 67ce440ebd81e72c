#!/usr/bin/env bash
# Ingest load benchmark for POST /v2/enqueue: firebell on SQLite, firebell on PostgreSQL, and the
# parse-only ceiling, each at 1, 16 and 64 closed-loop connections with distinct and repeated
# dedup keys; plus firebell's idle RSS. See benches/README.md for how to read the output.
#
# Knobs (environment): SECONDS_PER_RUN (5), CONNECTIONS ("1 16 64"), KEY_MODES ("distinct
# repeated"), SCENARIOS ("sqlite postgres parse-only"), DATABASE_URL
# (postgres://postgres@127.0.0.1:5432/test), RUST_LOG (firebell's default when unset).
#
# Everything listens on 127.0.0.1 only; every process this script starts is stopped by PID on
# exit, and its temporary directory is removed.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${SECONDS_PER_RUN:-5}"
CONNECTIONS="${CONNECTIONS:-1 16 64}"
KEY_MODES="${KEY_MODES:-distinct repeated}"
SCENARIOS="${SCENARIOS:-sqlite postgres parse-only}"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
FIREBELL_ADDR="127.0.0.1:18080"
CEILING_ADDR="127.0.0.1:18090"
ROUTING_KEY="benchkey000000000000000000000001" # 32 characters, like a PagerDuty integration key
FIREBELL=target/release/firebell
LOADGEN=target/release/loadgen

TMP="$(mktemp -d "${TMPDIR:-/tmp}/firebell-bench.XXXXXX")"
RESULTS="$TMP/results.txt"
: >"$RESULTS"
SERVER_PID=""
SCHEMA=""
IDLE_RSS="not measured"

log() { printf '== %s\n' "$*" >&2; }

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "PID $SERVER_PID did not stop within 10 s of SIGTERM; sending SIGKILL"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

drop_schema() {
  [ -n "$SCHEMA" ] || return 0
  psql "$DATABASE_URL" -Atqc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  SCHEMA=""
}

cleanup() {
  stop_server
  drop_schema
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits for GET /healthz on $1 while the server (SERVER_PID) is alive; $2 is its log.
wait_healthy() {
  for _ in $(seq 1 300); do
    if curl -fsS --max-time 1 "http://$1/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "the server exited before becoming healthy; last log lines:"
      tail -n 20 "$2" >&2
      return 1
    fi
    sleep 0.1
  done
  log "no healthy answer from http://$1/healthz within 30 s"
  return 1
}

port_free() {
  if curl -s --max-time 1 -o /dev/null "http://$1/"; then
    log "something already listens on $1; stop it or change the port in $0"
    exit 1
  fi
}

write_config() {
  cat >"$TMP/bench.toml" <<'EOF'
# Written by benches/ingest.sh: one service, throttling effectively off.
[console]
user = "bench"

[api]
tokens = [{ name = "bench", token = "bench-token-0123456789" }]

[rooms.bench]

[users.bench]
name = "Bench User"

[services.bench]
description = "Load benchmark target"
integration_keys = ["benchkey000000000000000000000001"]
room = "bench"
events_per_minute = 100000000
EOF
  "$FIREBELL" check --config "$TMP/bench.toml" >&2
}

start_firebell() { # $1 database URL, $2 log file
  port_free "$FIREBELL_ADDR"
  "$FIREBELL" serve --config "$TMP/bench.toml" --database-url "$1" \
    --listen "$FIREBELL_ADDR" --no-console </dev/null >"$2" 2>&1 &
  SERVER_PID=$!
  wait_healthy "$FIREBELL_ADDR" "$2"
}

start_ceiling() { # $1 log file
  port_free "$CEILING_ADDR"
  "$LOADGEN" parse-only --listen "$CEILING_ADDR" --max-seconds 3600 </dev/null >"$1" 2>&1 &
  SERVER_PID=$!
  wait_healthy "$CEILING_ADDR" "$1"
}

# One loadgen run per connection count against $2 (address); $1 scenario, $3 key mode.
load_series() {
  local scenario=$1 addr=$2 keys=$3 conns line rc
  for conns in $CONNECTIONS; do
    rc=0
    line="$("$LOADGEN" run --url "http://$addr/v2/enqueue" --connections "$conns" \
      --seconds "$SECONDS_PER_RUN" --keys "$keys" --routing-key "$ROUTING_KEY" \
      --label "$scenario")" || rc=$?
    if [ -z "$line" ]; then
      line="scenario=$scenario keys=$keys conns=$conns FAILED exit=$rc"
    fi
    echo "$line"
    echo "$line" >>"$RESULTS"
  done
}

measure_idle_rss() {
  sleep 2
  IDLE_RSS="$(awk '/^VmRSS:/ { print $2 " " $3 }' "/proc/$SERVER_PID/status")"
  log "firebell idle RSS on SQLite after startup: $IDLE_RSS"
}

run_sqlite() {
  local keys
  for keys in $KEY_MODES; do
    log "sqlite, keys=$keys (fresh database)"
    start_firebell "sqlite://$TMP/bench-$keys.db" "$TMP/firebell-sqlite-$keys.log"
    if [ "$IDLE_RSS" = "not measured" ]; then measure_idle_rss; fi
    load_series sqlite "$FIREBELL_ADDR" "$keys"
    stop_server
  done
}

run_postgres() {
  local keys sep url
  if ! psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; then
    log "PostgreSQL unreachable at $DATABASE_URL: postgres scenario skipped"
    echo "scenario=postgres SKIPPED unreachable" >>"$RESULTS"
    return 0
  fi
  case "$DATABASE_URL" in *\?*) sep="&" ;; *) sep="?" ;; esac
  for keys in $KEY_MODES; do
    SCHEMA="fb_bench_$$_$keys"
    log "postgres, keys=$keys (fresh schema $SCHEMA)"
    psql "$DATABASE_URL" -Atqc "CREATE SCHEMA $SCHEMA" >/dev/null
    url="${DATABASE_URL}${sep}options=-csearch_path%3D$SCHEMA"
    start_firebell "$url" "$TMP/firebell-postgres-$keys.log"
    load_series postgres "$FIREBELL_ADDR" "$keys"
    stop_server
    drop_schema
  done
}

run_ceiling() {
  local keys
  log "parse-only ceiling (no database)"
  start_ceiling "$TMP/ceiling.log"
  for keys in $KEY_MODES; do
    load_series parse-only "$CEILING_ADDR" "$keys"
  done
  stop_server
}

summary() {
  echo
  echo "Summary (${SECONDS_PER_RUN} s measured per row after a 1 s warm-up; $(nproc) CPUs shared by server and load generator)"
  {
    echo "scenario keys conns requests errors throughput p50 p99 max"
    awk '{
      delete f
      for (i = 1; i <= NF; i++) { n = index($i, "="); if (n) f[substr($i, 1, n - 1)] = substr($i, n + 1) }
      if ("throughput" in f)
        print f["scenario"], f["keys"], f["conns"], f["requests"], f["errors"], f["throughput"], f["p50"], f["p99"], f["max"]
      else
        print $0
    }' "$RESULTS"
  } | column -t
  echo "firebell idle RSS (SQLite, after startup): $IDLE_RSS"
  echo "load average before: $LOAD_BEFORE"
  echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)'), load average $LOAD_BEFORE"
log "building release binaries"
cargo build --release -j2 -p firebell -p firebell-benches
write_config

for scenario in $SCENARIOS; do
  case "$scenario" in
    sqlite) run_sqlite ;;
    postgres) run_postgres ;;
    parse-only) run_ceiling ;;
    *) log "unknown scenario $scenario (sqlite, postgres, parse-only)"; exit 1 ;;
  esac
done

summary
