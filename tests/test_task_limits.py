"""Every Celery task of the project, walked (issue 21):

- has a hard time limit, below the Redis visibility timeout, so a task still running is
  never handed to a second worker;
- is published after commit: a call to .delay/.apply_async is either the on-commit helper,
  or inside a task body or after the transaction closed, as listed here with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

from ifss.celery import app

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "audit",
    "core",
    "dashboard",
    "cases",
    "families",
    "imports",
    "notifications",
    "outcomes",
    "privacy",
    "reference",
    "referrals",
    "reminders",
    "reporting",
    "reviews",
    "teamwork",
]
# (file, function) -> why publishing there is publishing after commit.
PUBLISHERS = {
    ("core/queueing.py", "send"): "transaction.on_commit's callback",
    ("notifications/tasks.py", "send_pending_emails"): "a beat task: no transaction open",
    ("notifications/tasks.py", "send_daily_digests"): "a beat task: no transaction open",
    ("reporting/services.py", "request_figures"): "after its atomic block, in autocommit",
}
# The visibility timeout of the Redis transport (ifss/settings.py).
VISIBILITY_TIMEOUT = 3600


def project_tasks() -> dict[str, object]:
    app.loader.import_default_modules()
    return {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in APPS and not name.startswith("celery.")
    }


def test_every_task_has_a_time_limit_below_the_visibility_timeout():
    tasks = project_tasks()
    assert "reporting.tasks.build_report_card" in tasks
    assert len(tasks) >= 9
    for name, task in tasks.items():
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert task.time_limit, f"{name} has no time limit"
        assert soft and soft < hard, name
        assert hard < VISIBILITY_TIMEOUT, f"{name}: {hard} s is not below the visibility timeout"


def test_the_settings_visibility_timeout_is_the_one_checked():
    # Set only when REDIS_URL is (the filesystem broker has none), so read from the file.
    text = (ROOT / "ifss" / "settings.py").read_text()
    assert re.findall(r'"visibility_timeout": (\d+)', text) == [str(VISIBILITY_TIMEOUT)]


def _publishing_calls():
    for app_name in APPS:
        for path in sorted((ROOT / app_name).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            stack: list[str] = []

            def visit(node: ast.AST, stack: list[str] = stack, path: Path = path):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    stack.append(node.name)
                    for child in ast.iter_child_nodes(node):
                        yield from visit(child)
                    stack.pop()
                    return
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"delay", "apply_async"}
                ):
                    yield str(path.relative_to(ROOT)), (stack[-1] if stack else "<module>")
                for child in ast.iter_child_nodes(node):
                    yield from visit(child)

            yield from visit(tree)


def test_every_publish_is_after_commit():
    found = set(_publishing_calls())
    unlisted = found - set(PUBLISHERS)
    assert not unlisted, (
        f"Tasks published where a transaction may be open: {sorted(unlisted)}. Use "
        "core.queueing.enqueue_on_commit (or delay_on_commit), or list the call "
        "in PUBLISHERS with the reason it runs after commit."
    )
    assert found == set(PUBLISHERS), f"stale entries: {set(PUBLISHERS) - found}"


def test_the_catch_up_and_the_watchdog_run_every_30_seconds():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["send-pending-emails"]["schedule"] <= 30
    assert schedule["watch-jobs"]["schedule"] <= 30
