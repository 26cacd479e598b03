"""Reads of the roster, scoped to the acting user; and the dated roster every rule uses.

``member_for_user`` is the only door to one member record: outside the user's scope it
answers 404; inside it but without the needed action, 403.
"""

from __future__ import annotations

import calendar
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.core.scope import parent_path, subtree_q
from zhibu.members import idnumber
from zhibu.members.models import (
    Attachment,
    CorrectionRequest,
    ImportBatch,
    Member,
    MemberSpan,
    Mobility,
    Transfer,
)
from zhibu.orgs.models import Org


def visible_members(user, action: str = "member.view") -> QuerySet[Member]:
    return Member.objects.filter(permissions.scope_q(user, action, field="org__path"))


def member_for_user(user, public_id, *, write: bool = False, action: str | None = None) -> Member:
    """The member with ``public_id`` if the user may see them (else 404) and act (else 403)."""
    try:
        member = (
            visible_members(user)
            .select_related("org", "group", "work_unit")
            .get(public_id=public_id)
        )
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    needed = action or ("member.manage" if write else None)
    if needed and not permissions.can(user, needed, member.org):
        raise PermissionDenied
    return member


def members_for_user(user, public_ids, *, write: bool = False) -> list[Member]:
    """Several members by public id, all or none: 404 if one is out of sight, 403 if one
    may not be changed (``write``)."""
    ids = set(public_ids)
    found = list(visible_members(user).filter(public_id__in=ids).select_related("org", "group"))
    if len(found) != len(ids):
        raise Http404
    if write and not all(permissions.can(user, "member.manage", m.org) for m in found):
        raise PermissionDenied
    return found


def member_list(
    *,
    user,
    org=None,
    q: str = "",
    status: str | None = None,
    category: str | None = None,
    on_roster: bool = True,
    action: str = "member.view",
) -> QuerySet[Member]:
    """The roster the user may see (or export ...), optionally within ``org``'s subtree."""
    qs = visible_members(user, action).select_related("org", "group")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if status:
        qs = qs.filter(status=status)
    elif on_roster:
        qs = qs.filter(status__in=Member.ON_ROSTER)
    if category:
        qs = qs.filter(category=category)
    few = False
    if q:
        criteria, few = search(q)
        qs = qs.filter(criteria)
    # A few matches: order by an expression, so PostgreSQL sorts them instead of walking
    # every org in path order to find them (90 ms → 3 ms for "wj" at 100,000 members).
    by_org = Concat("org__path", Value("")) if few else F("org__path")
    return qs.order_by(by_org.asc(), "name_pinyin", "id")


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix`` (lower-case ASCII), as an index-friendly range.

    ``LIKE 'zs%'`` cannot use a B-tree index under SQLite's case-insensitive LIKE or a
    non-C PostgreSQL collation; ``'zs' <= field < 'zt'`` can, on both.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


# A search term matching at least this many members counts as common (see search_q):
# around here walking the roster to the capped count costs what sorting every match does.
COMMON_MATCHES = 5_000


# Terms found common or rare recently (per process): how common a term is changes slowly.
_COMMON_SEEN: dict[str, tuple[float, bool]] = {}
COMMON_SEEN_SECONDS = 600


def _common(ids: QuerySet[Member], *criteria: Q, term: str = "") -> bool:
    """Does ``criteria`` match COMMON_MATCHES members or more? Index-only counts that
    stop at the threshold: a planner's decision the ORM cannot leave to SQLite. The
    answer is remembered for a while per term (either answer finds the same members)."""
    now = time.monotonic()
    seen = _COMMON_SEEN.get(term) if term else None
    if seen is not None and now - seen[0] < COMMON_SEEN_SECONDS:
        return seen[1]
    common = _count_common(ids, criteria)
    if term:
        if len(_COMMON_SEEN) > 1000:
            _COMMON_SEEN.clear()
        _COMMON_SEEN[term] = (now, common)
    return common


def _count_common(ids: QuerySet[Member], criteria) -> bool:
    found = 0
    for criterion in criteria:
        found += ids.filter(criterion).values("pk")[:COMMON_MATCHES].count()
        if found >= COMMON_MATCHES:
            return True
    return False


def search_q(text: str) -> Q:
    return search(text)[0]


def search(text: str) -> tuple[Q, bool]:
    """Name, full pinyin ("zhangsan"), initials ("zs") or the last four ID digits; and
    whether the matches are few (at most ``COMMON_MATCHES``).

    Latin letters search the pinyin columns and digits the keyed last-four index:
    the matching ids come from a subquery (a UNION of two index ranges for pinyin), so
    the planner starts from the few matches instead of scanning the roster and testing
    each row (20 ms → 2 ms at 30,000 members on SQLite). A common term ("zh": 17,000 of
    100,000) is the opposite case — sorting every match costs 100 ms — so it becomes plain
    criteria the page walks in roster order until the page is full. Chinese text falls back to a
    substring match on the names.
    """
    term = text.strip()
    lowered = term.lower().replace(" ", "")
    ids = Member.objects.order_by()
    if lowered.isascii() and lowered.isalpha():
        pinyin, initials = prefix_q("name_pinyin", lowered), prefix_q("name_initials", lowered)
        if _common(ids, pinyin, initials, term=lowered):
            # Thousands match ("zh"): plain criteria, so the page walks the roster in its
            # order and stops at the page's end, and the capped count stops at the cap.
            return pinyin | initials, False
        by_pinyin = ids.filter(pinyin).values("pk")
        by_initials = ids.filter(initials).values("pk")
        return Q(pk__in=by_pinyin.union(by_initials)), True
    if len(term) == 4 and term[:3].isdigit() and (term[3].isdigit() or term[3] in "xX"):
        return Q(pk__in=ids.filter(id_tail_index=idnumber.tail_index(term)).values("pk")), True
    return Q(name__contains=term) | Q(former_name__contains=term), False


def manageable_orgs(user, action: str = "member.manage", kinds=None) -> QuerySet[Org]:
    """Active orgs of the given kinds (branches by default) where the user holds ``action``."""
    kinds = Org.BRANCH_KINDS if kinds is None else kinds
    return (
        Org.objects.filter(permissions.scope_q(user, action), kind__in=kinds)
        .filter(dissolved_on__isnull=True)
        .order_by("path")
    )


ORG_SEARCH_LIMIT = 20
FILTER_KINDS = Org.BRANCH_KINDS | Org.COMMITTEE_KINDS


def filter_orgs(user) -> QuerySet[Org]:
    """Orgs the roster can be narrowed to: visible orgs but 党小组."""
    return manageable_orgs(user, "member.view", FILTER_KINDS)


def org_for_filter(user, public_id: str) -> Org | None:
    """The org named by the roster's filter, if the user may narrow the roster to it."""
    try:
        return filter_orgs(user).filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        return None


def org_search(user, text: str, limit: int = ORG_SEARCH_LIMIT) -> list[dict[str, str]]:
    """The roster filter's autocomplete: orgs the user may narrow to whose name, short
    name or code contains ``text`` (the top of the tree when empty), highest first, each
    labelled with its parent's name so equal names (第一党支部) tell apart."""
    qs = filter_orgs(user)
    term = text.strip()
    if term:
        qs = qs.filter(
            Q(name__icontains=term) | Q(short_name__icontains=term) | Q(code__iexact=term)
        )
    orgs = list(qs.order_by("depth", "path").only("public_id", "name", "path")[:limit])
    parents = {
        o.path: o.short_name or o.name
        for o in Org.objects.filter(path__in={parent_path(o.path) for o in orgs}).only(
            "path", "name", "short_name"
        )
    }
    results = []
    for org in orgs:
        above = parents.get(parent_path(org.path)) if org.depth > 1 else None
        label = f"{org.name}（{above}）" if above else org.name
        results.append({"id": str(org.public_id), "label": label})
    return results


# --- the dated roster (used by rules, meetings and development) ---------------------------


def spans_on(
    day: date, *, org_ids: Iterable[int] | None = None, statuses=None
) -> QuerySet[MemberSpan]:
    """Roster spans running on ``day`` (optionally at the given orgs, in the given statuses)."""
    qs = MemberSpan.objects.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))
    if org_ids is not None:
        qs = qs.filter(org__in=ids_for_in(org_ids))
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    return qs


def ids_for_in(ids):
    """A value for ``__in``: a subquery stays a subquery, anything else becomes a list."""
    return ids if isinstance(ids, QuerySet) else list(ids)


def members_on(
    org, day: date, statuses=(Member.Status.FULL, Member.Status.PROBATIONARY)
) -> QuerySet[Member]:
    """The members of ``org`` (a branch; or a 党小组) on ``day`` in ``statuses``."""
    spans = spans_on(day, statuses=statuses)
    spans = spans.filter(group=org) if org.kind == "group" else spans.filter(org=org)
    return Member.objects.filter(pk__in=spans.values("member"))


def counts_on(day: date, org_ids: Iterable[int], statuses) -> dict[int, int]:
    """{org id: number of members in ``statuses`` on ``day``}: one aggregate query."""
    rows = (
        spans_on(day, org_ids=org_ids, statuses=statuses)
        .values_list("org")
        .annotate(n=Count("member", distinct=True))
    )
    return dict(rows)


# The roster half of voting rights (VOTE-01): full members on the roll on the day — not
# 预备党员. Whether a discipline record (留党察看, DISC-04) suspends a vote is the
# discipline layer's to say: ``zhibu.discipline.voters`` combines the two.
VOTING_STATUSES = (Member.Status.FULL,)


def full_members_on(org, day: date) -> QuerySet[Member]:
    """Full members of ``org`` on ``day`` (see ``VOTING_STATUSES``), before any
    discipline restriction."""
    return members_on(org, day, statuses=VOTING_STATUSES)


def running(start: date, end: date | None, day: date) -> bool:
    """A dated span [start, end) contains ``day``, as in ``spans_on``."""
    return start <= day and (end is None or day < end)


def full_member_spans(*, org_ids: Iterable[int], start: date, end: date) -> QuerySet[MemberSpan]:
    """The full-member spans at ``org_ids`` overlapping [start, end)."""
    return MemberSpan.objects.filter(
        org__in=ids_for_in(org_ids), status__in=VOTING_STATUSES, start__lt=end
    ).filter(Q(end__isnull=True) | Q(end__gt=start))


@dataclass(frozen=True)
class SpanRoll:
    """Full members at some orgs over a period, held in memory: ``on(org_id, day)`` gives
    the same members as ``full_members_on`` would (the org's own roll, not a 党小组's)."""

    spans: Mapping[int, list[tuple[int, date, date | None]]]

    def on(self, org_id: int, day: date) -> set[int]:
        return {m for m, start, end in self.spans.get(org_id, ()) if running(start, end, day)}


def full_member_roll(*, org_ids: Iterable[int], start: date, end: date) -> SpanRoll:
    """The full members at ``org_ids`` on any day in [start, end): one query."""
    spans: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    rows = full_member_spans(org_ids=org_ids, start=start, end=end).values_list(
        "org", "member", "start", "end"
    )
    for org_id, member, since, until in rows:
        spans[org_id].append((member, since, until))
    return SpanRoll(spans)


# --- transfers, mobility, archive, imports, corrections -----------------------------------


def visible_transfers(user) -> QuerySet[Transfer]:
    """Transfers either side of which lies in the user's scope (sender or receiver)."""
    return Transfer.objects.filter(
        permissions.scope_q(user, "member.view", field="from_org__path")
        | permissions.scope_q(user, "member.view", field="to_org__path")
        | permissions.scope_q(user, "member.transfer", field="to_org__path")
    )


def acting_side(transfer: Transfer, step: str) -> str:
    """Whose ``member.transfer`` a step needs: the receiving side receives, and rejects once
    the letter is sent; the sending side approves, records receipts and rejects a request."""
    if step == "receive" or (step == "reject" and transfer.status == Transfer.Status.SENT):
        return "to"
    return "from"


def transfer_for_user(
    user, public_id, *, action: str | None = None, side: str = "from", step: str | None = None
) -> Transfer:
    """One transfer (404 outside scope); with ``action``, 403 unless held on ``side`` — or,
    given a ``step``, on the side that acts for it."""
    try:
        transfer = (
            visible_transfers(user)
            .select_related("member", "member__org", "from_org", "to_org")
            .get(public_id=public_id)
        )
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action:
        if step is not None:
            side = acting_side(transfer, step)
        org = transfer.from_org if side == "from" else transfer.to_org
        if org is None or not permissions.can(user, action, org):
            raise PermissionDenied
    return transfer


TRANSFER_BOXES = ("todo", "incoming", "outgoing", "overdue", "all")


def transfer_list(*, user, box: str = "todo", today: date) -> QuerySet[Transfer]:
    """Transfers for one of the boxes of the transfer page.

    todo: what the user may act on now (approve as sender, receive as receiver, record a
    letter's receipt); incoming / outgoing: by side; overdue: open with an expired letter
    (MBR-04) — for a letter to outside the system, the member not yet received there.
    """
    qs = visible_transfers(user).select_related("member", "from_org", "to_org")
    sends = permissions.scope_q(user, "member.transfer", field="from_org__path")
    receives = permissions.scope_q(user, "member.transfer", field="to_org__path")
    if box == "todo":
        if not permissions.holds_anywhere(user, "member.transfer"):
            return qs.none()
        qs = qs.filter(
            (Q(status=Transfer.Status.REQUESTED) & sends)
            | (Q(status=Transfer.Status.SENT) & receives)
            | (Q(status=Transfer.Status.ISSUED) & sends)
        )
    elif box == "incoming":
        qs = qs.filter(permissions.scope_q(user, "member.view", field="to_org__path") | receives)
    elif box == "outgoing":
        qs = qs.filter(permissions.scope_q(user, "member.view", field="from_org__path"))
    elif box == "overdue":
        qs = qs.filter(status__in=Transfer.OPEN, valid_until__lt=today)
    return qs.order_by("-requested_on", "-id")


def visible_mobilities(user) -> QuerySet[Mobility]:
    return Mobility.objects.filter(permissions.scope_q(user, "member.view", field="org__path"))


def mobility_for_user(user, public_id, *, write: bool = False) -> Mobility:
    try:
        mobility = visible_mobilities(user).select_related("member", "org").get(public_id=public_id)
    except (Mobility.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not permissions.can(user, "member.manage", mobility.org):
        raise PermissionDenied
    return mobility


def mobility_list(*, user, org: Org | None = None, current: bool = True) -> QuerySet[Mobility]:
    qs = visible_mobilities(user).select_related("member", "org")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if current:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("org__path", "-started_on", "-id")


def attachment_for_user(user, public_id, *, write: bool = False) -> Attachment:
    """An archive file through its member's door (404 outside scope, 403 without manage)."""
    try:
        attachment = (
            Attachment.objects.filter(
                permissions.scope_q(user, "member.view", field="member__org__path")
            )
            .select_related("member", "member__org")
            .get(public_id=public_id)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not permissions.can(user, "member.manage", attachment.member.org):
        raise PermissionDenied
    return attachment


def batch_for_user(user, public_id) -> ImportBatch:
    """An import batch: only its uploader sees it."""
    try:
        return ImportBatch.objects.get(public_id=public_id, uploaded_by=user)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def batch_list(*, user) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(uploaded_by=user).order_by("-uploaded_at", "-id")


def correction_for_user(user, public_id) -> CorrectionRequest:
    """A correction request, handled by those who manage the member (else 404 / 403)."""
    try:
        correction = (
            CorrectionRequest.objects.filter(
                permissions.scope_q(user, "member.view", field="member__org__path")
            )
            .select_related("member", "member__org")
            .get(public_id=public_id)
        )
    except (CorrectionRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(user, "member.manage", correction.member.org):
        raise PermissionDenied
    return correction


# 政治生日 (admission anniversaries): one definition for the home greeting (study), the
# branch's calendar and the iCal feeds (meetings). Only members still in the party count:
# those who left (出党), died, were transferred out or are 停止党籍 are not shown.
BIRTHDAY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)


def admission_anniversary(admitted_on: date, year: int) -> date | None:
    """The 政治生日 in ``year``: the admission day's month and day, or None before the first
    anniversary. An admission on 29 February is kept on 28 February in common years, so the
    anniversary stays in the member's month instead of slipping to 1 March."""
    if year <= admitted_on.year:
        return None
    if (admitted_on.month, admitted_on.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return admitted_on.replace(year=year)


@dataclass(frozen=True)
class PoliticalBirthday:
    member: Member
    on: date
    years: int


def political_birthdays(
    *, user, org: Org, year: int, month: int | None = None
) -> list[PoliticalBirthday]:
    """The 政治生日 in ``year`` (and ``month``) of the members of ``org``'s subtree, by day;
    empty unless ``user`` may see that org's members (``member.view``): one query."""
    if not permissions.can(user, "member.view", org):
        return []
    rows = Member.objects.filter(
        subtree_q([org.path], "org__path"),
        status__in=BIRTHDAY_STATUSES,
        admitted_on__lt=date(year, 1, 1),
    )
    if month is not None:
        rows = rows.filter(admitted_on__month=month)
    found = []
    for member in rows.select_related("org"):
        admitted = member.admitted_on
        on = admission_anniversary(admitted, year) if admitted else None
        if admitted and on is not None:
            found.append(PoliticalBirthday(member, on, year - admitted.year))
    return sorted(found, key=lambda b: (b.on, b.member.name_pinyin, b.member.pk))


def own_political_birthdays(member: Member, years) -> list[PoliticalBirthday]:
    """The member's own 政治生日 in each of ``years`` (their own calendar feed)."""
    if not member.admitted_on or member.status not in BIRTHDAY_STATUSES:
        return []
    found = []
    for year in years:
        on = admission_anniversary(member.admitted_on, year)
        if on is not None:
            found.append(PoliticalBirthday(member, on, year - member.admitted_on.year))
    return found
