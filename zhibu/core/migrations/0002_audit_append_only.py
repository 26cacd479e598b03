"""The database refuses UPDATE and DELETE on the audit table (append-only)."""

from django.db import migrations

from zhibu.core import dbguard


def install(apps, schema_editor):
    dbguard.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    dbguard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit")]

    operations = [migrations.RunPython(install, uninstall)]
