#!/usr/bin/env bash
# The benchmark of issue 7, by hand only (never in the test suite). Loopback traffic only;
# every load level is bounded in time.
#
#   createdb -h 127.0.0.1 -U ifss ifss_bench
#   DATABASE_URL=postgres://ifss:ifss@127.0.0.1:5432/ifss_bench DJANGO_SECRET_KEY=x \
#       .venv/bin/python manage.py migrate
#   DATABASE_URL=... DJANGO_SECRET_KEY=x .venv/bin/python manage.py generate_national --factor 1.0 --seed 42
#   bench/run.sh
#
# Settings (environment): DATABASE_URL (default the ifss_bench database above),
# BENCH_LEVELS ("1 10 50"), BENCH_DURATION (40s per level), BENCH_WARMUP (20s of the same
# load before each level, not measured; 0 measures from the first request of fresh
# workers), BENCH_WORKERS (3, as the
# Dockerfile), BENCH_PORT (8765), BENCH_SKIP_OFFLINE=1 to skip the report card and sweep,
# BENCH_LOAD_ONLY=1 for the load test alone (after a full run wrote bench/out/),
# BENCH_PASSES ("interactive all"; "all" alone for the think-time run), BENCH_THINK
# ("5-10": seconds between one user's requests; none by default).
# The sweep writes reminders and notifications into the database it runs on.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://ifss:ifss@127.0.0.1:5432/ifss_bench}"
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-bench-only-secret-key}"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver"
export DJANGO_SECURE_COOKIES=false          # plain HTTP on loopback
export IFSS_TWO_FACTOR_ROLES=""             # the load test signs in with passwords only
export IFSS_TWO_FACTOR_FOR_ADMINS=false
export IFSS_BENCH_FLOOR=true                # serve the floor page, /bench/floor/
export IFSS_DATA_DIR="$PWD/bench/out/var"   # Celery's filesystem broker, away from var/
LEVELS="${BENCH_LEVELS:-1 10 50}"
DURATION="${BENCH_DURATION:-40s}"
WARMUP="${BENCH_WARMUP:-20s}"
WORKERS="${BENCH_WORKERS:-3}"
PORT="${BENCH_PORT:-8765}"
PY=.venv/bin/python
OUT=bench/out
mkdir -p "$OUT" "$IFSS_DATA_DIR"

if [ ! -x bench/.venv/bin/locust ]; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install --quiet locust
fi

echo "== machine"
{
    echo "date: $(date -Iseconds)"
    echo "nproc: $(nproc)"
    free -h | sed -n 2p
    psql "$DATABASE_URL" -Atc "select version()"
    psql "$DATABASE_URL" -Atc "select pg_size_pretty(pg_database_size(current_database()))"
} | tee "$OUT/machine.txt"

echo "== row counts"
psql "$DATABASE_URL" -Atc "
select 'families', count(*) from families_family union all
select 'people', count(*) from families_person union all
select 'referrals', count(*) from referrals_referral union all
select 'cases', count(*) from cases_case union all
select 'open cases', count(*) from cases_case where stage <> 'closed' union all
select 'contacts', count(*) from cases_contact union all
select 'reviews', count(*) from reviews_review union all
select 'goal scores', count(*) from outcomes_goalscore union all
select 'readings', count(*) from outcomes_reading union all
select 'notifications', count(*) from notifications_notification union all
select 'reminders', count(*) from reminders_reminder union all
select 'audit log', count(*) from auditlog_logentry" | tee "$OUT/rowcounts.txt"

$PY manage.py collectstatic --noinput -v0

if [ "${BENCH_LOAD_ONLY:-0}" != 1 ]; then
    echo "== query counts (in-process, Django test client)"
    $PY bench/querycounts.py --json "$OUT/querycounts.json"
fi
max_users=0
for n in $LEVELS; do [ "$n" -gt "$max_users" ] && max_users=$n; done
$PY bench/sessions.py "$max_users"

# A fresh server for every level: a slow page's backlog (requests the load generator
# has stopped waiting for) must not run into the next level's measurements.
start_server() {
    .venv/bin/gunicorn ifss.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
        --timeout 60 --pid "$OUT/gunicorn.pid" --log-file "$OUT/gunicorn.log" --daemon
    for _ in $(seq 1 30); do
        curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && return 0
        sleep 1
    done
    echo "gunicorn did not start" >&2
    return 1
}
stop_server() {
    if [ -f "$OUT/gunicorn.pid" ]; then
        local pid
        pid="$(cat "$OUT/gunicorn.pid")"
        kill -INT "$pid" 2>/dev/null || true  # quick shutdown: abandon the backlog
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        rm -f "$OUT/gunicorn.pid"
    fi
}
trap stop_server EXIT

# locust headless against the server: users, run time, and the name of its results
# (bench/out/locust_<name><tag>.json and .log); the pass's tag and excluded pages.
load() {
    BENCH_USERS="$3" BENCH_TAG="$tag" BENCH_EXCLUDE="$exclude" \
        bench/.venv/bin/locust -f bench/locustfile.py --headless --only-summary \
        --users "$1" --spawn-rate "$1" --run-time "$2" --stop-timeout 5 \
        --host "http://127.0.0.1:$PORT" --exit-code-on-error 0 \
        > "$OUT/locust_${3}${tag}.log" 2>&1
}

# Pass "interactive": the pages practitioners use between visits, with the floor.
# Pass "all": the same plus the report card page, in the same run.
for pass in ${BENCH_PASSES:-interactive all}; do
    if [ "$pass" = interactive ]; then tag="_interactive"; exclude="report card"; else tag=""; exclude=""; fi
    for n in $LEVELS; do
        echo "== $pass pages, $n concurrent users for $DURATION ($WORKERS gunicorn workers)"
        start_server
        if [ "$WARMUP" != 0 ]; then
            # Not measured: each worker's first requests of a page compile its templates and
            # let PostgreSQL settle on each statement's plan (psycopg prepares a statement
            # on its second use; PostgreSQL plans its first five executions afresh), which
            # a running server has long done. At least one user per worker, so each is warm.
            load "$(( n > WORKERS ? n : WORKERS ))" "$WARMUP" "warmup_${n}"
        fi
        load "$n" "$DURATION" "$n"
        stop_server
        tail -n 3 "$OUT/locust_${n}${tag}.log"
    done
done
trap - EXIT

if [ "${BENCH_SKIP_OFFLINE:-0}" != 1 ] && [ "${BENCH_LOAD_ONLY:-0}" != 1 ]; then
    echo "== report card, PDF and reminder sweep"
    $PY bench/offline.py --json "$OUT/offline.json"
fi
$PY bench/explain.py --min-ms 20
echo "== results"
BENCH_TAG=_interactive $PY bench/report.py $LEVELS
$PY bench/report.py $LEVELS
