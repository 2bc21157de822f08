"""The Welsh catalogue is complete and up to date with the code.

- No entry of locale/cy/LC_MESSAGES/django.po or djangojs.po is untranslated or fuzzy.
- ``makemessages`` run on a copy of the code (into a copy of the catalogue) finds no msgid
  the catalogue lacks, and none it has that the code no longer uses: a string marked since
  the last ``make messages`` fails here until the catalogue is brought up to date and
  translated (docs/welsh.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.i18n.po import CATALOGUES, active, read

ROOT = Path(__file__).resolve().parents[2]
# What `make messages` ignores (Makefile MESSAGES_IGNORE), and what a copy need not hold.
SKIPPED = {".venv", "tests", "bench", "staticfiles", "var", "node_modules", ".git", "vendor"}
SKIPPED |= {"__pycache__", ".pytest_cache", ".ruff_cache", "test-results", "docs"}


def _listing(entries: list) -> str:
    return "\n".join(f"  {e.msgid!r}" for e in entries[:40]) + (
        f"\n  ... and {len(entries) - 40} more" if len(entries) > 40 else ""
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_every_entry_is_translated_and_none_is_fuzzy(path: Path) -> None:
    entries = active(path)
    assert entries, f"{path} has no entries"
    untranslated = [e for e in entries if not e.translated]
    fuzzy = [e for e in entries if e.fuzzy]
    assert not untranslated, (
        f"{len(untranslated)} untranslated in {path.name} (translate them: docs/welsh.md):\n"
        + _listing(untranslated)
    )
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {path.name} (check them):\n" + _listing(fuzzy)


def test_python_format_placeholders_are_kept() -> None:
    """A translation that drops or renames a %(name)s would raise or lose a value."""
    wrong = []
    for path in CATALOGUES:
        for e in active(path):
            wanted = set(re.findall(r"%\((\w+)\)s", e.msgid + e.msgid_plural))
            for text in e.msgstrs:
                if text and set(re.findall(r"%\((\w+)\)s", text)) - wanted:
                    wrong.append(e)
                elif (
                    text and not e.msgid_plural and set(re.findall(r"%\((\w+)\)s", text)) != wanted
                ):
                    wrong.append(e)
    assert not wrong, "placeholders differ:\n" + _listing(wrong)


def _copy_code(target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIPPED or n.endswith((".sqlite3", ".mo", ".pyc"))}

    for item in ROOT.iterdir():
        if item.name in SKIPPED or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name, ignore=ignore, symlinks=True)
        elif item.suffix in {".py", ".toml", ".cfg"}:
            shutil.copy2(item, target / item.name)


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="gettext is not installed")
def test_the_catalogue_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    _copy_code(tmp_path)
    env = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "ifss.settings"}
    env.pop("DATABASE_URL", None)  # makemessages needs no database
    for domain in ("django", "djangojs"):
        done = subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "cy", "-d", domain]
            + ["--no-location", "--no-obsolete"]
            + [f"--ignore={name}" for name in ("tests", "bench", "staticfiles", "var")]
            + ["--ignore=static/vendor", "--ignore=node_modules"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    for committed in CATALOGUES:
        fresh = tmp_path / committed.relative_to(ROOT)
        have = {(e.msgid, e.msgid_plural) for e in active(committed)}
        code = {(e.msgid, e.msgid_plural) for e in read(fresh) if not e.obsolete}
        missing = sorted(m for m, _p in code - have)
        unused = sorted(m for m, _p in have - code)
        assert not missing, (
            f"{len(missing)} strings marked in the code are not in {committed.name}: run "
            "`make messages` and translate them (docs/welsh.md):\n"
            + "\n".join(f"  {m!r}" for m in missing[:40])
        )
        assert not unused, (
            f"{len(unused)} entries of {committed.name} are no longer in the code: run "
            "`make messages`:\n" + "\n".join(f"  {m!r}" for m in unused[:40])
        )
