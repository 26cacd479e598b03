"""Step 3 of 3: drop the clear fragments of the ID number (last four digits, the birth
date and sex it encodes), from the members and from their history."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_id_keyed_tail_fill"),
    ]

    operations = [
        migrations.RemoveField(model_name="historicalmember", name="id_last4"),
        migrations.RemoveField(model_name="member", name="id_birth_date"),
        migrations.RemoveField(model_name="member", name="id_gender"),
        migrations.RemoveField(model_name="member", name="id_last4"),
    ]
