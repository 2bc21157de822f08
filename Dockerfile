# syntax=docker/dockerfile:1
#
# IFSS Case Manager - production image.
#
#   docker build -t ifss-case-manager .
#   docker run --env-file .env -p 8000:8000 ifss-case-manager
#
# The same image runs the web server (default CMD), the Celery worker/beat and
# one-off management commands; see docker-compose.yml.

FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint (PDF) system libraries, fonts, MIME data, and libpq for PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libjpeg62-turbo \
        libopenjp2-7 \
        libffi8 \
        fonts-dejavu-core \
        shared-mime-info \
        libpq5 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged runtime user.
RUN groupadd --system --gid 1000 ifss \
    && useradd --system --uid 1000 --gid ifss --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin ifss

WORKDIR /app

# Install the project and its pinned dependencies.
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
    && rm -rf build ./*.egg-info

ENV DJANGO_SETTINGS_MODULE=ifss.settings \
    PYTHONUNBUFFERED=1 \
    IFSS_DATA_DIR=/app/var

# Collect static files into the image (served by WhiteNoise). The secret is
# only needed so settings import; it is not baked into the runtime env.
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput
# The Welsh catalogue, compiled (the .mo files are not in git).
RUN DJANGO_SECRET_KEY=build-only python manage.py compilemessages -v 0

# Runtime data dir (SQLite, Celery filesystem broker, media) must be writable by
# the app user; a named volume mounted on /app/var/media inherits this ownership.
RUN mkdir -p /app/var/media /app/var/celery \
    && chown -R ifss:ifss /app/var

USER ifss

EXPOSE 8000

CMD ["gunicorn", "ifss.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
