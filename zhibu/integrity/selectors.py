"""Reads for 真实性核查, always scoped by ``integrity.review``: a flag outside the user's
subtrees answers 404."""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.core.rules.base import Status
from zhibu.core.rules.models import Finding
from zhibu.integrity.models import FlagReview
from zhibu.meetings.models import Meeting
from zhibu.members.models import Member

ACTION = "integrity.review"
CODES = ("DQ-06", "DQ-07", "DQ-08", "DQ-09")
OPEN = "open"


def flags(user) -> QuerySet[Finding]:
    """The suspect findings of the integrity rules in the user's scope, newest first."""
    return (
        Finding.objects.filter(
            permissions.scope_q(user, ACTION, "org_path"),
            rule_code__in=CODES,
            status=Status.SUSPECT,
        )
        .select_related("org")
        .order_by("-period_end", "rule_code", "org_path", "subject_type", "subject_id")
    )


def flag_for_user(user, finding_id) -> Finding:
    try:
        pk = int(finding_id)
        if not 0 < pk < 2**63:
            raise ValueError(pk)
        return flags(user).get(pk=pk)
    except (Finding.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def review_q(findings) -> Q:
    """A filter matching the reviews of ``findings`` (keys grouped by rule and period)."""
    q = Q(pk__in=[])
    groups: dict[tuple, set] = {}
    for f in findings:
        groups.setdefault((f.rule_code, f.period_code), set()).add(f.org_id)
    for (code, period), orgs in groups.items():
        q |= Q(rule_code=code, period_code=period, org__in=orgs)
    return q


def reviews_of(findings) -> dict[tuple, FlagReview]:
    """{finding key: its review} for a page of findings: one query."""
    findings = list(findings)
    if not findings:
        return {}
    return {
        r.key: r
        for r in FlagReview.objects.filter(review_q(findings)).select_related("reviewed_by")
    }


def filtered(user, *, code: str = "", state: str = "", period: str = "") -> QuerySet[Finding]:
    qs = flags(user)
    if code in CODES:
        qs = qs.filter(rule_code=code)
    if period:
        qs = qs.filter(period_code=period)
    if state in FlagReview.State.values or state == OPEN:
        reviewed = FlagReview.objects.filter(
            rule_code=OuterRef("rule_code"),
            period_code=OuterRef("period_code"),
            org=OuterRef("org"),
            subject_type=OuterRef("subject_type"),
            subject_id=OuterRef("subject_id"),
        )
        if state == OPEN:
            qs = qs.exclude(Exists(reviewed))
        else:
            qs = qs.filter(Exists(reviewed.filter(state=state)))
    return qs


def evidence(user, finding: Finding) -> dict:
    """The records behind a flag that the user may see: meetings (with their minutes) and
    members; references outside the user's scope are counted, not shown."""
    meeting_ids: list[uuid.UUID] = []
    member_ids: list[uuid.UUID] = []
    for ref in finding.refs or ():
        kind, _sep, ident = str(ref).partition(":")
        try:
            value = uuid.UUID(ident)
        except ValueError:
            continue
        (meeting_ids if kind == "meeting" else member_ids if kind == "member" else []).append(value)
    scope = permissions.scope_q(user, ACTION, "org__path")
    meetings = {
        m.public_id: m
        for m in Meeting.objects.filter(scope, public_id__in=meeting_ids).select_related("org")
    }
    members = {
        m.public_id: m
        for m in Member.objects.filter(scope, public_id__in=member_ids).select_related("org")
    }
    return {
        "meetings": [meetings[i] for i in meeting_ids if i in meetings],
        "members": [members[i] for i in member_ids if i in members],
        "hidden": len(meeting_ids) - len(meetings) + len(member_ids) - len(members),
    }
