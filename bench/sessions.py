"""Sign the load test's users in ahead of the run: one server-side session per simulated
user and account, made as django.contrib.auth.login makes them. A password sign-in costs
about a second and a half of PBKDF2 on this machine, by design; doing 100 of them inside
the measured window would measure the hasher, not the pages. (locustfile.py checks one
real password sign-in per user class at start.)

    python bench/sessions.py N   -> bench/out/sessions.json"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import identify_hasher  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from accounts.middleware import EXEMPT_KEY  # noqa: E402
from accounts.models import User  # noqa: E402

OUT = ROOT / "bench" / "out"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    targets = json.loads((OUT / "targets.json").read_text())
    sessions: dict[str, list[str]] = {}
    password = os.environ.get("BENCH_PASSWORD", "synthetic-pass")
    for username in sorted(set(targets["users"].values())):
        user = User.objects.get(username=username)
        # The generator's hashes use a fixed salt, which Django re-hashes at the first
        # password sign-in; that changes the session hash and would sign out every session
        # made here. Re-hash first, as that sign-in would.
        if identify_hasher(user.password).must_update(user.password):
            user.set_password(password)
            user.save(update_fields=["password"])
        keys = []
        for _ in range(n):
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store[EXEMPT_KEY] = True  # two-factor is not required in the bench settings
            store.create()
            keys.append(store.session_key)
        sessions[username] = keys
    (OUT / "sessions.json").write_text(json.dumps(sessions))
    print(f"{n} sessions each for {', '.join(sessions)}")


if __name__ == "__main__":
    main()
