"""Step 1 of 3: the keyed last-four index and the yes/no agreement flag (issue 14, item 2).

Three migrations rather than one so that on PostgreSQL the data step (0007) and the
column drops (0008) run in separate transactions.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_member_name_birth_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="id_matches",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="member",
            name="id_tail_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=16),
        ),
    ]
