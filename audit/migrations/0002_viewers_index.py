"""An index for the case page's "Who has viewed this record" (audit.services.recent_viewers):
a record's latest views, newest first. Without it PostgreSQL reads every view of the record
(thousands for a long-running case) to sort them and keep 20: 9.4 ms for 3,779 views on the
national dataset; with it, the 20 newest from the index (docs/performance.md)."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS ifss_logentry_viewers_idx ON auditlog_logentry "
    '(content_type_id, object_pk, action, "timestamp" DESC)'
)
DROP = "DROP INDEX IF EXISTS ifss_logentry_viewers_idx"


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_append_only"), ("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunSQL(CREATE, DROP)]
