"""A small reader of gettext .po files (no third-party package): each entry's msgid,
msgid_plural, msgstr(s), flags and whether it is obsolete (#~)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGUES = [
    LOCALE / "cy" / "LC_MESSAGES" / "django.po",
    LOCALE / "cy" / "LC_MESSAGES" / "djangojs.po",
]


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def _string(text: str) -> str:
    return ast.literal_eval(text)


def read(path: Path) -> list[Entry]:
    """Every entry but the header (msgid "")."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = Entry()
        current: str | None = None
        index = 0
        for raw in block.splitlines():
            line = raw
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].lstrip()
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith("msgid_plural "):
                current, entry.msgid_plural = "plural", _string(line[13:])
            elif line.startswith("msgid "):
                current, entry.msgid = "msgid", _string(line[6:])
            elif line.startswith("msgstr["):
                current = "msgstr"
                index = len(entry.msgstrs)
                entry.msgstrs.append(_string(line.split("]", 1)[1].strip()))
            elif line.startswith("msgstr "):
                current, index = "msgstr", len(entry.msgstrs)
                entry.msgstrs.append(_string(line[7:]))
            elif line.startswith('"'):
                if current == "msgid":
                    entry.msgid += _string(line)
                elif current == "plural":
                    entry.msgid_plural += _string(line)
                elif current == "msgstr":
                    entry.msgstrs[index] += _string(line)
        if current is not None and entry.msgid:
            entries.append(entry)
    return entries


def active(path: Path) -> list[Entry]:
    return [e for e in read(path) if not e.obsolete]
