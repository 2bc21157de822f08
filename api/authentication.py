"""Bearer tokens of partner clients (api.models.ApiToken)."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from .services import token_for_key


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give one token after 'Bearer'.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
        return (token.client.user, token)

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
