#!/usr/bin/env bash
# Issue 15, item 4: the figures and PDFs after a restart. Before each measurement the
# PostgreSQL server is restarted and the OS page cache dropped (root only; otherwise said),
# then bench/reports.py runs in a fresh process. By hand, on a bench database only.
#
#   DATABASE_URL=postgres://ifss:ifss@127.0.0.1:5432/ifss_bench bench/cold.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://ifss:ifss@127.0.0.1:5432/ifss_bench}"
export DJANGO_DEBUG=false DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-bench-only-secret-key}"
# The card page is asked for in process by the administrator (signed in without a second
# factor, as the survey does).
export DJANGO_ALLOWED_HOSTS=testserver IFSS_TWO_FACTOR_ROLES= IFSS_TWO_FACTOR_FOR_ADMINS=false
OUT=bench/out
mkdir -p "$OUT"

restart() {
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main restart
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
    sync
    if echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then
        echo "(PostgreSQL restarted, OS page cache dropped)" >&2
    else
        echo "(PostgreSQL restarted; the OS page cache could not be dropped: not root)" >&2
    fi
}

: > "$OUT/cold.jsonl"
.venv/bin/python bench/reports.py store-all >/dev/null
for what in all-page all-figures pdf la-card team-card; do
    restart
    .venv/bin/python bench/reports.py "$what" | tee -a "$OUT/cold.jsonl"
done
