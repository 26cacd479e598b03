"""Writes to responsibility letters (责任书, RESP-01/RESP-02): drafting a 范本 and its items,
issuing one letter per direct subordinate, signing by the recipient's principal leader,
and the cascade (分级): a received item is kept or passed down to the recipient's own
subordinates, visibly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.accounts.models import Role
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.scope import parent_path
from zhibu.duties.models import Letter, LetterItem
from zhibu.orgs.models import CommitteePost, Department, Org
from zhibu.orgs.selectors import posts_on

TITLE_EMPTY = _("请填写标题。")
ISSUER_LEVEL = _("责任书由党委或党总支下达（RESP-02：分级签订）。")
DEADLINE_BEFORE_ISSUE = _("签订期限不能早于下达日期（%(day)s）。")
ITEM_DEADLINE_BEFORE_ISSUE = _("完成时限不能早于责任书下达日期（%(day)s）。")
ITEM_CONTENT_EMPTY = _("请填写责任内容。")
CATEGORY_EMPTY = _("请填写分项。")
WEIGHT_RANGE = _("权重应在 0–100 分之间。")
DEPARTMENT_ELSEWHERE = _("责任部门应是下达组织或签订组织的职能部门。")
NOT_DRAFT = _("只有草稿可以修改；已下达的责任书不能再改。")
NO_ITEMS = _("责任书至少要有一个分项才能下达。")
NO_RECIPIENTS = _("请选择签订组织。")
NOT_DIRECT = _("%(org)s 不是 %(issuer)s 的直接下级组织（RESP-02：逐级签订）。")
ALREADY_ISSUED = _("%(org)s 已有本年度同类责任书，不能重复下达。")
WRITE = "meeting.record"
NOT_ISSUED = _("只有已下达、待签订的责任书可以签订。")
NOT_PRINCIPAL = _(
    "只有 %(org)s 的书记（主要负责人）可以签订本组织的责任书（RESP-01：党组织书记是第一责任人）。"
)
NOT_ISSUER_SIDE = _("线下签订由下达组织登记。")
NO_SECRETARY = _(
    "%(org)s 在 %(day)s 没有在任的书记，无法登记签订（RESP-01：党组织书记是第一责任人）。"
)
SIGN_IN_FUTURE = _("签订日期不能晚于今天。")
SIGN_BEFORE_ISSUE = _("签订日期不能早于下达日期（%(day)s）。")
PLACE_EMPTY = _("请填写签订地点。")
NOT_SIGNED = _("责任书签订后才能分解分项（RESP-02：分级）。")
NOT_RECEIVED = _("只能分解本组织收到的责任书分项。")
ALREADY_DISPOSED = _("该分项已%(how)s。")
PASS_TARGETS = _("请选择要下传的下级组织。")
NOT_CHILD = _("%(org)s 不是 %(parent)s 的直接下级组织。")
NO_SUBORDINATES = _("%(org)s 没有下级组织，分项只能由本级承担。")

# The standard items a 范本 starts from (分项; each editable after loading).
STANDARD_ITEMS: tuple[tuple[str, str, int, str], ...] = (
    (
        "政治建设",
        "认真学习贯彻党的创新理论，严格执行重大事项请示报告制度",
        15,
        "学习记录、请示报告台账",
    ),
    ("思想建设", "落实“三会一课”、主题党日和党员集中学习，全年学时达标", 15, "会议记录、学时统计"),
    ("组织建设", "按期换届，健全支部委员会，规范发展党员和党费收缴", 20, "换届材料、发展党员档案"),
    ("作风建设", "整治形式主义、官僚主义，开展调查研究和联系服务群众", 15, "调研报告、服务台账"),
    ("纪律建设", "开展纪律教育和警示教育，运用监督执纪“四种形态”", 15, "警示教育记录、谈话记录"),
    ("党风廉政", "落实党风廉政建设责任，排查廉洁风险并制定防控措施", 20, "廉洁风险清单、防控措施"),
)
STANDARD_CATEGORIES = tuple(dict.fromkeys(row[0] for row in STANDARD_ITEMS))


def is_child(org: Org, parent: Org) -> bool:
    return org.path != parent.path and parent_path(org.path) == parent.path


@dataclass(frozen=True)
class ItemSpec:
    category: str
    content: str
    deadline: date
    weight: int = 0
    evidence_required: str = ""
    department: Department | None = None


def _check_deadline(issued_on: date, sign_deadline: date | None) -> None:
    if sign_deadline is not None and sign_deadline < issued_on:
        raise ValidationError({"sign_deadline": DEADLINE_BEFORE_ISSUE % {"day": issued_on}})


def _check_item(letter: Letter, spec: ItemSpec) -> None:
    if not spec.category.strip():
        raise ValidationError({"category": CATEGORY_EMPTY})
    if not spec.content.strip():
        raise ValidationError({"content": ITEM_CONTENT_EMPTY})
    if not 0 <= spec.weight <= 100:
        raise ValidationError({"weight": WEIGHT_RANGE})
    if spec.deadline < letter.issued_on:
        raise ValidationError({"deadline": ITEM_DEADLINE_BEFORE_ISSUE % {"day": letter.issued_on}})
    allowed = {letter.issuer_id, letter.recipient_id}
    if spec.department is not None and spec.department.org_id not in allowed:
        raise ValidationError({"department": DEPARTMENT_ELSEWHERE})


@transaction.atomic
def letter_draft(
    *,
    issuer: Org,
    kind: str,
    year: int,
    title: str,
    issued_on: date,
    sign_deadline: date | None = None,
    preamble: str = "",
    recipient: Org | None = None,
    issuer_signer: str = "",
    by=None,
) -> Letter:
    """A draft: a 范本 (no recipient) to issue to many, or a letter to one subordinate."""
    if issuer.kind not in Org.COMMITTEE_KINDS:
        raise ValidationError(ISSUER_LEVEL)
    if not title.strip():
        raise ValidationError({"title": TITLE_EMPTY})
    _check_deadline(issued_on, sign_deadline)
    if recipient is not None and not is_child(recipient, issuer):
        raise ValidationError(NOT_DIRECT % {"org": recipient.name, "issuer": issuer.name})
    letter = Letter(
        issuer=issuer,
        recipient=recipient,
        kind=kind,
        year=year,
        title=title.strip(),
        preamble=preamble.strip(),
        issued_on=issued_on,
        sign_deadline=sign_deadline,
        issuer_signer=issuer_signer.strip()[:50],
        created_by=by,
    )
    letter.full_clean(exclude=["created_by", "recipient", "template", "signed_by"])
    letter.save()
    return letter


@transaction.atomic
def letter_update(
    *,
    letter: Letter,
    title: str,
    issued_on: date,
    sign_deadline: date | None,
    preamble: str = "",
    issuer_signer: str = "",
) -> Letter:
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError(NOT_DRAFT)
    if not title.strip():
        raise ValidationError({"title": TITLE_EMPTY})
    _check_deadline(issued_on, sign_deadline)
    early = letter.items.filter(deadline__lt=issued_on).first()
    if early is not None:
        raise ValidationError({"issued_on": ITEM_DEADLINE_BEFORE_ISSUE % {"day": issued_on}})
    letter.title, letter.issued_on, letter.sign_deadline = title.strip(), issued_on, sign_deadline
    letter.preamble, letter.issuer_signer = preamble.strip(), issuer_signer.strip()[:50]
    letter.save()
    return letter


@transaction.atomic
def item_add(*, letter: Letter, spec: ItemSpec, source: LetterItem | None = None) -> LetterItem:
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError(NOT_DRAFT)
    _check_item(letter, spec)
    last = letter.items.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return LetterItem.objects.create(
        letter=letter,
        category=spec.category.strip()[:30],
        content=spec.content.strip(),
        deadline=spec.deadline,
        weight=spec.weight,
        evidence_required=spec.evidence_required.strip()[:200],
        department=spec.department,
        sort_order=(last or 0) + 1,
        source=source,
    )


@transaction.atomic
def item_update(*, item: LetterItem, spec: ItemSpec) -> LetterItem:
    if item.letter.status != Letter.Status.DRAFT:
        raise ValidationError(NOT_DRAFT)
    _check_item(item.letter, spec)
    item.category, item.content = spec.category.strip()[:30], spec.content.strip()
    item.deadline, item.weight, item.department = spec.deadline, spec.weight, spec.department
    item.evidence_required = spec.evidence_required.strip()[:200]
    item.save()
    return item


@transaction.atomic
def item_delete(*, item: LetterItem) -> None:
    if item.letter.status != Letter.Status.DRAFT:
        raise ValidationError(NOT_DRAFT)
    if item.source_id:
        # A passed-down item going away leaves its source undecided again.
        source = item.source
        item.delete()
        if source is not None and not source.passed_to.exists():
            source.disposition = LetterItem.Disposition.PENDING
            source.save()
        return
    item.delete()


@transaction.atomic
def standard_items_load(*, letter: Letter) -> int:
    """Fill an empty draft with the standard 分项 (each due by year end)."""
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError(NOT_DRAFT)
    deadline = max(date(letter.year, 12, 31), letter.issued_on)
    for category, content, weight, evidence in STANDARD_ITEMS:
        item_add(
            letter=letter,
            spec=ItemSpec(category, content, deadline, weight, evidence),
        )
    return len(STANDARD_ITEMS)


def _copy_items(template: Letter, letter: Letter) -> None:
    LetterItem.objects.bulk_create(
        LetterItem(
            letter=letter,
            category=item.category,
            content=item.content,
            department=item.department,
            weight=item.weight,
            deadline=item.deadline,
            evidence_required=item.evidence_required,
            sort_order=item.sort_order,
            source=item.source,
        )
        for item in template.items.all()
    )


@transaction.atomic
def letter_issue(*, letter: Letter, recipients: list[Org] | None = None, by=None) -> list[Letter]:
    """下达. A 范本 goes out as one letter per recipient (each a direct subordinate without
    a letter of the same year and kind yet); a draft to one recipient goes out as it is."""
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if not locked.items.exists():
        raise ValidationError(NO_ITEMS)
    if not locked.is_template:
        if locked.status != Letter.Status.DRAFT:
            raise ValidationError(NOT_DRAFT)
        locked.status = Letter.Status.ISSUED
        locked.save()
        return [locked]
    if not recipients:
        raise ValidationError({"recipients": NO_RECIPIENTS})
    taken = set(
        Letter.objects.filter(
            issuer=locked.issuer, year=locked.year, kind=locked.kind, recipient__in=recipients
        ).values_list("recipient_id", flat=True)
    )
    issued = []
    for org in recipients:
        if not is_child(org, locked.issuer):
            raise ValidationError(NOT_DIRECT % {"org": org.name, "issuer": locked.issuer.name})
        if org.pk in taken:
            raise ValidationError(ALREADY_ISSUED % {"org": org.name})
        copy = Letter.objects.create(
            issuer=locked.issuer,
            recipient=org,
            template=locked,
            kind=locked.kind,
            year=locked.year,
            title=locked.title,
            preamble=locked.preamble,
            issued_on=locked.issued_on,
            sign_deadline=locked.sign_deadline,
            issuer_signer=locked.issuer_signer,
            status=Letter.Status.ISSUED,
            created_by=by,
        )
        _copy_items(locked, copy)
        issued.append(copy)
    # A 范本 once issued is frozen, so every copy says what it said.
    locked.status = Letter.Status.ISSUED
    locked.save()
    return issued


def is_principal_of(user, org: Org, on: date | None = None) -> bool:
    """Does ``user`` hold the 书记 post (the principal leader) of ``org`` itself?"""
    return any(
        grant.role == Role.SECRETARY and grant.org_id == org.pk
        for grant in permissions.grants(user, on)
    )


def _check_signing(letter: Letter, signed_on: date, place: str) -> None:
    if letter.status != Letter.Status.ISSUED or letter.recipient is None:
        raise ValidationError(NOT_ISSUED)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": SIGN_IN_FUTURE})
    if signed_on < letter.issued_on:
        raise ValidationError({"signed_on": SIGN_BEFORE_ISSUE % {"day": letter.issued_on}})
    if not place.strip():
        raise ValidationError({"place": PLACE_EMPTY})


def _signed(letter: Letter, *, by, signed_on: date, place: str, request, recorded: bool) -> Letter:
    """Write the signature, turn the items into tasks and audit the act."""
    from zhibu.duties.services.tasks import tasks_from_letter

    assert letter.recipient is not None
    letter.status, letter.signed_on, letter.signed_at = (
        Letter.Status.SIGNED,
        signed_on,
        timezone.now(),
    )
    letter.signed_place, letter.signed_offline = place.strip()[:100], recorded
    letter.recorded_by = by if recorded else None
    letter.save()
    tasks_from_letter(letter=letter, by=by)
    how = (
        "线下签订，由 %s 登记" % (getattr(by, "full_name", "") or by.get_username())
        if recorded
        else "线上签订"
    )
    audit_record(
        kind=AuditEvent.Kind.SIGNED,
        summary=f"{letter.signer_name} 代表 {letter.recipient.name} 签订《{letter.title}》（{how}）",
        actor=by,
        request=request,
        obj=letter,
        org_path=letter.recipient.path,
        details={
            "letter": str(letter.public_id),
            "issuer": letter.issuer.name,
            "signer": letter.signer_name,
            "signed_on": signed_on.isoformat(),
            "place": letter.signed_place,
            "offline": recorded,
            "items": letter.items.count(),
        },
    )
    return letter


def _locked(letter: Letter) -> Letter:
    # "of self": PostgreSQL locks no row of a nullable outer join (the recipient).
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("recipient", "issuer")
        .get(pk=letter.pk)
    )


@transaction.atomic
def letter_sign(
    *,
    letter: Letter,
    by,
    signed_on: date,
    place: str,
    signer_post: str = "",
    request=None,
) -> Letter:
    """签订: the recipient's principal leader signs (who, when, where), audited; every item
    becomes a task of the recipient, confirmed by the issuer."""
    locked = _locked(letter)
    if locked.recipient is not None and not is_principal_of(by, locked.recipient):
        raise ValidationError(NOT_PRINCIPAL % {"org": locked.recipient.name}, code="RESP-01")
    _check_signing(locked, signed_on, place)
    locked.signed_by = by
    locked.signer_name = (getattr(by, "full_name", "") or by.get_username())[:50]
    locked.signer_post = (signer_post.strip() or str(_("书记")))[:50]
    return _signed(locked, by=by, signed_on=signed_on, place=place, request=request, recorded=False)


@transaction.atomic
def letter_record_signing(
    *, letter: Letter, by, signed_on: date, place: str, request=None
) -> Letter:
    """线下签订登记: the letter was signed on paper (usually at the year's 党建工作会议); the
    issuer's side records it. The signer is the recipient's secretary in office that day
    (its committee's 书记 post): nobody else can be recorded as signing for it."""
    locked = _locked(letter)
    if not permissions.can(by, WRITE, locked.issuer):
        raise ValidationError(NOT_ISSUER_SIDE)
    _check_signing(locked, signed_on, place)
    assert locked.recipient is not None
    post = posts_on([locked.recipient.pk], signed_on, [CommitteePost.Post.SECRETARY]).first()
    if post is None:
        raise ValidationError(
            NO_SECRETARY % {"org": locked.recipient.name, "day": signed_on}, code="RESP-01"
        )
    locked.signed_by = post.holder.user if post.holder.user_id else None
    locked.signer_name, locked.signer_post = post.holder.name[:50], str(_("书记"))
    return _signed(locked, by=by, signed_on=signed_on, place=place, request=request, recorded=True)


def _received(item: LetterItem) -> Letter:
    letter = item.letter
    if letter.recipient is None:
        raise ValidationError(NOT_RECEIVED)
    if letter.status != Letter.Status.SIGNED:
        raise ValidationError(NOT_SIGNED)
    if item.disposition != LetterItem.Disposition.PENDING:
        raise ValidationError(ALREADY_DISPOSED % {"how": item.get_disposition_display()})
    return letter


@transaction.atomic
def item_keep(*, item: LetterItem, note: str = "") -> LetterItem:
    """本级承担: the recipient carries a received item itself (its task stays its own)."""
    item = LetterItem.objects.select_for_update().select_related("letter").get(pk=item.pk)
    _received(item)
    item.disposition, item.disposition_note = LetterItem.Disposition.KEPT, note.strip()[:200]
    item.save()
    return item


@transaction.atomic
def item_pass_down(*, item: LetterItem, to: list[Org], note: str = "", by=None) -> list[LetterItem]:
    """分解下传: copy a received item into the recipient's draft letter to each of ``to``
    (its direct subordinates; a draft of the same year and kind is made where none is
    open). The drafts are issued from their own pages."""
    item = LetterItem.objects.select_for_update().select_related("letter").get(pk=item.pk)
    letter = _received(item)
    holder = letter.recipient
    assert holder is not None
    if not to:
        raise ValidationError({"to": PASS_TARGETS})
    if holder.kind not in Org.COMMITTEE_KINDS or not Org.objects.get_children(holder).exists():
        raise ValidationError(NO_SUBORDINATES % {"org": holder.name})
    copies = []
    for org in to:
        if not is_child(org, holder):
            raise ValidationError({"to": NOT_CHILD % {"org": org.name, "parent": holder.name}})
        draft = (
            Letter.objects.filter(
                issuer=holder,
                recipient=org,
                year=letter.year,
                kind=letter.kind,
                status=Letter.Status.DRAFT,
            )
            .order_by("id")
            .first()
        )
        if draft is None:
            draft = letter_draft(
                issuer=holder,
                recipient=org,
                kind=letter.kind,
                year=letter.year,
                title=letter.title,
                preamble=letter.preamble,
                issued_on=max(timezone.localdate(), letter.issued_on),
                sign_deadline=letter.sign_deadline
                if letter.sign_deadline and letter.sign_deadline >= timezone.localdate()
                else None,
                by=by,
            )
        spec = ItemSpec(
            item.category,
            item.content,
            max(item.deadline, draft.issued_on),
            item.weight,
            item.evidence_required,
        )
        copies.append(item_add(letter=draft, spec=spec, source=item))
    item.disposition, item.disposition_note = LetterItem.Disposition.PASSED, note.strip()[:200]
    item.save()
    return copies
