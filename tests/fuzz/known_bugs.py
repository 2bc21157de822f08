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
    # SQLite only: a search (?q=) longer than SQLite's 50,000-byte LIKE pattern limit.
    Known500(
        "test_a_very_long_search_is_not_a_500_on_sqlite",
        "*",
        "OperationalError",
        r"LIKE or GLOB pattern too complex",
    ),
]

# Invariants (see invariants.py) a known bug breaks, and the test that pins each.
KNOWN_GAPS: dict[str, str] = {}


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
