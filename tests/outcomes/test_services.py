"""Goals with GAS levels, and WEMWBS and SDQ readings, through outcomes.services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import ServiceError
from families.models import MemberKind, Relationship
from outcomes.models import Goal, GoalScore, Instrument, Occasion, Reading, SdqBand, sdq_band
from outcomes.services import GoalData, ReadingData, add_goal, record_reading
from reference.models import GoalCategory
from tests.factories import CaseFactory, FamilyFactory, PersonFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2027, 3, 10)
LEVELS = {
    -2: "Drinking daily, children left alone",
    -1: "Drinking most days",
    0: "Drinking no more than twice a week, never while caring",
    1: "Drinking once a week at most",
    2: "Abstinent",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    # Wednesday 10 March 2027, 10:00 London.
    time_machine.move_to(datetime(2027, 3, 10, 10, tzinfo=LONDON), tick=False)


@pytest.fixture
def case(team_a, practitioner):
    return CaseFactory(
        team=team_a,
        worker=practitioner,
        stage="phase1",
        phase1_start=date(2027, 2, 1),
        referral__received_at=datetime(2027, 1, 20, 9, tzinfo=LONDON),
        allocated_at=datetime(2027, 1, 22, 9, tzinfo=LONDON),
    )


@pytest.fixture
def mother(case):
    return PersonFactory(
        family=case.family,
        kind=MemberKind.ADULT,
        first_name="Kerry",
        relationship=Relationship.MOTHER,
        date_of_birth=date(1990, 5, 1),
    )


def child_born(case, born: date):
    return PersonFactory(
        family=case.family,
        kind=MemberKind.CHILD,
        first_name="Jade",
        relationship=Relationship.CHILD,
        date_of_birth=born,
    )


@pytest.fixture
def child(case):
    return child_born(case, date(2017, 6, 1))  # 9 years old


def goal_data(**overrides) -> GoalData:
    values = {
        "title": "Kerry controls her drinking",
        "category": GoalCategory.objects.get(code="substance-use"),
        "is_substance": True,
        "members": [],
        "levels": dict(LEVELS),
        "baseline": -1,
    }
    values.update(overrides)
    return GoalData(**values)


def wemwbs(person, total, occasion=Occasion.START, taken_on=TODAY) -> ReadingData:
    return ReadingData(
        person=person,
        instrument=Instrument.WEMWBS,
        occasion=occasion,
        taken_on=taken_on,
        total=total,
    )


def sdq(
    person,
    subscales,
    prosocial=7,
    occasion=Occasion.START,
    taken_on=TODAY,
    informant="parent",
    version="4_17",
) -> ReadingData:
    emotional, conduct, hyperactivity, peer = subscales
    return ReadingData(
        person=person,
        instrument=Instrument.SDQ,
        occasion=occasion,
        taken_on=taken_on,
        sdq_emotional=emotional,
        sdq_conduct=conduct,
        sdq_hyperactivity=hyperactivity,
        sdq_peer=peer,
        sdq_prosocial=prosocial,
        sdq_informant=informant,
        sdq_version=version,
    )


# --- Goals --------------------------------------------------------------------------------


def test_add_goal_stores_levels_and_a_baseline_score(case, practitioner, mother) -> None:
    goal = add_goal(
        case_id=case.pk, user=practitioner, data=goal_data(members=[mother], baseline=-2, weight=2)
    )
    goal.refresh_from_db()
    assert goal.case == case
    assert goal.is_substance is True
    assert goal.weight == 2
    assert goal.baseline == -2
    assert list(goal.members.all()) == [mother]
    assert [goal.level_text(level) for level in (-2, -1, 0, 1, 2)] == [
        LEVELS[level] for level in (-2, -1, 0, 1, 2)
    ]
    assert goal.created_by == practitioner
    [baseline] = GoalScore.objects.filter(goal=goal)
    assert baseline.review is None
    assert baseline.score == -2
    assert baseline.scored_on == TODAY
    assert baseline.recorded_by == practitioner


def test_a_whole_family_goal_has_no_members(case, practitioner) -> None:
    goal = add_goal(
        case_id=case.pk,
        user=practitioner,
        data=goal_data(
            title="Family meals together",
            is_substance=False,
            category=GoalCategory.objects.get(code="home-routines"),
            baseline=0,
        ),
        scored_on=date(2027, 2, 3),
    )
    assert not goal.members.exists()
    assert GoalScore.objects.get(goal=goal, review__isnull=True).scored_on == date(2027, 2, 3)


@pytest.mark.parametrize("baseline", [-2, -1, 0, 1, 2])
def test_every_gas_level_is_a_valid_baseline(case, practitioner, baseline: int) -> None:
    goal = add_goal(case_id=case.pk, user=practitioner, data=goal_data(baseline=baseline))
    assert GoalScore.objects.get(goal=goal).score == baseline


@pytest.mark.parametrize("baseline", [-3, 3, 10])
def test_baseline_out_of_range_is_refused(case, practitioner, baseline: int) -> None:
    with pytest.raises(ServiceError, match="from -2 to \\+2"):
        add_goal(case_id=case.pk, user=practitioner, data=goal_data(baseline=baseline))
    assert not Goal.objects.exists()
    assert not GoalScore.objects.exists()


@pytest.mark.parametrize("missing", [-2, -1, 0, 1, 2])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_every_level_must_be_described(case, practitioner, missing: int, blank) -> None:
    levels = dict(LEVELS)
    if blank is None:
        del levels[missing]
    else:
        levels[missing] = blank
    with pytest.raises(ServiceError, match="Describe every level"):
        add_goal(case_id=case.pk, user=practitioner, data=goal_data(levels=levels))
    assert not Goal.objects.exists()


def test_goal_members_must_belong_to_the_family(case, practitioner, mother) -> None:
    stranger = PersonFactory(family=FamilyFactory(team=case.team))
    with pytest.raises(ServiceError, match="members of this family only"):
        add_goal(case_id=case.pk, user=practitioner, data=goal_data(members=[mother, stranger]))
    assert not Goal.objects.exists()


def test_goal_on_a_closed_case_is_refused(team_a, practitioner) -> None:
    closed = CaseFactory(team=team_a, worker=practitioner, stage="closed")
    with pytest.raises(ServiceError, match="closed case"):
        add_goal(case_id=closed.pk, user=practitioner, data=goal_data())
    assert not Goal.objects.exists()


# --- WEMWBS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [14, 45, 70])
def test_wemwbs_total_in_range_is_accepted(case, practitioner, mother, total: int) -> None:
    reading = record_reading(case_id=case.pk, user=practitioner, data=wemwbs(mother, total))
    reading.refresh_from_db()
    assert (reading.instrument, reading.occasion, reading.total) == ("wemwbs", "start", total)
    assert reading.person == mother
    assert reading.taken_on == TODAY
    assert reading.recorded_by == practitioner
    assert reading.band == ""
    assert reading.sdq_emotional is None


@pytest.mark.parametrize("total", [13, 71, 0, None])
def test_wemwbs_total_out_of_range_is_refused(case, practitioner, mother, total) -> None:
    with pytest.raises(ServiceError, match="WEMWBS total runs from 14 to 70"):
        record_reading(case_id=case.pk, user=practitioner, data=wemwbs(mother, total))
    assert not Reading.objects.exists()


def test_wemwbs_for_a_child_is_refused(case, practitioner, child) -> None:
    with pytest.raises(ServiceError, match="WEMWBS is for adults"):
        record_reading(case_id=case.pk, user=practitioner, data=wemwbs(child, 40))
    assert not Reading.objects.exists()


def test_before_and_after_readings_pair_per_person(case, practitioner, mother) -> None:
    record_reading(
        case_id=case.pk, user=practitioner, data=wemwbs(mother, 38, taken_on=date(2027, 2, 1))
    )
    record_reading(
        case_id=case.pk, user=practitioner, data=wemwbs(mother, 44, occasion=Occasion.END_PHASE1)
    )
    assert list(
        Reading.objects.filter(person=mother).order_by("taken_on").values_list("occasion", "total")
    ) == [("start", 38), ("end_phase1", 44)]


def test_a_second_reading_for_the_same_occasion_is_refused(case, practitioner, mother) -> None:
    record_reading(case_id=case.pk, user=practitioner, data=wemwbs(mother, 38))
    with pytest.raises(ServiceError, match="already has a WEMWBS .*reading for that occasion"):
        record_reading(
            case_id=case.pk,
            user=practitioner,
            data=wemwbs(mother, 52, taken_on=TODAY - timedelta(days=1)),
        )
    assert list(Reading.objects.values_list("total", flat=True)) == [38]


def test_a_second_sdq_for_the_same_occasion_is_refused(case, practitioner, child) -> None:
    record_reading(case_id=case.pk, user=practitioner, data=sdq(child, (1, 1, 1, 1)))
    with pytest.raises(ServiceError, match="already has a SDQ"):
        record_reading(case_id=case.pk, user=practitioner, data=sdq(child, (2, 2, 2, 2)))
    assert Reading.objects.count() == 1


def test_a_reading_in_the_future_is_refused(case, practitioner, mother, child) -> None:
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(ServiceError, match="cannot be taken in the future"):
        record_reading(
            case_id=case.pk, user=practitioner, data=wemwbs(mother, 40, taken_on=tomorrow)
        )
    with pytest.raises(ServiceError, match="cannot be taken in the future"):
        record_reading(
            case_id=case.pk, user=practitioner, data=sdq(child, (1, 1, 1, 1), taken_on=tomorrow)
        )
    assert not Reading.objects.exists()


def test_a_reading_for_another_family_is_refused(case, practitioner) -> None:
    stranger = PersonFactory(family=FamilyFactory(team=case.team), kind=MemberKind.ADULT)
    with pytest.raises(ServiceError, match="member of this family"):
        record_reading(case_id=case.pk, user=practitioner, data=wemwbs(stranger, 40))
    assert not Reading.objects.exists()


def test_an_unknown_measure_is_refused(case, practitioner, mother) -> None:
    data = wemwbs(mother, 40)
    data.instrument = "score15"
    with pytest.raises(ServiceError, match="Choose a measure"):
        record_reading(case_id=case.pk, user=practitioner, data=data)


# --- SDQ -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subscales", "total", "band"),
    [
        ((0, 0, 0, 0), 0, SdqBand.NORMAL),
        ((4, 3, 4, 2), 13, SdqBand.NORMAL),
        ((4, 3, 5, 2), 14, SdqBand.BORDERLINE),
        ((5, 4, 5, 2), 16, SdqBand.BORDERLINE),
        ((5, 4, 6, 2), 17, SdqBand.ABNORMAL),
        ((10, 10, 10, 10), 40, SdqBand.ABNORMAL),
    ],
)
def test_sdq_total_is_the_four_difficulty_subscales(
    case, practitioner, child, subscales: tuple[int, int, int, int], total: int, band: str
) -> None:
    # The prosocial scale (10 here) is not a difficulty and never counts in the total.
    reading = record_reading(
        case_id=case.pk, user=practitioner, data=sdq(child, subscales, prosocial=10)
    )
    reading.refresh_from_db()
    assert reading.total == total
    assert sdq_band(reading.total) == band
    assert reading.band == SdqBand(band).label  # shown as "Normal", "Borderline", "Abnormal"
    assert (
        reading.sdq_emotional,
        reading.sdq_conduct,
        reading.sdq_hyperactivity,
        reading.sdq_peer,
        reading.sdq_prosocial,
    ) == (*subscales, 10)


def test_sdq_band_thresholds() -> None:
    assert [sdq_band(t) for t in (0, 13, 14, 16, 17, 40)] == [
        "normal",
        "normal",
        "borderline",
        "borderline",
        "abnormal",
        "abnormal",
    ]


@pytest.mark.parametrize("position", range(5))
@pytest.mark.parametrize("bad", [11, -1, None])
def test_sdq_subscale_out_of_range_is_refused(case, practitioner, child, position, bad) -> None:
    values = [2, 2, 2, 2, 5]
    values[position] = bad
    with pytest.raises(ServiceError, match="Each SDQ subscale runs from 0 to 10"):
        record_reading(
            case_id=case.pk,
            user=practitioner,
            data=sdq(child, tuple(values[:4]), prosocial=values[4]),
        )
    assert not Reading.objects.exists()


# Today is 10 March 2027: "born" is each boundary birthday, and the day after it.
@pytest.mark.parametrize(
    ("version", "informant", "born", "accepted"),
    [
        # The 2-4 version, by a parent or a teacher: ages 2 to 4.
        ("2_4", "parent", date(2025, 3, 11), False),  # 1, 2 tomorrow
        ("2_4", "parent", date(2025, 3, 10), True),  # 2 today
        ("2_4", "teacher", date(2022, 3, 11), True),  # 4, 5 tomorrow
        ("2_4", "teacher", date(2022, 3, 10), False),  # 5 today
        # The 4-17 version, by a parent or a teacher: ages 4 to 17.
        ("4_17", "parent", date(2023, 3, 11), False),  # 3, 4 tomorrow
        ("4_17", "teacher", date(2023, 3, 10), True),  # 4 today
        ("4_17", "parent", date(2009, 3, 11), True),  # 17, 18 tomorrow
        ("4_17", "teacher", date(2009, 3, 10), False),  # 18 today
        # Self-report: the 4-17 version, ages 11 to 17; never the 2-4 version.
        ("4_17", "self", date(2016, 3, 11), False),  # 10, 11 tomorrow
        ("4_17", "self", date(2016, 3, 10), True),  # 11 today
        ("4_17", "self", date(2009, 3, 11), True),  # 17
        ("4_17", "self", date(2009, 3, 10), False),  # 18 today
        ("2_4", "self", date(2024, 3, 10), False),  # 3: no self-report at that age
    ],
)
def test_sdq_ages_per_version_and_informant(
    case, practitioner, version: str, informant: str, born: date, accepted: bool
) -> None:
    data = sdq(child_born(case, born), (1, 2, 3, 4), informant=informant, version=version)
    if accepted:
        reading = record_reading(case_id=case.pk, user=practitioner, data=data)
        assert (reading.total, reading.sdq_informant, reading.sdq_version) == (
            10,
            informant,
            version,
        )
    else:
        with pytest.raises(ServiceError, match="SDQ"):
            record_reading(case_id=case.pk, user=practitioner, data=data)
        assert not Reading.objects.exists()


@pytest.mark.parametrize("field", ["sdq_informant", "sdq_version"])
def test_sdq_without_informant_or_version_is_refused(case, practitioner, child, field) -> None:
    data = sdq(child, (1, 1, 1, 1))
    setattr(data, field, "")
    with pytest.raises(ServiceError, match="completed the SDQ|version of the SDQ"):
        record_reading(case_id=case.pk, user=practitioner, data=data)
    assert not Reading.objects.exists()


def test_sdq_age_is_taken_on_the_reading_date(case, practitioner) -> None:
    # One year old on 9 March 2027, two on the 10th.
    toddler = child_born(case, date(2025, 3, 10))
    with pytest.raises(ServiceError, match="ages 2 to 17"):
        record_reading(
            case_id=case.pk,
            user=practitioner,
            data=sdq(toddler, (1, 1, 1, 1), taken_on=date(2027, 3, 9), version="2_4"),
        )
    assert (
        record_reading(
            case_id=case.pk,
            user=practitioner,
            data=sdq(toddler, (1, 1, 1, 1), taken_on=TODAY, version="2_4"),
        ).total
        == 4
    )


def test_sdq_for_an_adult_or_without_a_birth_date_is_refused(case, practitioner, mother) -> None:
    undated = PersonFactory(
        family=case.family,
        kind=MemberKind.CHILD,
        relationship=Relationship.CHILD,
        date_of_birth=None,
    )
    for person in (mother, undated):
        with pytest.raises(ServiceError, match="aged 2 to 17|date of birth"):
            record_reading(case_id=case.pk, user=practitioner, data=sdq(person, (1, 1, 1, 1)))
    assert not Reading.objects.exists()


def test_sdq_ignores_a_total_typed_in(case, practitioner, child) -> None:
    data = sdq(child, (1, 1, 1, 1))
    data.total = 39
    assert record_reading(case_id=case.pk, user=practitioner, data=data).total == 4
    assert timezone.localdate() == TODAY


# --- SWEMWBS, and the SDQ's bands by informant --------------------------------------------


def swemwbs(person, total, occasion=Occasion.START) -> ReadingData:
    return ReadingData(
        person=person,
        instrument=Instrument.SWEMWBS,
        occasion=occasion,
        taken_on=TODAY,
        total=total,
    )


@pytest.mark.parametrize(
    ("raw", "metric"), [(7, Decimal("7.00")), (21, Decimal("19.25")), (35, Decimal("35.00"))]
)
def test_swemwbs_is_kept_with_its_published_metric_score(
    case, practitioner, mother, raw, metric
) -> None:
    reading = record_reading(case_id=case.pk, user=practitioner, data=swemwbs(mother, raw))
    reading.refresh_from_db()
    assert (reading.total, reading.metric_score, reading.score) == (raw, metric, metric)


@pytest.mark.parametrize("raw", [6, 36, None])
def test_swemwbs_raw_total_outside_7_to_35_is_refused(case, practitioner, mother, raw) -> None:
    with pytest.raises(ServiceError, match="7 to 35"):
        record_reading(case_id=case.pk, user=practitioner, data=swemwbs(mother, raw))
    assert not Reading.objects.exists()


def test_swemwbs_is_for_adults(case, practitioner, child) -> None:
    with pytest.raises(ServiceError, match="SWEMWBS is for adults"):
        record_reading(case_id=case.pk, user=practitioner, data=swemwbs(child, 20))


def test_swemwbs_and_wemwbs_are_separate_measures_for_one_person(
    case, practitioner, mother
) -> None:
    record_reading(case_id=case.pk, user=practitioner, data=wemwbs(mother, 40))
    record_reading(case_id=case.pk, user=practitioner, data=swemwbs(mother, 20))
    assert Reading.objects.filter(person=mother).count() == 2


@pytest.mark.parametrize(
    ("informant", "born", "three", "four"),
    [
        # Total 16 from each informant, for a child the informant may report on.
        ("parent", date(2017, 6, 1), "Borderline", "Slightly raised"),
        ("teacher", date(2017, 6, 1), "Abnormal", "High"),
        ("self", date(2013, 6, 1), "Borderline", "Slightly raised"),
    ],
)
def test_an_sdq_reading_is_banded_by_its_informant(
    case, practitioner, informant, born, three, four
) -> None:
    data = sdq(child_born(case, born), (4, 4, 4, 4), informant=informant)
    reading = record_reading(case_id=case.pk, user=practitioner, data=data)
    assert reading.total == 16
    assert (reading.band, reading.four_band) == (three, four)
