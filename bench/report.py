"""One table from a bench run: per page, the query count and p50/p95 at each level of
concurrency (from locust's CSV), the ratio of each p95 to the floor's, and the errors;
then the report card, PDF and sweep times. Reads bench/out/."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
FLOOR = "floor (minimal page)"


def main() -> None:
    levels = [int(a) for a in sys.argv[1:]] or [1, 10, 50]
    counts = {}
    qc = OUT / "querycounts.json"
    if qc.exists():
        counts = {r["page"]: r["queries"] for r in json.loads(qc.read_text())["rows"]}
    stats: dict[int, dict[str, dict]] = {}
    for n in levels:
        path = OUT / f"locust_{n}{os.environ.get('BENCH_TAG', '')}.json"
        if path.exists():
            stats[n] = json.loads(path.read_text())
    pages = list(counts) or sorted({name for s in stats.values() for name in s})
    head = f"| {'page':<26} | queries |"
    rule = f"|{'-' * 28}|--------:|"
    for n in stats:
        head += f" {n} users p50 / p95 ms (x floor) | errors |"
        rule += "---:|---:|"
    lines = [head, rule]
    for page in pages:
        line = f"| {page:<26} | {counts.get(page, ''):>7} |"
        for s in stats.values():
            row, floor = s.get(page), s.get(FLOOR)
            if row is None:
                line += " – | – |"
                continue
            p50, p95 = float(row["p50"]), float(row["p95"])
            ratio = p95 / float(floor["p95"]) if floor and float(floor["p95"]) else 0
            mark = "" if page == FLOOR or ratio <= 3 else " MISS"
            line += f" {p50:.0f} / {p95:.0f} ({ratio:.1f}x){mark} | {row['failures']} |"
        lines.append(line)
    for n, s in stats.items():
        agg = s.get("Aggregated")
        if agg:
            lines.append(
                f"\n{n} users: {agg['requests']} requests, {agg['failures']} "
                f"failures, {float(agg['rps']):.1f} requests/s"
            )
        warmup = OUT / f"locust_warmup_{n}{os.environ.get('BENCH_TAG', '')}.json"
        if warmup.exists():  # not measured, but an error there is an error all the same
            agg = json.loads(warmup.read_text()).get("Aggregated", {})
            lines.append(
                f"  (after a warm-up of {agg.get('requests', 0)} requests, not measured, "
                f"{agg.get('failures', 0)} failures)"
            )
    offline = OUT / "offline.json"
    if offline.exists():
        lines.append("\n| what | seconds | queries |\n|---|---:|---:|")
        for r in json.loads(offline.read_text())["rows"]:
            lines.append(f"| {r['what']} | {r['seconds']} | {r['queries']} |")
    text = "\n".join(lines)
    print(text)
    (OUT / f"results{os.environ.get('BENCH_TAG', '')}.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
