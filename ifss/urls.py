from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ifss import health

admin.site.site_header = _("IFSS Case Manager administration")
admin.site.site_title = _("IFSS Case Manager")

# An unreachable database is told as an outage (503), not as a server error.
handler500 = health.server_error

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("referrals/", include("referrals.urls")),
    path("cases/", include("dashboard.case_urls")),
    path("cases/", include("outcomes.urls")),
    path("reviews/", include("reviews.urls")),
    path("due/", include("reminders.urls")),
    path("audit/", include("privacy.audit_urls")),
    path("reporting/", include("reporting.urls")),
    path("reporting/", include("teamwork.urls")),
    path("privacy/", include("families.urls")),
    path("privacy/", include("privacy.urls")),
    path("notifications/", include("notifications.urls")),
    path("imports/", include("imports.urls")),
    path("api/", include("api.urls")),
    path("data-return/", include("api.datareturn_urls")),
    path("admin/", admin.site.urls),
]
