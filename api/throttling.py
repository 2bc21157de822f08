"""A rate limit per client (ApiClient.requests_per_minute), counted in the cache."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from .permissions import client_of


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def __init__(self) -> None:  # the rate is the client's, known only per request
        pass

    def allow_request(self, request, view) -> bool:  # noqa: ANN001
        client = client_of(request)
        if client is None:
            return True  # no client, no call: authentication answers it
        self.rate = f"{client.requests_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:  # noqa: ANN001
        client = client_of(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
