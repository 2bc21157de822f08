"""Hypothesis strategies for hostile form input.

A form is fuzzed by starting from a payload the page accepts and applying a few mutations:
a field set to a hostile value, a field removed, emptied, or given several values. Hidden
fields (version, submission_key, TOTAL_FORMS, ids) are fields like any other here, and
each target adds values worth trying for its own keys (another team's ids, stale versions).
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import strategies as st

FormValue = str | list[str]
Payload = dict[str, FormValue]

# Values that have broken Django apps before, or that probe a specific edge.
HOSTILE_STRINGS = [
    "",
    " ",
    "\t\n",
    "0",
    "-1",
    "1.5",
    "1e5",
    "1_000",
    "0x10",
    " 7 ",
    "+2",
    "-0",
    "NaN",
    "inf",
    "-Infinity",
    "²",  # str.isdigit() is True, int() refuses it
    "①",
    "١٢",  # Arabic-Indic digits: int() accepts them
    "𝟗",
    "9" * 30,
    "-" + "9" * 30,
    str(2**31),
    str(2**63),
    "ß" * 10,  # upper-cases to twice its length
    "ﬃ" * 4,
    "İ" * 10,  # lower-cases to twice its length
    "\x00",
    "a\x00b",
    "\u202e",
    "\ufeff",
    "\u2028",
    "%s%s%s",
    "{{ 7|add:7 }}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "//evil.example/",
    "https://evil.example/",
    "null",
    "true",
    "on",
    "yes",
    "no",
    "[]",
    "{}",
    "2024-02-30",
    "2023-02-29",
    "0000-00-00",
    "31/12/2024",
    "12/31/2024",
    "2024-13-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2025-03-30T01:30",  # does not exist in Europe/London
    "2025-10-26T01:30",  # happens twice in Europe/London
    "2025-01-01T25:00",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
]

control_text = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]), max_size=20
)
# Up to ~25,000 characters: past every max_length in the app, cheaply.
long_text = st.builds(
    lambda chunk, times: chunk * times,
    st.text(min_size=1, max_size=5),
    st.sampled_from([61, 121, 201, 301, 501, 5001]),
)
integer_text = st.integers(min_value=-(2**70), max_value=2**70).map(str)
date_text = st.dates().map(date.isoformat)
datetime_text = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
    lambda d: d.isoformat(timespec="minutes")
)
decimal_text = st.decimals(allow_nan=True, allow_infinity=True).map(str)


def values(extra: list[str] | tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """One hostile form value. `extra` are values the target chose for this key (other
    teams' ids, stale versions, edge dates): drawn half the time, as they reach deeper."""
    hostile = st.one_of(
        st.sampled_from(HOSTILE_STRINGS),
        st.text(max_size=40),
        control_text,
        long_text,
        integer_text,
        date_text,
        datetime_text,
        decimal_text,
    )
    return st.one_of(st.sampled_from(list(extra)), hostile) if extra else hostile


@st.composite
def mutated(
    draw: st.DrawFn,
    payload: Payload,
    *,
    extra_keys: list[str] | tuple[str, ...] = (),
    key_values: dict[str, list[str]] | None = None,
    any_values: list[str] | tuple[str, ...] = (),
    max_mutations: int = 4,
) -> Payload:
    """The payload with 1..max_mutations fields changed, removed or given several values."""
    key_values = key_values or {}
    form: Payload = {k: (list(v) if isinstance(v, list) else v) for k, v in payload.items()}
    keys = sorted(set(payload) | set(extra_keys) | set(key_values))
    for _ in range(draw(st.integers(1, max_mutations))):
        key = draw(st.sampled_from(keys))
        value = values([*key_values.get(key, ()), *any_values])
        op = draw(st.sampled_from(["set", "set", "set", "delete", "empty", "list"]))
        if op == "delete":
            form.pop(key, None)
        elif op == "empty":
            form[key] = ""
        elif op == "list":
            form[key] = draw(st.lists(value, min_size=2, max_size=4))
        else:
            form[key] = draw(value)
    return form


# --- JSON bodies (autosave) -------------------------------------------------------------

json_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(HOSTILE_STRINGS),
    # Lone surrogates are legal in JSON ("\ud800") though not in UTF-8.
    st.text(alphabet=st.characters(categories=["Cs", "Cc"]), min_size=1, max_size=3),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    json_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(json_text, children, max_size=4)
    ),
    max_leaves=12,
)
