#!/usr/bin/env bash
# Throughput of raters answering their questionnaires at once, against the framework's own
# ceiling (a minimal view) on the same server.
#
#   bench/loadrun.sh                      SQLite, 100 participants × 12 raters
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/compass360 PARTICIPANTS=1000 bench/loadrun.sh
#
# It builds a throw-away benchmark database beside the one DATABASE_URL names (never that one),
# starts gunicorn on 127.0.0.1 in production settings against it, warms every mode up for
# WARMUP, then runs wrk for DURATION per mode, the modes alternating over ROUNDS rounds: raters
# opening section pages (GET), raters answering (a page, then its draft save), /healthz (one
# SELECT 1) and a bare Django view without the database (/loadrun/bare, mounted only because
# this script starts gunicorn with LOADRUN_BARE_VIEW=on). It prints each mode's median requests
# per second over the rounds with its p95 latency, the load average beside each round, and the
# raters' throughput as a share of /healthz's and of the bare view's; then stops gunicorn and
# drops the database. Traffic goes to 127.0.0.1 only. Needs wrk (Debian package `wrk`):
# installed with apt-get when missing and the script runs as root, otherwise it says so.
#
# Settings (environment): PARTICIPANTS=100 RATERS=12 DURATION=15s WARMUP=3s ROUNDS=3 THREADS=2
# CONNECTIONS=16 WORKERS=5 PORT=8765. Five sync workers on two cores (gunicorn's advice, 2 × cores + 1):
# a worker waiting on PostgreSQL leaves its core to another.
set -euo pipefail
cd "$(dirname "$0")/.."

PARTICIPANTS=${PARTICIPANTS:-100}
RATERS=${RATERS:-12}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
WORKERS=${WORKERS:-5}
PORT=${PORT:-8765}
PY=.venv/bin/python
HOST=127.0.0.1

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing wrk (Debian package)…"
        apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        echo "bench/loadrun.sh needs wrk: install the Debian package (sudo apt-get install wrk)." >&2
        exit 1
    fi
fi

WORK=$(mktemp -d /tmp/compass-loadrun.XXXXXX)
if [ -z "${DATABASE_URL:-}" ]; then
    DB_NAME="$WORK/bench.sqlite3"
    BENCH_URL="sqlite:///$DB_NAME"
else
    base=${DATABASE_URL%%\?*}
    query=""
    [[ "$DATABASE_URL" == *\?* ]] && query="?${DATABASE_URL#*\?}"
    DB_NAME="bench_loadrun_$$"
    BENCH_URL="${base%/*}/$DB_NAME$query"
fi

GUNICORN_PID=""
cleanup() {
    if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
        kill "$GUNICORN_PID"
        wait "$GUNICORN_PID" 2>/dev/null || true
    fi
    $PY manage.py benchmark --drop --database-name "$DB_NAME" >/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== Building $PARTICIPANTS participants × $RATERS raters in $DB_NAME"
$PY manage.py benchmark --participants "$PARTICIPANTS" --raters "$RATERS" \
    --database-name "$DB_NAME" --build-only "$WORK" --verbosity 0

# Production settings against the benchmark database; plain HTTP on the loopback address.
run_env=(
    DJANGO_ENV=production
    "SECRET_KEY=loadrun-only-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    ALLOWED_HOSTS=$HOST
    SECURE_SSL_REDIRECT=false
    "DATABASE_URL=$BENCH_URL"
    LOG_LEVEL=WARNING
    LOADRUN_BARE_VIEW=on
)
# Production serves hashed static files from the manifest that collectstatic writes.
env "${run_env[@]}" $PY manage.py collectstatic --noinput --verbosity 0

env "${run_env[@]}" .venv/bin/gunicorn compass_site.wsgi --bind "$HOST:$PORT" \
    --workers "$WORKERS" --log-level warning >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 50); do
    curl -fsS "http://$HOST:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://$HOST:$PORT/healthz" >/dev/null || {
    echo "gunicorn did not answer:" >&2
    cat "$WORK/gunicorn.log" >&2
    exit 1
}

run() {
    MODE=$1 LOAD_DIR=$WORK wrk --threads "$THREADS" --connections "$CONNECTIONS" \
        --duration "${2:-$DURATION}" --timeout 10s --script bench/rater.lua "http://$HOST:$PORT" |
        grep '^RESULT'
}

MODES=(get mix healthz bare)
declare -A LABELS=(
    [get]="rater pages (GET)"
    [mix]="raters answering (GET + POST)"
    [healthz]="/healthz (one SELECT 1)"
    [bare]="bare Django view (no database)"
)
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== wrk: $THREADS threads, $CONNECTIONS connections; gunicorn: $WORKERS workers"
echo "== warm-up: $WARMUP per mode"
for mode in "${MODES[@]}"; do run "$mode" "$WARMUP" >/dev/null; done

declare -A RPS P95 BAD
for round in $(seq 1 "$ROUNDS"); do
    line="== round $round of $ROUNDS, $DURATION per mode:"
    for mode in "${MODES[@]}"; do
        load=$(load1)
        result=$(run "$mode")
        RPS[$mode]+="$(field "$result" rps) "
        P95[$mode]+="$(field "$result" p95_ms) "
        BAD[$mode]=$(( ${BAD[$mode]:-0} + $(field "$result" bad_status) ))
        line+=" $mode $(field "$result" rps) req/s (load $load);"
    done
    echo "$line"
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
errors=$(grep -c '"level": "ERROR"' "$WORK/gunicorn.log" || true)
if [ "$errors" != 0 ]; then
    echo "== $errors server errors logged; their causes:"
    grep -o -E '[A-Za-z_.]+(Error|Exception): [^"\\]*' "$WORK/gunicorn.log" | sort | uniq -c | sort -rn | head -n 5
fi

declare -A MEDIAN
for mode in "${MODES[@]}"; do MEDIAN[$mode]=$(median <<<"${RPS[$mode]}"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'; }
printf '\n%-34s %12s %14s %11s %11s %11s\n' "medians of $ROUNDS rounds" "req/s" "p95 ms" "bad status" "× /healthz" "× bare"
for mode in "${MODES[@]}"; do
    printf '%-34s %12s %14s %11s %11s %11s\n' "${LABELS[$mode]}" "${MEDIAN[$mode]}" \
        "$(median <<<"${P95[$mode]}")" "${BAD[$mode]}" \
        "$(ratio "${MEDIAN[$mode]}" "${MEDIAN[healthz]}")" "$(ratio "${MEDIAN[$mode]}" "${MEDIAN[bare]}")"
done
echo
echo "Targets: raters answering at least 0.20 × /healthz and 0.08 × the bare view."
