"""A 10,000-row file imports in under a minute (issue 20): the dry run and the job's
service, in-process, measured and asserted."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from imports import services
from imports.models import ImportStatus
from referrals.models import Referral

from .sheets import as_csv, throughput_rows

# Run by hand: make test PYTEST_ARGS="-m bench tests/imports/test_speed.py"
pytestmark = [pytest.mark.django_db, pytest.mark.bench]


def ten_thousand_rows(la: str) -> list[dict[str, str]]:
    rows = []
    for batch in range(250):  # 250 × 40 rows, a block of 40 days each, from April 2015
        start = date(2015, 4, 1) + timedelta(days=14 * batch)
        for row in throughput_rows(la, start=start):
            row["reference"] = f"B{batch:03d}-{row['reference']}"
            rows.append(row)
    return rows


def test_ten_thousand_rows_import_in_under_a_minute(team_a, manager, capsys):
    la = team_a.local_authorities.order_by("name").first().name
    content = as_csv(ten_thousand_rows(la))
    began, cpu = time.perf_counter(), time.process_time()
    run = services.check_import(team=team_a, user=manager, file_name="big.csv", content=content)
    checked = time.perf_counter()
    assert run.error_count == 0 and run.rows_to_create == 10_000
    services.confirm_import(run_id=run.pk, user=manager)
    services.apply_import(run_id=run.pk)
    finished, cpu = time.perf_counter(), time.process_time() - cpu
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and Referral.objects.count() == 10_000
    with capsys.disabled():
        print(
            f"\n10,000 rows: dry run {checked - began:.1f}s, import {finished - checked:.1f}s, "
            f"total {finished - began:.1f}s ({cpu:.1f}s of this process's CPU)"
        )
    assert finished - began < 60
