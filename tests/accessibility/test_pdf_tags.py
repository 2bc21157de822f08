"""Every PDF the app prints is tagged (PDF/UA-1: a structure tree a screen reader can
follow) and says its language (/Lang, from the template's <html lang>)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from privacy.services import subject_access_export
from reporting.card import build_card
from reporting.pdf import render_report_card_pdf
from reporting.periods import financial_year
from reporting.queries import Scope
from reviews.documents import render_family_plan_pdf, render_review_report_pdf
from tests.cases.journey import Stage, make_case

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def journey(team_a, manager, practitioner, referrer):
    return make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        phase1_ended_days_ago=45,
        family_name="Pritchard family",
        goals=1,
        plans=1,
        reviews_held=1,
        review_score=1,
    )


def assert_tagged(content: bytes) -> None:
    root = PdfReader(io.BytesIO(content)).trailer["/Root"]
    assert "/StructTreeRoot" in root, "the PDF is not tagged"
    assert bool(root.get("/MarkInfo", {}).get("/Marked"))
    assert str(root.get("/Lang", "")).lower().startswith("en"), root.get("/Lang")


def test_the_family_plan_is_tagged(journey):
    assert_tagged(render_family_plan_pdf(journey.plans[0]))


def test_the_review_report_is_tagged(journey):
    assert_tagged(render_review_report_pdf(journey.reviews[0]))


def test_the_report_card_is_tagged(journey):
    assert_tagged(render_report_card_pdf(build_card(Scope("all"), financial_year(2026))))


def test_the_subject_access_summary_is_tagged(journey, manager):
    person = journey.case.family.members.first()
    archive = zipfile.ZipFile(io.BytesIO(subject_access_export(person=person, user=manager)))
    assert_tagged(archive.read("summary.pdf"))
