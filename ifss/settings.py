"""One settings module, driven by environment variables (see .env.example)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATA_DIR = Path(os.environ.get("IFSS_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "core",
    "accounts",
    "reference",
    "families",
    "referrals",
    "cases",
    "outcomes",
    "reviews",
    "teamwork",
    "reporting",
    "privacy",
    "notifications",
    "reminders",
    "audit",
    "synthetic",
    "imports",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's remembered language wins over the cookie and the browser.
    "accounts.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Renews the idle timeout, writing the session at most once a minute.
    "accounts.middleware.SessionRenewalMiddleware",
    # Every view is private unless it is marked with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.FormDraftMiddleware",
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a lockout raised during sign-in into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "ifss.urls"
WSGI_APPLICATION = "ifss.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        # Connections are kept for 10 minutes (checked before reuse), and with them the
        # statements PostgreSQL has prepared and planned (below).
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default, shared by the web server's threads and the Celery worker: a
    # writer waits up to 20 s for the lock instead of failing with "database is locked",
    # and every transaction takes the write lock when it begins (BEGIN IMMEDIATE), so two
    # that read and then write (decide, allocate) queue up rather than deadlock, which
    # SQLite would answer at once with that error whatever the timeout. WAL lets pages be
    # read while a write is under way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # Parameters bound on the server and statements prepared on their second use, so
    # PostgreSQL plans a page's queries once per connection rather than on every request
    # (the case page's one-case lookup joins eleven tables: 4 ms to plan, 0.4 ms to run;
    # docs/performance.md). Turn off behind a pooler that cannot keep prepared statements
    # (PgBouncer in transaction mode before 1.21).
    if env_bool("IFSS_DB_PREPARED_STATEMENTS", True):
        _options.update(server_side_binding=True, prepare_threshold=2)
    # The planner's cost of reading a page at random, for this app's connections. The
    # server's default (4) is for spinning disks, and keeps the report card's joins from the
    # indexes they have (all-teams quarterly figures 2.1 -> 1.8 s, the 8-quarter card 15 ->
    # 12 s; docs/performance.md); 1.1 suits SSDs and a database that fits in memory. Empty:
    # the server's own setting. Checked: it rides in the connection's options.
    _page_cost = os.environ.get("IFSS_DB_RANDOM_PAGE_COST", "1.1").strip()
    if _page_cost:
        if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,4})?", _page_cost):
            raise ImproperlyConfigured(
                f"IFSS_DB_RANDOM_PAGE_COST must be a number such as 1.1, not {_page_cost!r}."
            )
        _options["options"] = " ".join(
            filter(None, [_options.get("options"), f"-c random_page_cost={_page_cost}"])
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from <meta name="csrf-token">
# Idle timeout: every request renews the session; the page warns before it ends. The
# session is written only when its last renewal is over SESSION_TOUCH_SECONDS old
# (accounts.middleware.SessionRenewalMiddleware), not on every request: the timeout may
# end up to that many seconds early.
SESSION_IDLE_MINUTES = int(os.environ.get("IFSS_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# A strict Content Security Policy: our own origin only, no inline scripts or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Sign-in lockout (django-axes): IFSS_LOCKOUT_FAILURES failures for one user name, or the
# larger IFSS_LOCKOUT_ADDRESS_FAILURES from one client address for any names (password
# spraying), lock for IFSS_LOCKOUT_MINUTES: short, so a stranger cannot keep a named worker
# out, and the address limit high enough for a council office behind one NAT address
# (accounts/lockout.py).
AXES_FAILURE_LIMIT = int(os.environ.get("IFSS_LOCKOUT_FAILURES", "5"))
IFSS_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("IFSS_LOCKOUT_ADDRESS_FAILURES", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("IFSS_LOCKOUT_MINUTES", "10")))
AXES_HANDLER = "accounts.lockout.NameAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address in AXES_LOCKOUT_PARAMETERS, which would hold it to the
# user name's limit (and reset it on any success from it); the handler above counts the
# address against its own, larger limit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if not env_bool("DJANGO_HSTS_PRELOAD", False):
    # security.W021: HSTS preload is a commitment that is hard to undo; a council opts in
    # with DJANGO_HSTS_PRELOAD=true once its domain is ready for the preload list.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # models.W040: SQLite (the embedded default) leaves out an index's included columns.
    # The report card's covering indexes (docs/performance.md) are for PostgreSQL; on
    # SQLite they are plain indexes on their key columns, which is all the warning says.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("IFSS_PROXY_COUNT", "0")) or None

# Two-factor sign-in is required for these roles and for administrators.
TWO_FACTOR_ROLES = env_list("IFSS_TWO_FACTOR_ROLES", "manager,performance")
TWO_FACTOR_FOR_ADMINS = env_bool("IFSS_TWO_FACTOR_FOR_ADMINS", True)
OTP_TOTP_ISSUER = "IFSS Case Manager"
# The Django admin never shows an authenticator's key, its QR code or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Audit: who viewed and who changed what (django-auditlog), kept append-only.
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Board outputs show counts below this as "<N" (small-number suppression); 0 turns it off.
REPORT_SUPPRESS_BELOW = int(os.environ.get("IFSS_REPORT_SUPPRESS_BELOW", "5"))
# Stored report figures (reporting/store.py): a period's figures are reused for this many
# seconds; the events of a period that ended this many days before they were computed
# (settled) are reused for a day, and computed again every night.
REPORT_FIGURES_MAX_AGE = int(os.environ.get("IFSS_REPORT_FIGURES_MAX_AGE", "900"))
REPORT_SETTLE_DAYS = int(os.environ.get("IFSS_REPORT_SETTLE_DAYS", "31"))
REPORT_SETTLED_MAX_AGE = int(os.environ.get("IFSS_REPORT_SETTLED_MAX_AGE", "90000"))

# The benchmark's floor page (/bench/floor/, dashboard.views.bench_floor): a signed-in page
# with one query and a one-line template, served only while this is on (404 otherwise).
BENCH_FLOOR = env_bool("IFSS_BENCH_FLOOR", False)

# Retention of closed cases before a manager reviews them for anonymisation.
RETENTION_YEARS = int(os.environ.get("IFSS_RETENTION_YEARS", "7"))

# Uploads: nothing is uploaded today; these bound any future file field.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# The compose health checks call these over plain HTTP inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Email ----------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "IFSS Case Manager <no-reply@example.org>"
)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Caches ---------------------------------------------------------------
# The default cache is each process's memory. The API's rate limits are counted in a cache
# every process shares (Redis when REDIS_URL is set), so a partner client's limit holds
# across gunicorn workers (api.throttling); without Redis (make run: one process) it is
# that process's memory.
_REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api_throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _REDIS_URL,
            "KEY_PREFIX": "ifss-api",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}

# --- Celery ---------------------------------------------------------------
# With REDIS_URL unset the broker is kombu's filesystem transport under
# IFSS_DATA_DIR, so `make run` needs no server: it starts a worker beside
# runserver that reads the same folders.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # One quick retry: a web request must not hang on a broker that is down.
    # visibility_timeout: Redis gives a taken, unacknowledged task to another worker after
    # this long. It must exceed every task's hard time limit (the longest, the nightly
    # figure refresh, is 3300 s; tests/test_job_limits.py walks every task), or a task
    # still running would be started a second time. A worker that died is not waited for
    # that long: the job watchdog (reporting.jobs) and the email catch-up redo its work.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": 3600,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
else:
    _broker_dir = DATA_DIR / "celery"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# A broker that is down must not hang a web request: fail fast, the sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sweep-reminders": {
        "task": "reminders.tasks.sweep_reminders",
        "schedule": float(os.environ.get("IFSS_SWEEP_SECONDS", "900")),
    },
    "quarterly-report-cards": {
        "task": "reporting.tasks.quarterly_report_cards",
        "schedule": crontab(hour=6, minute=30),
    },
    "refresh-report-figures": {
        "task": "reporting.tasks.refresh_report_figures",
        "schedule": crontab(hour=2, minute=15),
    },
    "daily-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # The catch-up of emails whose task never reached the broker: every 30 s, so that
    # what was missed during a broker outage goes out within a minute of its return.
    "send-pending-emails": {
        "task": "notifications.tasks.send_pending_emails",
        "schedule": float(os.environ.get("IFSS_CATCH_UP_SECONDS", "30")),
    },
    # Long jobs whose worker is gone or whose deadline passed: queued again or failed.
    "watch-jobs": {
        "task": "reporting.tasks.watch_jobs",
        "schedule": float(os.environ.get("IFSS_WATCHDOG_SECONDS", "30")),
    },
    # History imports whose message was lost, or whose worker died, are taken up again.
    "sweep-imports": {
        "task": "imports.tasks.sweep_imports",
        "schedule": float(os.environ.get("IFSS_WATCHDOG_SECONDS", "30")),
    },
}
# A running long job beats this often; silent for 4 beats, its worker counts as gone.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("IFSS_JOB_HEARTBEAT_SECONDS", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}


# --- Partner API (api/, docs/api.md) ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsClient"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IFSS Case Manager partner API",
    "DESCRIPTION": "Submit referrals, poll their decisions, read published figures and "
    "reference lists. Errors are RFC 9457 problem details (application/problem+json).",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's files, served by this site (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
