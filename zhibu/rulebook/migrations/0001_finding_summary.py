from django.db import migrations, models


def build(apps, schema_editor):
    """Summaries for the findings already stored (the run keeps them current from now on)."""
    from zhibu.rulebook import summary

    summary.rebuild()


class Migration(migrations.Migration):
    initial = True

    dependencies = [("core", "0006_audit_algorithm")]

    operations = [
        migrations.CreateModel(
            name="FindingSummary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("org_path", models.CharField(max_length=255)),
                ("depth", models.PositiveSmallIntegerField()),
                ("rule_code", models.CharField(max_length=10)),
                ("period_code", models.CharField(max_length=10)),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                ("status", models.CharField(max_length=10)),
                ("own", models.IntegerField(default=0)),
                ("total", models.IntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["depth", "org_path"], name="findingsummary_depth_path")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("org_path", "rule_code", "period_code", "status"),
                        name="findingsummary_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SummaryVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("org_path", models.CharField(max_length=255, unique=True)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
