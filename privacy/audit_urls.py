from django.urls import path

from . import audit_log

# The audit log page: in the privacy app, as it reads the records of every app to show a
# manager only the entries about records they may see; its URL names stay "audit:".
app_name = "audit"
urlpatterns = [path("", audit_log.audit_log, name="log")]
