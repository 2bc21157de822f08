"""App bugs the fuzzing found, each pinned by an xfail(strict=True) test in test_found_bugs.py.

While a bug is open, the fuzz tests tolerate exactly its signature (a 500 of that view with
that exception, or a broken invariant of that name) so they keep hunting for new bugs.
When a bug is fixed its xfail test starts passing and fails as XPASS: delete the xfail
mark and the entry here, and the fuzz tests become strict about it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Known500:
    bug: str  # the test in test_found_bugs.py that pins it
    view: str  # the URL name, as reverse() takes it
    exception: str  # the exception class name
    message: str  # a regular expression the exception message matches


KNOWN_500S: list[Known500] = [
    # SQLite only (the development database): Django's ModelMultipleChoiceField looks up
    # every posted id, and SQLite cannot bind an integer past 64 bits.
    Known500(
        "test_multiple_choice_with_a_huge_id_is_not_a_500_on_sqlite",
        "*",
        "OverflowError",
        r"too large to convert to SQLite INTEGER",
    ),
    # SQLite only: a search (?q=) longer than SQLite's 50,000-byte LIKE pattern limit.
    Known500(
        "test_a_very_long_search_is_not_a_500_on_sqlite",
        "*",
        "OperationalError",
        r"LIKE or GLOB pattern too complex",
    ),
    Known500(
        "test_opening_a_notification_whose_link_is_not_a_path_is_not_a_500",
        "notifications:open",
        "NoReverseMatch",
        r"is not a valid view function or pattern name",
    ),
    Known500(
        "test_add_member_with_a_unicode_digit_count_is_not_a_500",
        "referrals:new",
        "ValueError",
        r"invalid literal for int\(\)",
    ),
    Known500(
        "test_due_page_worker_filter_with_a_unicode_digit_is_not_a_500",
        "reminders:due",
        "ValueError",
        r"invalid literal for int\(\)",
    ),
    # PostgreSQL only: a draft keeps raw input, and the title is the typed family name.
    Known500(
        "test_draft_with_a_long_family_name_is_saved_or_refused_not_a_500",
        "referrals:new",
        "DataError",
        r"value too long for type character varying\(200\)",
    ),
    Known500(
        "test_draft_with_a_nul_character_is_not_a_500",
        "referrals:new",
        "DataError",
        r"unsupported Unicode escape sequence|cannot contain NUL",
    ),
    Known500(
        "test_draft_with_a_nul_character_is_not_a_500",
        "referrals:draft",
        "DataError",
        r"unsupported Unicode escape sequence|cannot contain NUL",
    ),
    # PostgreSQL only: a postcode that upper-cases past 10 characters.
    Known500(
        "test_postcode_that_grows_when_upper_cased_is_refused",
        "referrals:new",
        "DataError",
        r"value too long for type character varying\(10\)",
    ),
    Known500(
        "test_postcode_that_grows_when_upper_cased_is_refused",
        "referrals:draft",
        "DataError",
        r"value too long for type character varying\(10\)",
    ),
    # Autosave stores whatever JSON arrives.
    Known500(
        "test_autosave_with_a_lone_surrogate_is_a_400",
        "autosave",
        "UnicodeEncodeError",
        r"surrogates not allowed",
    ),
    Known500(
        "test_autosave_with_a_lone_surrogate_is_a_400",
        "autosave",
        "DataError",
        r"invalid input syntax for type json",
    ),
    Known500(
        "test_autosave_with_a_nul_character_in_the_path_is_a_400 (and _in_a_field_)",
        "autosave",
        "DataError",
        r"unsupported Unicode escape sequence|cannot contain NUL",
    ),
    # A report card for a period at the ends of the calendar (year 1 or 9999).
    Known500(
        "test_report_card_for_a_period_at_the_ends_of_the_calendar_is_not_a_500",
        "reporting:card",
        "ValueError",
        r"year \d+ is out of range",
    ),
    Known500(
        "test_report_card_for_a_period_at_the_ends_of_the_calendar_is_not_a_500",
        "reporting:card",
        "OverflowError",
        r"date value out of range",
    ),
    # PostgreSQL only: django-axes stores a failed sign-in's raw username (255 characters).
    Known500(
        "test_sign_in_with_a_very_long_username_is_refused_not_a_500",
        "login",
        "DataError",
        r"value too long for type character varying\(255\)",
    ),
]

# Invariants (see invariants.py) a known bug breaks, and the test that pins each.
KNOWN_GAPS: dict[str, str] = {
    # SQLite stores what PostgreSQL refuses with a 500 (see KNOWN_500S).
    "max_length:referrals.ReferralDraft": (
        "test_draft_with_a_long_family_name_is_saved_or_refused_not_a_500"
    ),
    "max_length:families.Family": "test_postcode_that_grows_when_upper_cased_is_refused",
    "nul:accounts.FormDraft": "test_autosave_with_a_nul_character_in_the_path_is_a_400",
}


def known_500(view: str, exc: BaseException | None) -> Known500 | None:
    if exc is None:
        return None
    for bug in KNOWN_500S:
        if (
            bug.view in (view, "*")
            and type(exc).__name__ == bug.exception
            and re.search(bug.message, str(exc))
        ):
            return bug
    return None
