"""Step 2 of 3: fill the keyed tail index and the agreement flag from the clear columns
and the encrypted number (decrypted once each, as 0004 did); reversible."""

from django.db import migrations

BATCH = 2000


def _parse(number):
    from zhibu.members import idnumber

    try:
        return idnumber.parse(number) if number else None
    except idnumber.InvalidIdNumber:
        return None


def forward(apps, schema_editor):
    from zhibu.members import idnumber

    Member = apps.get_model("members", "Member")
    fields = ["id_tail_index", "id_matches"]
    batch = []
    rows = Member.objects.only("pk", "id_number", "birth_date", "gender").order_by("pk")
    for member in rows.iterator(chunk_size=BATCH):
        number = member.id_number or ""
        info = _parse(number)
        member.id_tail_index = idnumber.tail_index(number) if number else ""
        member.id_matches = (
            info is not None
            and info.birth_date == member.birth_date
            and info.gender == member.gender
        )
        batch.append(member)
        if len(batch) >= BATCH:
            Member.objects.bulk_update(batch, fields)
            batch = []
    Member.objects.bulk_update(batch, fields)


def backward(apps, schema_editor):
    """Refill the clear columns 0008 dropped (only when migrating back)."""
    Member = apps.get_model("members", "Member")
    fields = ["id_last4", "id_birth_date", "id_gender"]
    batch = []
    for member in Member.objects.only("pk", "id_number").order_by("pk").iterator(chunk_size=BATCH):
        number = member.id_number or ""
        info = _parse(number)
        member.id_last4 = number[-4:]
        member.id_birth_date = info.birth_date if info else None
        member.id_gender = info.gender if info else ""
        batch.append(member)
        if len(batch) >= BATCH:
            Member.objects.bulk_update(batch, fields)
            batch = []
    Member.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_id_keyed_tail"),
    ]

    operations = [migrations.RunPython(forward, backward)]
