#!/usr/bin/env bash
# Side-by-side ingest benchmark: Prometheus Alertmanager 0.25 (POST /api/v2/alerts), firebell on
# SQLite, on PostgreSQL and as two replicas on one PostgreSQL schema (POST /v2/enqueue), and the
# parse-only ceiling; the same alerts, keys and connection counts, each row on a fresh store.
# Plus a storm row (throughput per window over a long distinct-key run), a first-page row (how
# long after sending an alert it shows up in Slack, at a fixed rate) and firebell's idle RSS.
# See benches/README.md for what each column means.
#
# Knobs (environment):
#   SCENARIOS        "alertmanager sqlite postgres replicas parse-only storm first-page"
#   KEY_MODES        "distinct one keys100"          CONNECTIONS "1 16 64"
#   SECONDS_PER_RUN  20 (measured, after 1 s of warm-up)
#   STORM_SECONDS    120, STORM_WINDOW 20 (seconds per throughput window)
#   FIRST_PAGE_RATE  1000 (alerts/s), FIRST_PAGE_DRAIN 10 (s to let posts arrive after the run)
#   FIREBELL, LOADGEN  binaries to use (then nothing is built); default: build release
#   ALERTMANAGER     prometheus-alertmanager;  DATABASE_URL postgres://postgres@127.0.0.1:5432/test
#   RUST_LOG         firebell's log filter (its default when unset)
#
# Everything listens on 127.0.0.1 only; every process this script starts is stopped by PID on
# exit, its temporary directory removed and its PostgreSQL schemas dropped.
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIOS="${SCENARIOS:-alertmanager sqlite postgres replicas parse-only storm first-page}"
KEY_MODES="${KEY_MODES:-distinct one keys100}"
CONNECTIONS="${CONNECTIONS:-1 16 64}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-20}"
STORM_SECONDS="${STORM_SECONDS:-120}"
STORM_WINDOW="${STORM_WINDOW:-20}"
FIRST_PAGE_RATE="${FIRST_PAGE_RATE:-1000}"
FIRST_PAGE_DRAIN="${FIRST_PAGE_DRAIN:-10}"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
ALERTMANAGER="${ALERTMANAGER:-prometheus-alertmanager}"
RELEASE_DIR="${CARGO_TARGET_DIR:-target}/release"

FIREBELL_ADDR="127.0.0.1:18080"
REPLICA_ADDR="127.0.0.1:18081"
CEILING_ADDR="127.0.0.1:18090"
AM_ADDR="127.0.0.1:18093"
SLACK_ADDR="127.0.0.1:18095"
ROUTING_KEY="benchkey000000000000000000000001" # 32 characters, like a PagerDuty integration key
CLK_TCK="$(getconf CLK_TCK)"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/firebell-compare.XXXXXX")"
RESULTS="$TMP/results.txt"
: >"$RESULTS"
declare -A PID=()  # role -> PID of every process we started and have not stopped yet
SCHEMA=""
IDLE_RSS="not measured"
ROW=0

log() { printf '== %s\n' "$*" >&2; }

# --- processes ---------------------------------------------------------------------------------

# start ROLE LOG CMD...: runs CMD in the background, remembered as ROLE.
start() {
  local role=$1 logfile=$2
  shift 2
  "$@" </dev/null >"$logfile" 2>&1 &
  PID[$role]=$!
}

stop() { # ROLE: SIGTERM, up to 10 s, then SIGKILL
  local role=$1 pid=${PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$role (PID $pid) did not stop within 10 s of SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  unset "PID[$role]"
}

drop_schema() {
  [ -n "$SCHEMA" ] || return 0
  psql "$DATABASE_URL" -Atqc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  SCHEMA=""
}

cleanup() {
  local role
  for role in "${!PID[@]}"; do stop "$role"; done
  drop_schema
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_ready ROLE URL LOG: until URL answers 2xx while ROLE is alive.
wait_ready() {
  for _ in $(seq 1 300); do
    if curl -fsS --max-time 1 -o /dev/null "$2" 2>/dev/null; then return 0; fi
    if ! kill -0 "${PID[$1]}" 2>/dev/null; then
      log "$1 exited before becoming ready; last log lines:"
      tail -n 20 "$3" >&2
      return 1
    fi
    sleep 0.1
  done
  log "$1: no answer from $2 within 30 s"
  return 1
}

port_free() {
  if curl -s --max-time 1 -o /dev/null "http://$1/"; then
    log "something already listens on $1; stop it or change the port in $0"
    exit 1
  fi
}

# --- the servers -------------------------------------------------------------------------------

start_fake_slack() {
  port_free "$SLACK_ADDR"
  start slack "$TMP/slack-$ROW.log" "$LOADGEN" fake-slack --listen "$SLACK_ADDR" \
    --min-ms 50 --max-ms 200
  wait_ready slack "http://$SLACK_ADDR/healthz" "$TMP/slack-$ROW.log"
}

# start_firebell ROLE ADDR DATABASE_URL
start_firebell() {
  local logfile="$TMP/$1-$ROW.log"
  port_free "$2"
  start "$1" "$logfile" env -u FIREBELL_SLACK_APP_TOKEN -u FIREBELL_DISCORD_TOKEN \
    FIREBELL_SLACK_BOT_TOKEN=xoxb-0000000000-bench FIREBELL_SLACK_SIGNING_SECRET=bench-signing-secret \
    FIREBELL_BENCH_WEBHOOK_SECRET=bench-webhook-secret-0123456789 \
    "$FIREBELL" serve --config "$TMP/firebell.toml" --database-url "$3" --listen "$2" --no-console
  wait_ready "$1" "http://$2/healthz" "$logfile"
}

start_alertmanager() {
  port_free "$AM_ADDR"
  start am "$TMP/am-$ROW.log" "$ALERTMANAGER" --config.file="$TMP/alertmanager.yml" \
    --storage.path="$TMP/am-data-$ROW" --cluster.listen-address= \
    --web.listen-address="$AM_ADDR" --log.level=warn
  wait_ready am "http://$AM_ADDR/-/ready" "$TMP/am-$ROW.log"
}

start_ceiling() {
  port_free "$CEILING_ADDR"
  start ceiling "$TMP/ceiling-$ROW.log" "$LOADGEN" parse-only --listen "$CEILING_ADDR"
  wait_ready ceiling "http://$CEILING_ADDR/healthz" "$TMP/ceiling-$ROW.log"
}

# A fresh schema for this row (SCHEMA, dropped by stop_scenario) and the URL that selects it
# (PG_URL).
fresh_schema() {
  local sep
  SCHEMA="fb_compare_$$_$ROW"
  psql "$DATABASE_URL" -Atqc "CREATE SCHEMA $SCHEMA" >/dev/null
  case "$DATABASE_URL" in *\?*) sep="&" ;; *) sep="?" ;; esac
  PG_URL="${DATABASE_URL}${sep}options=-csearch_path%3D$SCHEMA"
}

postgres_reachable() {
  psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1
}

# Starts SCENARIO's server(s) on a fresh store and sets URLS, FORMAT, SERVERS (the roles whose
# CPU and memory count), USES_PG and USES_SLACK.
start_scenario() {
  URLS=() FORMAT=pager-duty SERVERS=() USES_PG=0 USES_SLACK=0
  case "$1" in
    alertmanager)
      start_alertmanager
      URLS=("http://$AM_ADDR/api/v2/alerts") FORMAT=alertmanager SERVERS=(am) ;;
    sqlite | storm | first-page)
      start_fake_slack
      start_firebell firebell "$FIREBELL_ADDR" "sqlite://$TMP/row-$ROW.db"
      URLS=("http://$FIREBELL_ADDR/v2/enqueue") SERVERS=(firebell) USES_SLACK=1 ;;
    postgres)
      fresh_schema
      start_fake_slack
      start_firebell firebell "$FIREBELL_ADDR" "$PG_URL"
      URLS=("http://$FIREBELL_ADDR/v2/enqueue") SERVERS=(firebell) USES_PG=1 USES_SLACK=1 ;;
    replicas)
      fresh_schema
      start_fake_slack
      # One after the other: the first applies the migrations.
      start_firebell firebell "$FIREBELL_ADDR" "$PG_URL"
      start_firebell replica "$REPLICA_ADDR" "$PG_URL"
      URLS=("http://$FIREBELL_ADDR/v2/enqueue" "http://$REPLICA_ADDR/v2/enqueue")
      SERVERS=(firebell replica) USES_PG=1 USES_SLACK=1 ;;
    parse-only)
      start_ceiling
      URLS=("http://$CEILING_ADDR/v2/enqueue") SERVERS=(ceiling) ;;
  esac
}

stop_scenario() {
  local role
  for role in "${SERVERS[@]}"; do stop "$role"; done
  stop slack
  drop_schema
}

# --- what a row measures ------------------------------------------------------------------------

# ticks PID...: user + system CPU ticks of the processes (those still there).
ticks() {
  local p rest total=0 f
  for p in "$@"; do
    rest="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)" || continue
    read -r -a f <<<"$rest"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# "PID TICKS" for every PostgreSQL server process.
pg_snapshot() {
  local p
  for p in $(pgrep -u postgres || true); do echo "$p $(ticks "$p")"; done
}

# peak_rss ROLE...: the largest VmHWM of the processes, in MB.
peak_rss() {
  local role kb max=0
  for role in "$@"; do
    kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/${PID[$role]}/status")"
    [ "$kb" -gt "$max" ] && max=$kb
  done
  awk -v kb="$max" 'BEGIN { printf "%.1fMB", kb / 1024 }'
}

us_per_event() { # TICKS ACCEPTED
  awk -v t="$1" -v n="$2" -v hz="$CLK_TCK" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'
}

field() { # LINE KEY: the value of KEY=… in LINE
  tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print substr($0, length(k) + 2); exit }'
}

# run_row SCENARIO KEYS CONNS [extra loadgen args…]: one row on a fresh server; prints its line.
run_row() {
  local scenario=$1 keys=$2 conns=$3 seconds=$SECONDS_PER_RUN line rc=0 pids=() role
  shift 3
  ROW=$((ROW + 1))
  log "$scenario keys=$keys conns=$conns (fresh store)"
  start_scenario "$scenario"
  for role in "${SERVERS[@]}"; do pids+=("${PID[$role]}"); done
  if [ "$IDLE_RSS" = "not measured" ] && [ "$scenario" = sqlite ]; then
    sleep 2
    IDLE_RSS="$(awk '/^VmRSS:/ { printf "%.1fMB", $2 / 1024 }' "/proc/${PID[firebell]}/status")"
    log "firebell idle RSS on SQLite, 2 s after healthy: $IDLE_RSS"
  fi
  [ "$scenario" = storm ] && seconds=$STORM_SECONDS
  local url_args=() url
  for url in "${URLS[@]}"; do url_args+=(--url "$url"); done
  local cpu_before pg_before="$TMP/pg-before" pg_after="$TMP/pg-after"
  cpu_before="$(ticks "${pids[@]}")"
  [ "$USES_PG" = 1 ] && pg_snapshot >"$pg_before"
  line="$("$LOADGEN" run "${url_args[@]}" --format "$FORMAT" --connections "$conns" \
    --seconds "$seconds" --keys "$keys" --routing-key "$ROUTING_KEY" --label "$scenario" "$@" \
    2>"$TMP/loadgen-$ROW.err")" || rc=$?
  local cpu_after pg_us=- accepted
  cpu_after="$(ticks "${pids[@]}")"
  if [ "$USES_PG" = 1 ]; then
    pg_snapshot >"$pg_after"
    accepted="$(field "$line" accepted_all)"
    pg_us="$(us_per_event "$(awk 'NR == FNR { b[$1] = $2; next } { d += $2 - ($1 in b ? b[$1] : 0) } END { print d + 0 }' "$pg_before" "$pg_after")" "${accepted:-0}")"
  fi
  local rss
  rss="$(peak_rss "${SERVERS[@]}")"
  if [ "$scenario" = first-page ]; then
    log "letting queued chat posts arrive for ${FIRST_PAGE_DRAIN} s"
    sleep "$FIRST_PAGE_DRAIN"
  fi
  if [ -s "$TMP/loadgen-$ROW.err" ]; then sed 's/^/   loadgen: /' "$TMP/loadgen-$ROW.err" >&2; fi
  stop_scenario
  report_log_errors
  if [ -z "$line" ]; then line="scenario=$scenario keys=$keys conns=$conns FAILED exit=$rc"; fi
  accepted="$(field "$line" accepted_all)"
  line="$line cpu_us=$(us_per_event "$((cpu_after - cpu_before))" "${accepted:-0}") pg_us=$pg_us rss=$rss"
  if [ "$USES_SLACK" = 1 ]; then
    local slack
    slack="$(grep -h '^fake-slack summary:' "$TMP/slack-$ROW.log" | sed 's/^fake-slack summary: //')"
    grep -h '^fake-slack calls:' "$TMP/slack-$ROW.log" | sed 's/^/   /' >&2 || true
    line="$line ${slack:-posts=? hooks=?}"
  fi
  echo "$line"
  echo "$line" >>"$RESULTS"
}

# Warnings and errors in this row's firebell logs, counted, with a few samples.
report_log_errors() {
  local f n
  for f in "$TMP"/firebell-"$ROW".log "$TMP"/replica-"$ROW".log; do
    [ -f "$f" ] || continue
    n="$(grep -cE ' (WARN|ERROR) ' "$f" || true)"
    if [ "$n" -gt 0 ]; then
      log "$(basename "$f"): $n WARN/ERROR lines, e.g.:"
      grep -E ' (WARN|ERROR) ' "$f" | sort | uniq -c | sort -rn | head -n 3 | cut -c1-300 >&2
    fi
  done
}

# --- setup ----------------------------------------------------------------------------------------

install_missing() {
  local missing=() sudo=""
  command -v "$ALERTMANAGER" >/dev/null || missing+=(prometheus-alertmanager)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  command -v column >/dev/null || missing+=(bsdextrautils)
  [ "${#missing[@]}" -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || sudo=sudo
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y "${missing[@]}"
}

build() {
  local packages=()
  [ -n "${FIREBELL:-}" ] || packages+=(-p firebell)
  [ -n "${LOADGEN:-}" ] || packages+=(-p firebell-benches)
  FIREBELL="${FIREBELL:-$RELEASE_DIR/firebell}"
  LOADGEN="${LOADGEN:-$RELEASE_DIR/loadgen}"
  if [ "${#packages[@]}" -gt 0 ]; then
    log "building release: ${packages[*]}"
    cargo build --release -j2 "${packages[@]}"
  fi
}

write_configs() {
  cat >"$TMP/firebell.toml" <<EOF
# Written by benches/compare.sh: a small team's setup, paging in Slack (a fake one, answering in
# 50-200 ms) with a webhook subscription, so each event does its real notification work.
[api]
tokens = [{ name = "bench", token = "bench-token-0123456789" }]

[slack]
mode = "events"
api_url = "http://$SLACK_ADDR/api"

[rooms.checkout]
slack = "C0BENCH0001"

# Phones and emails are kept; with no SMS, voice or SMTP provider here, paging is chat only.
[users.alice]
name = "Alice Adams"
timezone = "Europe/Berlin"
slack = "U0ALICE001"
phone = "+14155550101"
email = "alice@example.com"
notify.high = { chat = 0 }

[users.bob]
name = "Bob Brown"
timezone = "America/New_York"
slack = "U0BOB00001"
phone = "+14155550102"
email = "bob@example.com"
notify.high = { chat = 0 }

[users.carol]
name = "Carol Chen"
timezone = "Europe/Berlin"
slack = "U0CAROL001"
phone = "+14155550103"
email = "carol@example.com"
notify.high = { chat = 0 }

[schedules.primary]
timezone = "Europe/Berlin"

[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1w"
start = "2026-03-02T09:00"

[escalation_policies.checkout]
levels = [
  { targets = ["schedule:primary"], delay_minutes = 15 },
  { targets = ["user:carol"], delay_minutes = 30 },
]

[services.checkout]
description = "Checkout API"
integration_keys = ["$ROUTING_KEY"]
room = "checkout"
escalation_policy = "checkout"
events_per_minute = 100000000

[webhooks.sink]
url = "http://$SLACK_ADDR/hook"
secret_env = "FIREBELL_BENCH_WEBHOOK_SECRET"
EOF
  env -u FIREBELL_SLACK_APP_TOKEN FIREBELL_SLACK_BOT_TOKEN=xoxb-0000000000-bench \
    FIREBELL_SLACK_SIGNING_SECRET=bench-signing-secret \
    FIREBELL_BENCH_WEBHOOK_SECRET=bench-webhook-secret-0123456789 \
    "$FIREBELL" check --config "$TMP/firebell.toml" >&2
  cat >"$TMP/alertmanager.yml" <<'EOF'
# Written by benches/compare.sh: group as a typical setup does, deliver nowhere.
route:
  receiver: "null"
  group_by: ["alertname", "service"]
receivers:
  - name: "null"
EOF
}

# --- the runs ----------------------------------------------------------------------------------

run_grid() { # SCENARIO: every key mode at every connection count
  local keys conns
  for keys in $KEY_MODES; do
    for conns in $CONNECTIONS; do run_row "$1" "$keys" "$conns"; done
  done
}

run_scenario() {
  case "$1" in
    alertmanager | sqlite | parse-only) run_grid "$1" ;;
    postgres | replicas)
      if postgres_reachable; then run_grid "$1"; else
        log "PostgreSQL unreachable at $DATABASE_URL: $1 skipped"
        echo "scenario=$1 SKIPPED unreachable" >>"$RESULTS"
      fi ;;
    storm)
      local window=$STORM_WINDOW
      if [ "$STORM_SECONDS" -lt $((2 * window)) ]; then window=$(((STORM_SECONDS + 1) / 2)); fi
      run_row storm distinct 64 --windows "$window" ;;
    first-page) run_row first-page distinct 16 --rate "$FIRST_PAGE_RATE" --stamp ;;
    *) log "unknown scenario $1 (alertmanager sqlite postgres replicas parse-only storm first-page)"
       exit 1 ;;
  esac
}

# --- the report --------------------------------------------------------------------------------

# Table rows, whitespace-separated, from the result lines: the ratio column compares each row
# with Alertmanager's throughput at the same keys and connections.
table_rows() {
  awk '
    function parse(   i, n) {
      delete f
      for (i = 1; i <= NF; i++) { n = index($i, "="); if (n) f[substr($i, 1, n - 1)] = substr($i, n + 1) }
    }
    function num(v) { sub(/\/s$/, "", v); return v + 0 }
    NR == FNR { parse(); if (f["scenario"] == "alertmanager" && "throughput" in f) am[f["keys"] " " f["conns"]] = num(f["throughput"]); next }
    {
      parse()
      if (!("throughput" in f)) { print $0; next }
      a = am[f["keys"] " " f["conns"]]
      ratio = (a > 0 && f["scenario"] != "storm" && f["scenario"] != "first-page") ? sprintf("%.2fx", num(f["throughput"]) / a) : "-"
      print f["scenario"], f["keys"], f["conns"], f["throughput"], f["p50"], f["p99"], f["max"], f["cpu_us"], f["pg_us"], f["rss"], ratio, ("posts" in f ? f["posts"] : "-"), ("hooks" in f ? f["hooks"] : "-"), f["errors"]
    }' "$RESULTS" "$RESULTS"
}

# "first last ratio" of a storm line's windows.
storm_windows() {
  awk '{
    n = 0
    for (i = 1; i <= NF; i++) if ($i ~ /^w[0-9]+=/) { v = substr($i, index($i, "=") + 1); sub(/\/s$/, "", v); w[++n] = v + 0 }
    if (n) printf "%d/s %d/s %.2f\n", w[1], w[n], (w[1] > 0 ? w[n] / w[1] : 0)
  }' <<<"$1"
}

report() {
  local commit storm first
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  storm="$(grep '^scenario=storm ' "$RESULTS" || true)"
  first="$(grep '^scenario=first-page ' "$RESULTS" || true)"
  local header="scenario keys conns req/s p50 p99 max cpu_us/event pg_us/event peak_rss vs_alertmanager chat_posts webhooks errors"
  echo
  echo "Commit $commit, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs shared by servers and load generator, ${SECONDS_PER_RUN} s per row after 1 s of warm-up"
  { echo "$header"; table_rows; } | column -t
  if [ -n "$storm" ]; then
    read -r s_first s_last s_ratio <<<"$(storm_windows "$storm")"
    echo "storm (SQLite, distinct keys, 64 conns, ${STORM_SECONDS} s): first window $s_first, last window $s_last, last/first $s_ratio, peak RSS $(field "$storm" rss)"
  fi
  if [ -n "$first" ]; then
    echo "first page (SQLite, distinct keys, ${FIRST_PAGE_RATE}/s open loop): $(field "$first" first_seen) of $(field "$first" accepted_all) alerts seen in Slack, p50 $(field "$first" first_p50), p99 $(field "$first" first_p99), max $(field "$first" first_max); ingest p99 $(field "$first" p99)"
  fi
  echo "firebell idle RSS (SQLite, 2 s after healthy): $IDLE_RSS"
  echo "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "<!-- perf-table -->"
  echo "Commit \`$commit\`, $(date -u +%Y-%m-%d), $(nproc) CPUs (servers and load generator share them), ${SECONDS_PER_RUN} s per row, \`bash benches/compare.sh\`."
  echo
  echo "| scenario | keys | conns | req/s | p50 | p99 | max | CPU µs/event | PostgreSQL CPU µs/event | peak RSS | vs Alertmanager | chat posts | webhooks | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  table_rows | awk 'NF == 14 { $1 = $1; gsub(/ /, " | "); print "| " $0 " |" }'
  echo
  if [ -n "$storm" ]; then
    echo "- Storm (SQLite, distinct keys, 64 connections, ${STORM_SECONDS} s): first window $s_first, last $s_last (last/first $s_ratio), peak RSS $(field "$storm" rss)."
  fi
  if [ -n "$first" ]; then
    echo "- First page at ${FIRST_PAGE_RATE} alerts/s (SQLite, distinct keys): $(field "$first" first_seen) of $(field "$first" accepted_all) alerts seen in Slack (own card or storm summary); send to first appearance p50 $(field "$first" first_p50), p99 $(field "$first" first_p99)."
  fi
  echo "- firebell idle RSS on SQLite, 2 s after healthy: $IDLE_RSS."
  echo "<!-- perf-table -->"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
install_missing
build
log "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), firebell $FIREBELL, loadgen $LOADGEN, load average $LOAD_BEFORE"
write_configs
for scenario in $SCENARIOS; do run_scenario "$scenario"; done
report
