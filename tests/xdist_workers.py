"""What each pytest-xdist worker must not share with the others, set before Django's settings
are read (so it is a plugin, `pytest -p tests.xdist_workers`, as `make test` loads it: a
conftest is imported after pytest-django has loaded the settings).

- The test database: pytest-django already gives each worker its own (test_<name>_gw0...).
- Redis: worker N uses database <the REDIS_URL's> + N, so one worker's broker traffic (and
  any key a test writes) never meets another's.
- IFSS_DATA_DIR (media uploads, the filesystem broker's folders): a folder per worker under
  the one configured (default ./var), so no two workers write the same file.

Live servers, private redis-servers and proxies take free ports from the system
(tests/resilience/stack.py free_port; pytest-django's live_server binds port 0), and the
backup test restores into a database named after its worker's own with a random suffix.

Outside xdist (a single process: PYTEST_XDIST_WORKER unset) this changes nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path


def _worker_index() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"...
    match = re.fullmatch(r"gw(\d+)", worker)
    if match:
        return int(match.group(1))
    # A process run beside the xdist workers (`make test` runs the browser tests so) is
    # given a slot of its own, past the last worker's: IFSS_TEST_SLOT=<the workers' count>.
    slot = os.environ.get("IFSS_TEST_SLOT", "")
    return int(slot) if slot.isdigit() else None


def redis_url_for_worker(url: str, index: int) -> str:
    """redis://host:port/3 for worker 2 of redis://host:port/1 (no database: 0)."""
    match = re.fullmatch(r"(?P<base>rediss?://[^/?#]*)(?:/(?P<db>\d*))?(?P<rest>[?#].*)?", url)
    if not match:
        return url
    db = int(match.group("db") or 0) + index
    return f"{match.group('base')}/{db}{match.group('rest') or ''}"


def _isolate(index: int) -> None:
    url = os.environ.get("REDIS_URL", "")
    if url:
        os.environ["REDIS_URL"] = redis_url_for_worker(url, index)
    root = Path(os.environ.get("IFSS_DATA_DIR") or Path(__file__).resolve().parent.parent / "var")
    os.environ["IFSS_DATA_DIR"] = str(root / "xdist" / f"gw{index}")


_index = _worker_index()
if _index is not None:
    _isolate(_index)
