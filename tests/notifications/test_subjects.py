"""Email subjects (and the notifications they are sent from) name a case or referral by its
reference, never by the family's name: a subject shows in inbox lists, on phone lock screens
and in mail server logs, where the body does not.

Enumerated: every call in the project that sends a notification or an email is found in the
source, must be listed in SENDERS (so a new kind of notification is looked at), and the
expression its subject is built from may not touch a family or a person's name."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

SENDS = {
    "notify_user",
    "notify_address",
    "tell_referrer",
    "send_mail",
    "EmailMessage",
    "EmailMultiAlternatives",
}
NAMES = {"family", "family_name", "last_name", "surname", "first_name", "get_full_name", "name"}

# module.function -> the subject it sends.
SENDERS = {
    "accounts.twofactor._send_code": "IFSS Case Manager: your two-factor set-up code",
    "cases.services._tell_referrer_of_stage": "Referral 12: Phase 2",
    "notifications.services.send_notification_email_now": "(the notification's subject)",
    "notifications.services.send_digest": "IFSS Case Manager: 3 notifications",
    "referrals.services._alert_managers": "New referral for North IFST: Referral 12",
    "referrals.services.decide_referral": "Referral 12: Accepted",
    "notifications.services.tell_referrer": "(its callers' subject)",
    "referrals.services.allocate_referral": "New case allocated: Case 7 / Referral 12: allocated",
    "reminders.services._send": "Due now: Phase 2 review, Case 7",
    "reminders.services._summarise": "5 overdue items in North IFST",
    "reminders.services.recheck_waiting_list": "A practitioner has capacity: ...",
    "reporting.services.run_build": "Report card ready: North IFST, Q1 2025-26",
    "cases.services.request_phase1_signoff": "Sign-off asked: ending Phase 1 early for Case 7",
    "cases.services.decide_phase1_signoff": "Signed off: ending Phase 1 early for Case 7",
    "reporting.services._published": "Report card published: North IFST, Q1 2025-26",
    "reviews.services.send_review_report": "1-month review report: Referral 12",
    "reviews.services.submit_review_report": "1-month review report to sign off: Case 7",
}


def source_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    skip = {"tests", "migrations", "management", ".venv", "bench", "synthetic"}
    return [
        p
        for p in root.rglob("*.py")
        if not skip & set(p.relative_to(root).parts) and "site-packages" not in p.parts
    ]


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _touched(node: ast.AST) -> set[str]:
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.add(f"'{sub.value}'")
    return found


def _resolved(
    expr: ast.AST, function: ast.FunctionDef, depth: int = 0, module: dict | None = None
) -> set[str]:
    """The names an expression touches, following a local variable that stands for the
    whole subject or for its % arguments to what it was assigned (a function's parameters
    are its callers' business; an object such as `case` is not followed: its attributes
    are what the expression names)."""
    touched = _touched(expr)
    holders = set()
    if isinstance(expr, ast.Name):
        holders.add(expr.id)
    for sub in ast.walk(expr):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Mod):
            if isinstance(sub.right, ast.Name):
                holders.add(sub.right.id)
    params = {a.arg for a in function.args.args + function.args.kwonlyargs}
    if depth > 4 or not holders - params:
        return touched
    wanted = holders - params
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
        if targets & wanted:
            touched |= _resolved(node.value, function, depth + 1, module)
        # `subject, body = _message(...)`: the helper's own `subject = ...`.
        unpacked = {
            e.id
            for t in node.targets
            if isinstance(t, ast.Tuple)
            for e in t.elts
            if isinstance(e, ast.Name)
        }
        helper = (
            (module or {}).get(_callee(node.value)) if isinstance(node.value, ast.Call) else None
        )
        if unpacked & wanted and helper is not None:
            for inner in ast.walk(helper):
                if isinstance(inner, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in unpacked & wanted for t in inner.targets
                ):
                    touched |= _resolved(inner.value, helper, depth + 1, module)
    return touched


def _subject_texts(
    subject: ast.AST, function: ast.FunctionDef, functions: dict
) -> list[tuple[ast.AST, ast.FunctionDef]]:
    """A subject given as a function (so each reader gets it in their own language, issue
    17) is followed to the text it makes: a lambda's body, a nested function's returns, or
    `helper(...)[0]`'s own `subject = ...` in a helper of the module."""
    if isinstance(subject, ast.Lambda):
        subject = subject.body
    if isinstance(subject, ast.Name):
        nested = next(
            (
                f
                for f in ast.walk(function)
                if isinstance(f, ast.FunctionDef) and f is not function and f.name == subject.id
            ),
            None,
        )
        if nested is not None:
            return [
                (r.value, nested)
                for r in ast.walk(nested)
                if isinstance(r, ast.Return) and r.value is not None
            ]
    if (
        isinstance(subject, ast.Subscript)
        and isinstance(subject.value, ast.Call)
        and _callee(subject.value) in functions
    ):
        helper = functions[_callee(subject.value)]
        return [
            (a.value, helper)
            for a in ast.walk(helper)
            if isinstance(a, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "subject" for t in a.targets)
        ]
    return [(subject, function)]


def senders() -> dict[str, set[str]]:
    """module.function -> every name its subjects touch."""
    root = Path(settings.BASE_DIR)
    out: dict[str, set[str]] = {}
    for path in source_files():
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        tree = ast.parse(path.read_text())
        functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call) or _callee(call) not in SENDS:
                    continue
                subject = next((k.value for k in call.keywords if k.arg == "subject"), None)
                if subject is None and call.args and _callee(call) == "send_mail":
                    subject = call.args[0]
                touched: set[str] = set()
                if subject is not None:
                    for text, where in _subject_texts(subject, function, functions):
                        touched |= _resolved(text, where, module=functions)
                out.setdefault(f"{module}.{function.name}", set()).update(touched)
    return out


def test_every_notification_and_email_sender_is_listed() -> None:
    assert set(senders()) == set(SENDERS)


def test_no_subject_is_built_from_a_family_or_a_persons_name() -> None:
    named = {where: sorted(touched & NAMES) for where, touched in senders().items()}

    assert {where: names for where, names in named.items() if names} == {}


def test_the_reminders_subjects_are_followed_into_their_helper() -> None:
    assert {"reference", "label"} <= senders()["reminders.services._send"]


def test_the_check_catches_a_family_name() -> None:
    function = ast.parse(
        "def f(referral):\n"
        "    words = {'family': referral.family}\n"
        "    subject = _('Referral for %(family)s') % words\n"
        "    notify_user(recipient=u, subject=subject, body='')\n"
    ).body[0]
    call = next(
        n for n in ast.walk(function) if isinstance(n, ast.Call) and _callee(n) == "notify_user"
    )
    subject = next(k.value for k in call.keywords if k.arg == "subject")

    assert "family" in _resolved(subject, function)
