"""EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECTs the page and report runs captured
(bench/out/querycounts.json and offline.json). Writes bench/out/explain.txt.

    python bench/explain.py [--min-ms 20]"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

OUT = ROOT / "bench" / "out"


def main() -> None:
    min_ms = float(sys.argv[sys.argv.index("--min-ms") + 1]) if "--min-ms" in sys.argv else 20
    found: list[tuple[str, float, str]] = []
    pages = OUT / "querycounts.json"
    if pages.exists():
        for row in json.loads(pages.read_text())["rows"]:
            found += [(row["page"], q["ms"], q["sql"]) for q in row["slowest"]]
    offline = OUT / "offline.json"
    if offline.exists():
        for label, queries in json.loads(offline.read_text())["slow"].items():
            found += [(label, q["ms"], q["sql"]) for q in queries]
    seen = set()
    chunks = []
    for label, ms, sql in sorted(found, key=lambda f: -f[1]):
        if ms < min_ms or not sql.lstrip().upper().startswith("SELECT") or sql in seen:
            continue
        seen.add(sql)
        try:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cursor.fetchall())
        except Exception as exc:
            plan = f"(not explained: {str(exc).splitlines()[0]})"

        chunks.append(f"=== {label}: {ms} ms when captured\n{sql}\n\n{plan}\n")
    (OUT / "explain.txt").write_text("\n".join(chunks))
    print(f"{len(chunks)} plans written to {OUT / 'explain.txt'}")


if __name__ == "__main__":
    main()
