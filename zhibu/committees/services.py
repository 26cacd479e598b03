"""Writes that need the roll as well as the tree: a committee's elections, filing and posts
(班子), 定点联系, and dissolving an org (refused while members remain on its roll)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.scope import ancestor_paths, parent_path
from zhibu.discipline.restrictions import post_barred
from zhibu.members.models import Member
from zhibu.orgs.models import Committee, CommitteePost, Linkage, Org, OrgEvent
from zhibu.orgs.services import DATE_BEFORE_ESTABLISHED, DOCUMENT_REQUIRED

DISSOLVE_HAS_MEMBERS = _("该组织还有 %(n)s 名党员，请先转出或调整到其他组织，再撤销。")
DISSOLVE_HAS_CHILDREN = _("该组织还有 %(n)s 个下级组织，请先撤销或调整下级组织。")
ALREADY_DISSOLVED = _("该组织已于 %(day)s 撤销。")
SECOND_SECRETARY = _(
    "%(org)s 在 %(start)s 起的期间已有书记（%(holder)s，%(span)s），同一时间只能有一名书记。"
)
POST_END_BEFORE_START = _("离任日期不能早于任职日期。")
POST_NEEDS_NO_APPROVAL = _("%(post)s无须上级批准，只有书记、副书记须报批。")
APPROVAL_BEFORE_START = _("批复日期不能早于任职日期（%(day)s）。")
APPROVAL_IN_FUTURE = _("批复日期不能晚于今天。")
APPROVAL_AFTER_END = _("该职务已于 %(day)s 免去，批复日期不能晚于离任日期。")
POST_WRONG_LEVEL = _("%(post)s只能设在%(where)s。")
HOLDER_OUTSIDE_ORG = _("任职人应是本组织（或其上级组织所辖范围内）的党员。")
TERM_YEARS_INVALID = _(
    "任期应为 %(n)s 年（基层党委 5 年；村、社区党支部 5 年，其他党支部 3 年，条例第二十一条）。"
)
HOLDER_NOT_FULL = _(
    "任职人应为正式党员（预备党员没有表决权、选举权和被选举权，党章第七条）；%(name)s 当前为“%(status)s”。"
)
ELECTION_BEFORE_PREVIOUS = _("选举日期不能早于上一届的选举日期（%(day)s）。")
COMMITTEE_ONLY_FOR = _("只有党委、党总支和党支部设委员会，党小组不设。")
POST_BARRED = _("%(name)s%(restriction)s，不能担任该职务。")
LINKAGE_NOT_HIGHER = _("定点联系人应是上级党组织班子成员（在联系开始之日任职）。")
_POST_LEVELS = {
    CommitteePost.Post.GROUP_LEADER: ({"group"}, _("党小组")),
}
_COMMITTEE_POST_LEVELS = ({"committee", "branch"}, _("党委、党总支或党支部"))


@transaction.atomic
def org_dissolve(*, org: Org, on: date, document_no: str, by=None, note: str = "") -> Org:
    """Dissolve an org. Refused while it still has members or sub-orgs that are not dissolved."""
    org.refresh_from_db()
    if not document_no.strip():
        raise ValidationError({"document_no": DOCUMENT_REQUIRED})
    if org.dissolved_on is not None:
        raise ValidationError({"on": ALREADY_DISSOLVED % {"day": org.dissolved_on}})
    if on < org.established_on:
        raise ValidationError({"on": DATE_BEFORE_ESTABLISHED % {"day": org.established_on}})
    members = Member.objects.filter(Q(org=org) | Q(group=org), status__in=Member.ON_ROSTER).count()
    if members:
        raise ValidationError({"__all__": DISSOLVE_HAS_MEMBERS % {"n": members}})
    children = Org.objects.get_children(org).filter(dissolved_on__isnull=True).count()
    if children:
        raise ValidationError({"__all__": DISSOLVE_HAS_CHILDREN % {"n": children}})
    org.dissolved_on = on
    org.save(update_fields=["dissolved_on", "updated_at"])
    OrgEvent.objects.create(
        org=org,
        kind=OrgEvent.Kind.DISSOLVED,
        on=on,
        from_parent=Org.objects.get_parent(org),
        document_no=document_no,
        note=note,
        recorded_by=by,
    )
    return org


@transaction.atomic
def committee_elect(
    *,
    org: Org,
    elected_on: date,
    term_number: int | None = None,
    method: str = Committee.Method.COMPETITIVE,
    term_years: int | None = None,
    by=None,
) -> Committee:
    """Record an election (换届). The previous committee ends on the election day."""
    if org.kind == Org.Kind.GROUP:
        raise ValidationError({"org": COMMITTEE_ONLY_FOR})
    expected_years = org.term_years
    if term_years is not None and term_years != expected_years:
        raise ValidationError({"term_years": TERM_YEARS_INVALID % {"n": expected_years}})
    if elected_on < org.established_on:
        raise ValidationError({"elected_on": DATE_BEFORE_ESTABLISHED % {"day": org.established_on}})
    previous = Committee.objects.select_for_update().filter(org=org).order_by("-elected_on").first()
    if previous is not None and elected_on <= previous.elected_on:
        raise ValidationError(
            {"elected_on": ELECTION_BEFORE_PREVIOUS % {"day": previous.elected_on}}
        )
    committee = Committee(
        org=org,
        term_number=term_number or ((previous.term_number + 1) if previous else 1),
        elected_on=elected_on,
        method=method,
        term_years=expected_years,
        term_ends_on=Committee.compute_term_end(elected_on, expected_years),
    )
    committee.full_clean()
    if previous is not None and previous.ended_on is None:
        previous.ended_on = elected_on
        previous.save(update_fields=["ended_on", "updated_at"])
    committee.save()
    return committee


@transaction.atomic
def committee_file(
    *, committee: Committee, filing: str, on: date, document: str = "", by=None
) -> Committee:
    """Record the filing (备案) or approval (批准) of a committee by the higher one (ORG-06)."""
    committee.filing = filing
    if filing == Committee.Filing.FILED:
        committee.filed_on = on
    elif filing in (Committee.Filing.APPROVED, Committee.Filing.REJECTED):
        committee.approved_on = on
        committee.approval_document = document
    committee.full_clean()
    committee.save()
    if filing == Committee.Filing.APPROVED:
        # Approval of the committee covers its secretary and deputies (ORG-06).
        CommitteePost.objects.filter(
            committee=committee,
            post__in=[CommitteePost.Post.SECRETARY, CommitteePost.Post.DEPUTY_SECRETARY],
        ).filter(approved=False).update(approved=True, approved_on=on, approval_document=document)
    return committee


@transaction.atomic
def post_approve(*, record: CommitteePost, on: date, document: str = "", by=None) -> CommitteePost:
    """Record the higher committee's approval (批准) of a 书记 or 副书记 (ORG-06)."""
    if record.post not in (CommitteePost.Post.SECRETARY, CommitteePost.Post.DEPUTY_SECRETARY):
        raise ValidationError(
            {"post": POST_NEEDS_NO_APPROVAL % {"post": record.get_post_display()}}
        )
    if on < record.start:
        raise ValidationError({"on": APPROVAL_BEFORE_START % {"day": record.start}})
    if on > timezone.localdate():
        raise ValidationError({"on": APPROVAL_IN_FUTURE})
    if record.end is not None and on > record.end:
        raise ValidationError({"on": APPROVAL_AFTER_END % {"day": record.end}})
    record.approved, record.approved_on, record.approval_document = True, on, document
    record.full_clean()
    record.save(update_fields=["approved", "approved_on", "approval_document", "updated_at"])
    return record


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Half-open spans [start, end) overlap; None means open-ended."""
    return a_start < (b_end or date.max) and b_start < (a_end or date.max)


@transaction.atomic
def post_assign(
    *,
    org: Org,
    post: str,
    holder,
    start: date,
    end: date | None = None,
    committee: Committee | None = None,
    note: str = "",
    by=None,
) -> CommitteePost:
    """Appoint ``holder`` to ``post`` at ``org``. Only one 书记 at a time (ORG-04)."""
    levels, where = _POST_LEVELS.get(post, _COMMITTEE_POST_LEVELS)
    if org.level not in levels:
        raise ValidationError(
            {"post": POST_WRONG_LEVEL % {"post": CommitteePost.Post(post).label, "where": where}}
        )
    if end is not None and end < start:
        raise ValidationError({"end": POST_END_BEFORE_START})
    if start < org.established_on:
        raise ValidationError({"start": DATE_BEFORE_ESTABLISHED % {"day": org.established_on}})
    if holder.status != Member.Status.FULL:
        raise ValidationError(
            {
                "holder": HOLDER_NOT_FULL
                % {"name": holder.name, "status": holder.get_status_display()}
            }
        )
    # Discipline (DISC-02..04): only the restriction is shown, never the record behind it.
    restriction = post_barred(holder, start, post=post, org=org)
    if restriction is not None:
        message = POST_BARRED % {"name": holder.name, "restriction": restriction.text}
        raise ValidationError({"holder": ValidationError(message, code=restriction.code)})
    # The holder belongs to the org's subtree, or is sent from within the parent's (选派).
    if not holder.org.path.startswith(parent_path(org.path)):
        raise ValidationError({"holder": HOLDER_OUTSIDE_ORG})
    if post == CommitteePost.Post.SECRETARY:
        for other in CommitteePost.objects.select_for_update().filter(org=org, post=post):
            if _overlaps(start, end, other.start, other.end):
                span = f"{other.start}—{other.end or _('至今')}"
                raise ValidationError(
                    {
                        "start": SECOND_SECRETARY
                        % {"org": org, "start": start, "holder": other.holder, "span": span}
                    }
                )
    record = CommitteePost(
        org=org,
        post=post,
        holder=holder,
        start=start,
        end=end,
        committee=committee,
        note=note,
        approved=bool(committee and committee.filing == Committee.Filing.APPROVED),
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def post_end(*, record: CommitteePost, on: date, by=None) -> CommitteePost:
    if on < record.start:
        raise ValidationError({"end": POST_END_BEFORE_START})
    record.end = on
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def linkage_add(
    *, org: Org, person, start: date, end: date | None = None, note: str = "", by=None
) -> Linkage:
    """定点联系: ``person`` must hold a post in a committee above ``org`` on ``start``."""
    higher_posts = CommitteePost.objects.filter(
        holder=person,
        org__path__in=ancestor_paths(org.path),
        start__lte=start,
    ).filter(Q(end__isnull=True) | Q(end__gt=start))
    if not higher_posts.exists():
        raise ValidationError({"person": LINKAGE_NOT_HIGHER})
    if end is not None and end < start:
        raise ValidationError({"end": POST_END_BEFORE_START})
    link = Linkage(org=org, person=person, start=start, end=end, note=note)
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def linkage_end(*, linkage: Linkage, on: date, by=None) -> Linkage:
    if on < linkage.start:
        raise ValidationError({"on": POST_END_BEFORE_START})
    linkage.end = on
    linkage.full_clean()
    linkage.save()
    return linkage
