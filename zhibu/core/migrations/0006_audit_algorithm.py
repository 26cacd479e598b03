"""Record each audit event's hash algorithm: the events already stored are plain
SHA-256; new events are HMAC-SHA256 (zhibu.core.audit).

Adding a column with a default rewrites no row through UPDATE, so the append-only
triggers stay quiet; on SQLite the table is rebuilt (INSERT … SELECT), which drops its
triggers, so they are installed again afterwards (idempotent on PostgreSQL).
"""

from django.db import migrations, models

from zhibu.core import dbguard


def install(apps, schema_editor):
    dbguard.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_finding_digest")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="algorithm",
            field=models.CharField(
                choices=[("sha256", "SHA-256"), ("hmac-sha256", "HMAC-SHA256")],
                default="sha256",
                max_length=16,
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
