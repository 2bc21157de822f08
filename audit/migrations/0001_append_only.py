"""Make the audit log append-only on PostgreSQL: the application's own database user can
insert rows but cannot update or delete them. (SQLite, for development, has no such guard.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ifss_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ifss_audit_append_only ON auditlog_logentry;
CREATE TRIGGER ifss_audit_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION ifss_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS ifss_audit_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS ifss_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the % in RAISE is PL/pgSQL's, not a query placeholder.
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunPython(forwards, backwards)]
