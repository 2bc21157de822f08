"""Each pytest-xdist worker gets a Redis database of its own (tests/xdist_workers.py)."""

from __future__ import annotations

import pytest

from tests.xdist_workers import redis_url_for_worker


@pytest.mark.parametrize(
    ("url", "index", "expected"),
    [
        ("redis://127.0.0.1:6379/0", 1, "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/5", 0, "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379/5", 1, "redis://127.0.0.1:6379/6"),
        ("redis://127.0.0.1:6379", 1, "redis://127.0.0.1:6379/1"),
        ("redis://:secret@redis:6379/2?timeout=3", 2, "redis://:secret@redis:6379/4?timeout=3"),
        ("rediss://cache.example:6380/0", 3, "rediss://cache.example:6380/3"),
    ],
)
def test_each_worker_has_a_redis_database_of_its_own(url: str, index: int, expected: str) -> None:
    assert redis_url_for_worker(url, index) == expected


def test_a_url_it_cannot_read_is_left_as_it_is() -> None:
    assert redis_url_for_worker("unix:///run/redis.sock", 1) == "unix:///run/redis.sock"
