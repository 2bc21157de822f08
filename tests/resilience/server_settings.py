"""The settings of the web server a fault test starts: production's, except that static
files are served from static/ as in the test suite (the manifest needs collectstatic)."""

from ifss.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
