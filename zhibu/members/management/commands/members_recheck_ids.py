"""Recompute what each stored ID number says (format; birth date and sex agree).

The application derives these whenever it stores a number; run this after ID numbers were
changed outside Zhibu (a database repair, a restore) so the nightly DQ-01 check sees the
truth. It decrypts every number once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhibu.members.models import Member
from zhibu.members.services import derive_identity

FIELDS = ["id_format_ok", "id_matches", "id_tail_index"]


class Command(BaseCommand):
    help = "Recompute the derived ID-number facts that DQ-01 checks."

    def handle(self, *args, **options) -> None:
        batch, changed = [], 0
        for member in Member.objects.only(
            "pk", "id_number", "birth_date", "gender", *FIELDS
        ).iterator(chunk_size=2000):
            before = tuple(getattr(member, f) for f in FIELDS)
            derive_identity(member, member.id_number or "")
            if tuple(getattr(member, f) for f in FIELDS) != before:
                batch.append(member)
                changed += 1
            if len(batch) >= 2000:
                Member.objects.bulk_update(batch, FIELDS)
                batch = []
        Member.objects.bulk_update(batch, FIELDS)
        self.stdout.write(f"rechecked ID numbers: {changed} changed")
