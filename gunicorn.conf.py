"""Gunicorn's settings for this app, read from the working directory (gunicorn loads
./gunicorn.conf.py by default: the Dockerfile's and docker-compose's `gunicorn` commands).

Gunicorn names itself in a `Server: gunicorn` header on every response and has no setting
to leave it out; the header tells an attacker which server (and so which advisories) to
try. It is dropped here, before any worker starts."""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server_header(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server_header
