"""The table of the database cache ``shared`` (settings.CACHES): sign-in throttling and the
API's bad-token counter are counted there so every process sees the same counts."""

from django.core.management import call_command
from django.db import migrations

TABLE = "zhibu_cache"


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_password_history")]

    operations = [migrations.RunPython(create, drop)]
