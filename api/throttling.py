"""A rate limit per client (ApiClient.requests_per_minute), counted in the cache every
process shares (settings.CACHES["api_throttle"]: Redis when REDIS_URL is set), so the limit
holds across gunicorn workers. If that cache cannot be reached the call is let through and
logged: a partner's referral is not refused because the counter is down (the token, scope
and team checks still apply)."""

from __future__ import annotations

import logging

from django.core.cache import caches
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from .permissions import client_of

log = logging.getLogger(__name__)


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    @property
    def cache(self):
        return caches["api_throttle"]

    def __init__(self) -> None:  # the rate is the client's, known only per request
        pass

    def allow_request(self, request, view) -> bool:
        client = client_of(request)
        if client is None:
            return True  # no client, no call: authentication answers it
        self.rate = f"{client.requests_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            log.warning("API rate limit not counted: the shared cache is unreachable")
            return True

    def get_cache_key(self, request, view) -> str | None:
        client = client_of(request)
        if client is None:
            return None
        # The client's row and when it was made: a client id reused by another database
        # (a restored backup, a test run) never inherits an old count.
        ident = f"{client.pk}-{client.created_at.timestamp():.6f}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
