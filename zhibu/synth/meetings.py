"""Synthetic organisational life with realistic habits and gaps.

Per branch and month: a 主题党日 most months (with study hours and attendance), a 支委会
where a committee is in office, a quarterly 支部党员大会 that usually also serves as the
quarter's 党课, and last year's 组织生活会 and 民主评议. Each branch gets its own habit
(how reliably it meets), so gaps cluster the way they do in real ledgers.

Attendance is the bulk of the data (about 15 rows per member per year); on PostgreSQL it
is written with COPY, elsewhere with batched inserts.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection

from zhibu.core.bulk import analyze, insert_rows
from zhibu.meetings.models import Attendance, Meeting, MeetingKindRow
from zhibu.synth import Built, Plan, step

BATCH = 5000


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@step("meetings", 50)
def build_meetings(plan: Plan, built: Built) -> None:
    rng = plan.rng
    today = plan.today
    first_month = date(today.year - plan.years + 1, 1, 1)
    months = []
    cursor = first_month
    while cursor <= today.replace(day=1):
        months.append(cursor)
        cursor += relativedelta(months=1)
    meetings: list[Meeting] = []
    kinds_of: list[list[str]] = []
    credited: list[tuple[int, Decimal]] = []  # (branch, hours) per meeting, parallel to meetings
    for org_id in built.branch_ids:
        habit = rng.choice([0.98, 0.95, 0.9, 0.85, 0.7])  # how reliably this branch meets
        has_committee = org_id in built.committee_branch_ids
        for month in months:
            last_day = (month + relativedelta(months=1)) - timedelta(days=1)
            if rng.random() < habit:
                day = _weekday(month + timedelta(days=rng.randint(0, 20)))
                if day <= min(today, last_day):
                    meetings.append(_meeting(org_id, day, "主题党日", ["theme_day"], Decimal("2")))
                    kinds_of.append(["theme_day"])
                    credited.append((org_id, Decimal("2")))
            if has_committee and rng.random() < habit:
                day = _weekday(month + timedelta(days=rng.randint(0, 24)))
                if day <= min(today, last_day):
                    meetings.append(
                        _meeting(org_id, day, "支部委员会会议", ["branch_committee"], Decimal("0"))
                    )
                    kinds_of.append(["branch_committee"])
                    credited.append((org_id, Decimal("0")))
            if month.month in (3, 6, 9, 12) and rng.random() < habit:
                day = _weekday(month + timedelta(days=rng.randint(0, 25)))
                if day <= min(today, last_day):
                    kinds = ["branch_assembly", "party_lecture"]
                    meetings.append(
                        _meeting(org_id, day, "支部党员大会暨党课", kinds, Decimal("4"))
                    )
                    kinds_of.append(kinds)
                    credited.append((org_id, Decimal("4")))
            if month.month == 1 and rng.random() < habit:
                day = _weekday(month + timedelta(days=rng.randint(5, 25)))
                if day <= today:
                    kinds = ["life_meeting", "member_review"]
                    meetings.append(
                        _meeting(
                            org_id,
                            day,
                            "组织生活会和民主评议党员",
                            kinds,
                            Decimal("2"),
                            covers=day.year - 1,
                        )
                    )
                    kinds_of.append(kinds)
                    credited.append((org_id, Decimal("2")))
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    analyze(Meeting)  # before the rows that refer to them are checked against them
    insert_rows(
        MeetingKindRow,
        (
            MeetingKindRow(
                meeting_id=m.pk,
                kind=k,
                org_id=m.org_id,
                on=m.on,
                held=True,
                covers_year=m.covers_year,
            )
            for m, kinds in zip(meetings, kinds_of, strict=True)
            for k in kinds
        ),
    )
    attendance = _attendance(plan, built, meetings, credited)
    built.counts["meetings"] = len(meetings)
    built.counts["meetings_attendance"] = attendance


def _meeting(
    org_id: int, day: date, title: str, kinds: list[str], hours: Decimal, covers: int | None = None
) -> Meeting:
    return Meeting(
        org_id=org_id,
        title=f"{day:%Y年%m月}{title}",
        kinds=kinds,
        status=Meeting.Status.RECORDED,
        on=day,
        study_hours=hours,
        covers_year=covers,
        recorded_at=None,
        minutes="（合成数据）",
    )


def _attendance(plan: Plan, built: Built, meetings: list[Meeting], credited) -> int:
    """Everyone on the branch's roll is recorded: mostly present, some on leave or absent."""
    rng = plan.rng
    columns = ("meeting_id", "member_id", "status", "reason", "study_hours", "held_on")
    total = 0
    buffer: list[tuple] = []

    def flush() -> None:
        nonlocal buffer
        if not buffer:
            return
        if connection.vendor == "postgresql":
            text = io.StringIO()
            for row in buffer:
                text.write("\t".join(str(v) for v in row) + "\n")
            text.seek(0)
            with (
                connection.cursor() as cursor,
                cursor.copy(
                    f"COPY {Attendance._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                ) as copy,
            ):
                copy.write(text.read())
        else:
            # One prepared statement for the batch: the ORM's per-row work dominates otherwise.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {Attendance._meta.db_table} ({', '.join(columns)}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608
                    [(m, p, st, r, str(h), str(on)) for m, p, st, r, h, on in buffer],
                )
        buffer = []

    for meeting, (org_id, hours) in zip(meetings, credited, strict=True):
        for member_id in built.members_by_branch.get(org_id, []):
            draw = rng.random()
            if draw < 0.86:
                status, reason, credit = "present", "", hours
            elif draw < 0.96:
                status, reason, credit = "leave", "出差", Decimal("0")
            else:
                status, reason, credit = "absent", "", Decimal("0")
            buffer.append((meeting.pk, member_id, status, reason, credit, meeting.on))
            total += 1
            if len(buffer) >= 50_000:
                flush()
    flush()
    return total
