"""Copy every ``members.Sanction`` into ``DisciplineRecord``: discipline records become the
one source of sanctions (members 0010 then deletes the old model).

How each row is carried over (docs/user-guide/discipline.md, "Records from the old roster
sanctions"):

- kind, decision date, 文号 and the encrypted 处分事由 (into ``facts``; an empty one gets a
  note saying so) are kept; the public id is kept, so old links still find the record;
  ``form`` is the kind's default (警告/严重警告 2, the heavier kinds 3), status 有效.
- The deciding organisation was never recorded: it is taken as the nearest 党委 above the
  member's current organisation (the committee that approves a branch's sanction under the
  党章), or the member's own organisation when there is none. Being above the member's
  organisation, the record stays inside both read scopes and passes ``ORG_NOT_ABOVE``.
- 留党察看: the old ``ends_on`` (the term end) becomes ``effect_until`` as it was recorded,
  and the term in years is the nearer of 1 and 2. The old model gave the vote back on
  ``ends_on`` by itself; discipline records give it back only with a restoration decision.
  So a term already ended when this runs is recorded as restored on ``ends_on`` (votes
  counted as before, and the DISC-04 post bar runs from then); a term still running stays
  open, and its rights come back when the restoration is recorded.
- The other periods (``effect_until``) use the regulation's default lengths; a local
  supplement that lengthens them applies when the record is next saved.
- The history rows of each sanction are copied under the new record, with a last row
  saying where it came from.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import migrations

STEPLEN = 4
MONTHS = {"warning": 12, "serious_warning": 18, "removal_from_post": 24, "expulsion": 60}
AFTER_PROBATION_MONTHS = 24
LIGHT = {"warning", "serious_warning"}
EMPTY_FACTS = "（自原党员档案“党纪处分”迁移，原记录未填写处分事由。）"
REASON = "迁移自原党员档案“党纪处分”记录"


def _deciding_org(Org, member):
    """The nearest 党委 strictly above the member's org, else the org itself."""
    path = member.org.path
    prefixes = [path[:n] for n in range(STEPLEN, len(path), STEPLEN)]
    above = Org.objects.filter(path__in=prefixes, kind="committee").order_by("-depth").first()
    return above or member.org


def _fields(sanction, Org, today: date) -> dict:
    kind = sanction.kind
    fields = {
        "public_id": sanction.public_id,
        "member_id": sanction.member_id,
        "id_index": sanction.member.id_index or "",
        "deciding_org": _deciding_org(Org, sanction.member),
        "kind": kind,
        "form": 2 if kind in LIGHT else 3,
        "decided_on": sanction.decided_on,
        "document_no": sanction.document_no or "",
        "facts": (sanction.text or "").strip() or EMPTY_FACTS,
        "status": "in_effect",
        "probation_years": None,
        "outcome": "",
        "outcome_on": None,
        "effect_until": None,
        "post_bar_until": None,
    }
    if kind == "probation":
        end = sanction.ends_on
        if end is not None:
            fields["probation_years"] = 2 if end > sanction.decided_on + relativedelta(
                months=18
            ) else 1
            fields["effect_until"] = end
            if end <= today:
                fields["outcome"] = "restored"
                fields["outcome_on"] = end
                fields["post_bar_until"] = end + relativedelta(months=AFTER_PROBATION_MONTHS)
    elif kind in MONTHS:
        fields["effect_until"] = sanction.decided_on + relativedelta(months=MONTHS[kind])
    return fields


def copy_sanctions(apps, schema_editor):
    Sanction = apps.get_model("members", "Sanction")
    HistoricalSanction = apps.get_model("members", "HistoricalSanction")
    Record = apps.get_model("discipline", "DisciplineRecord")
    HistoricalRecord = apps.get_model("discipline", "HistoricalDisciplineRecord")
    Org = apps.get_model("orgs", "Org")
    today = date.today()
    history_keep = ("history_date", "history_type", "history_user_id", "history_change_reason")
    for sanction in Sanction.objects.select_related("member__org").order_by("pk"):
        fields = _fields(sanction, Org, today)
        record = Record.objects.create(**fields)
        Record.objects.filter(pk=record.pk).update(created_at=sanction.created_at)
        record.refresh_from_db()
        copied = {k: v for k, v in fields.items() if k != "id_index"}
        copied.update(id=record.pk, created_at=sanction.created_at, created_by_id=None)
        copied["deciding_org_id"] = copied.pop("deciding_org").pk
        for old in HistoricalSanction.objects.filter(id=sanction.pk).order_by("history_date"):
            row = dict(copied)
            row.update(
                kind=old.kind,
                form=2 if old.kind in LIGHT else 3,
                decided_on=old.decided_on,
                document_no=old.document_no or "",
                facts=(old.text or "").strip() or EMPTY_FACTS,
            )
            row.update({k: getattr(old, k) for k in history_keep})
            HistoricalRecord.objects.create(**row)
        HistoricalRecord.objects.create(
            **copied,
            history_date=record.updated_at,
            history_type="~",
            history_user_id=None,
            history_change_reason=REASON,
        )
    if Sanction.objects.exists():
        quote = schema_editor.connection.ops.quote_name
        for model in (Record, HistoricalRecord):
            schema_editor.execute(f"ANALYZE {quote(model._meta.db_table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0001_initial"),
        ("members", "0009_span_member_roll_index"),
        ("orgs", "0003_department"),
    ]

    operations = [migrations.RunPython(copy_sanctions, migrations.RunPython.noop)]
