"""Synthetic members with consistent dates, events and spans, and branch secretaries."""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from zhibu.core.bulk import analyze, insert_rows
from zhibu.core.crypto import blind_index
from zhibu.demo.names import given_name, surname
from zhibu.members import idnumber
from zhibu.members.models import Member, MemberEvent, MemberSpan
from zhibu.members.services import derive_identity, pinyin_of
from zhibu.orgs.models import CommitteePost
from zhibu.synth import Built, Plan, step

BATCH = 5000


def branch_sizes(plan: Plan) -> list[int]:
    """Sizes around the mean (about 22 nationally), summing to the requested total."""
    rng = plan.rng
    mean = plan.members / max(1, plan.branches)
    raw = [max(3.0, rng.lognormvariate(0, 0.45)) for _ in range(plan.branches)]
    scale = plan.members / sum(raw)
    sizes = [max(3, round(r * scale)) for r in raw]
    drift = plan.members - sum(sizes)
    i = 0
    while drift and sizes:
        j = i % len(sizes)
        if drift > 0:
            sizes[j] += 1
            drift -= 1
        elif sizes[j] > 3:
            sizes[j] -= 1
            drift += 1
        i += 1
    assert abs(sum(sizes) - plan.members) <= len(sizes) * 3 or mean < 3
    return sizes


@step("members", 30)
def build_members(plan: Plan, built: Built) -> None:
    rng = plan.rng
    today = plan.today
    pinyin_cache: dict[str, tuple[str, str]] = {}
    issued: set[str] = set()
    total = 0
    sizes = branch_sizes(plan)
    pending: list[Member] = []
    placements: list[int] = []

    analyzed = [0, 0]  # [members written, members when last analysed]

    def flush() -> None:
        nonlocal pending, placements
        if not pending:
            return
        insert_rows(Member, pending)
        analyzed[0] += len(pending)
        if analyzed[0] >= 2 * analyzed[1]:
            # Statistics as the table grows (within the step's transaction): without them
            # PostgreSQL plans the events' and spans' foreign-key checks for an empty
            # members table and scans it for every row.
            analyze(Member, MemberEvent, MemberSpan)
            analyzed[1] = analyzed[0]
        created = list(
            Member.objects.filter(id_index__in=[m.id_index for m in pending]).values_list(
                "pk", "admitted_on", "full_on", "status", "id_index"
            )
        )
        by_index = {row[4]: row for row in created}
        events, spans = [], []
        for member, org_id in zip(pending, placements, strict=True):
            pk, admitted, full, _status, _ = by_index[member.id_index]
            events.append(
                MemberEvent(
                    member_id=pk,
                    kind=MemberEvent.Kind.ADMITTED,
                    on=admitted,
                    org_id=org_id,
                    status_after=Member.Status.PROBATIONARY,
                )
            )
            if full:
                events.append(
                    MemberEvent(
                        member_id=pk,
                        kind=MemberEvent.Kind.CONFIRMED,
                        on=full,
                        status_after=Member.Status.FULL,
                    )
                )
                spans.append(
                    MemberSpan(
                        member_id=pk,
                        org_id=org_id,
                        status=Member.Status.PROBATIONARY,
                        start=admitted,
                        end=full,
                    )
                )
                spans.append(
                    MemberSpan(member_id=pk, org_id=org_id, status=Member.Status.FULL, start=full)
                )
            else:
                spans.append(
                    MemberSpan(
                        member_id=pk,
                        org_id=org_id,
                        status=Member.Status.PROBATIONARY,
                        start=admitted,
                    )
                )
            built.members_by_branch.setdefault(org_id, []).append(pk)
        insert_rows(MemberEvent, events)
        insert_rows(MemberSpan, spans)
        pending, placements = [], []

    for org_id, size in zip(built.branch_ids, sizes, strict=False):
        for _ in range(size):
            gender = "M" if rng.random() < 0.68 else "F"
            age = rng.randint(22, 80)
            birth = today - relativedelta(years=age) - timedelta(days=rng.randint(0, 364))
            name = surname(rng) + given_name(rng, gender, birth.year)
            if name not in pinyin_cache:
                pinyin_cache[name] = pinyin_of(name)
            number = idnumber.fake(rng, birth_date=birth, gender=gender, region="220102")
            while number in issued:
                number = idnumber.fake(rng, birth_date=birth, gender=gender, region="220104")
            issued.add(number)
            earliest = birth + relativedelta(years=18)
            admitted = earliest + timedelta(
                days=rng.randint(0, max(1, (today - earliest).days - 30))
            )
            full = (
                admitted + relativedelta(years=1)
                if admitted + relativedelta(years=1) <= today
                else None
            )
            full_pinyin, initials = pinyin_cache[name]
            member = Member(
                name=name,
                name_pinyin=full_pinyin,
                name_initials=initials,
                gender=gender,
                birth_date=birth,
                id_number=number,
                id_index=blind_index(number),
                phone=f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
                category=Member.Category.RETIRED if age >= 62 else Member.Category.IN_SERVICE,
                admitted_on=admitted,
                full_on=full,
                applied_on=admitted - timedelta(days=rng.randint(400, 1500)),
                org_id=org_id,
                status=Member.Status.FULL if full else Member.Status.PROBATIONARY,
                frail_exempt=age >= 78 and rng.random() < 0.3,
            )
            derive_identity(member, number)
            # EncryptedTextField encrypts in get_prep_value, which bulk_create calls too.
            pending.append(member)
            placements.append(org_id)
            total += 1
            if len(pending) >= BATCH:
                flush()
    flush()
    built.counts["members"] = total


@step("posts", 40)
def build_posts(plan: Plan, built: Built) -> None:
    """A secretary in about 93% of branches; the rest vacant for a while (ORG-08)."""
    rng = plan.rng
    rows = []
    for org_id in built.branch_ids:
        candidates = built.members_by_branch.get(org_id) or []
        if not candidates or rng.random() < 0.07:
            continue
        rows.append(
            CommitteePost(
                org_id=org_id,
                post=CommitteePost.Post.SECRETARY,
                holder_id=candidates[0],
                start=plan.today - timedelta(days=rng.randint(60, 2000)),
                approved=True,
            )
        )
    CommitteePost.objects.bulk_create(rows, batch_size=BATCH)
    built.counts["posts"] = len(rows)
