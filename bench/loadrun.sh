#!/usr/bin/env bash
# Throughput of raters answering their questionnaires at once, against the framework's own
# ceiling (a minimal view) on the same server.
#
#   bench/loadrun.sh                      SQLite, 100 participants × 12 raters
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/compass360 PARTICIPANTS=1000 bench/loadrun.sh
#
# It builds a throw-away benchmark database beside the one DATABASE_URL names (never that one),
# starts gunicorn on 127.0.0.1 in production settings against it, and runs wrk three times, each
# bounded by DURATION: raters opening section pages (GET), raters answering (a page, then its
# draft save), and /healthz (one SELECT 1). It prints requests per second and p95 latency of
# each, and the raters' throughput as a share of /healthz's; then stops gunicorn and drops the
# database. Traffic goes to 127.0.0.1 only. Needs wrk (Debian package `wrk`): installed with
# apt-get when missing and the script runs as root, otherwise it says so and stops.
#
# Settings (environment): PARTICIPANTS=100 RATERS=12 DURATION=20s THREADS=2 CONNECTIONS=16
# WORKERS=3 PORT=8765.
set -euo pipefail
cd "$(dirname "$0")/.."

PARTICIPANTS=${PARTICIPANTS:-100}
RATERS=${RATERS:-12}
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
WORKERS=${WORKERS:-3}
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
        --duration "$DURATION" --timeout 10s --script bench/rater.lua "http://$HOST:$PORT" |
        grep '^RESULT'
}

echo "== wrk: $THREADS threads, $CONNECTIONS connections, $DURATION each; gunicorn: $WORKERS workers"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
get=$(run get)
mix=$(run mix)
health=$(run healthz)
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
errors=$(grep -c '"level": "ERROR"' "$WORK/gunicorn.log" || true)
if [ "$errors" != 0 ]; then
    echo "== $errors server errors logged; their causes:"
    grep -o -E '[A-Za-z_.]+(Error|Exception): [^"\\]*' "$WORK/gunicorn.log" | sort | uniq -c | sort -rn | head -n 5
fi

field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }
printf '\n%-34s %10s %9s %9s %11s %11s\n' "" "req/s" "p50 ms" "p95 ms" "bad status" "× /healthz"
for row in "rater pages (GET)|$get" "raters answering (GET + POST)|$mix" "minimal view /healthz|$health"; do
    label=${row%%|*}
    result=${row#*|}
    rps=$(field "$result" rps)
    ratio=$(awk -v a="$rps" -v b="$(field "$health" rps)" 'BEGIN { printf "%.2f", a / b }')
    printf '%-34s %10s %9s %9s %11s %11s\n' "$label" "$rps" "$(field "$result" p50_ms)" \
        "$(field "$result" p95_ms)" "$(field "$result" bad_status)" "$ratio"
done
echo
echo "Target: raters' throughput at least 0.50 × the minimal view's."
