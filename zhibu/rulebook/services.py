"""Writes to the rulebook's data: local supplements and exemptions."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.rules.base import Confidence
from zhibu.core.rules.models import Exemption, Supplement
from zhibu.core.rules.registry import in_force, versions
from zhibu.orgs.models import Org

UNKNOWN_RULE = _("没有编号为“%(code)s”的规则。")
SUPPLEMENT_LOOSENS = _(
    "补充规定只能从严：%(code)s 是党内法规明确的规定，“%(label)s”不能%(direction)s于全国标准（%(default)s%(unit)s）。"
)
SUPPLEMENT_UNKNOWN_PARAM = _("规则 %(code)s 没有参数“%(name)s”。")
SUPPLEMENT_BAD_VALUE = _("“%(label)s”应为正整数。")
SUPPLEMENT_CANNOT_DISABLE = _("%(code)s 是党内法规明确的规定，不能停用，只能从严补充。")
SUPPLEMENT_NOT_COMMITTEE = _("补充规定由党委制定。")
DATES_ORDERED = _("结束日期不能早于开始日期。")
EXEMPTION_REASON_REQUIRED = _("请填写豁免理由。")
EXEMPTION_APPROVER_REQUIRED = _("豁免须由有审批权限的上级党组织负责人批准。")
EXEMPTION_NOT_REQUESTED = _("该豁免申请已处理。")
EXEMPTION_NOT_APPROVED = _("只能撤销已批准的豁免。")
EXEMPTION_MEMBER_OUTSIDE = _("所选党员不属于该组织。")


def _rule_or_error(code: str, day: date):
    rule = in_force(code, day) or (versions(code)[-1] if versions(code) else None)
    if rule is None:
        raise ValidationError({"rule_code": UNKNOWN_RULE % {"code": code}})
    return rule


@transaction.atomic
def supplement_create(
    *,
    committee,
    rule_code: str,
    params: dict[str, int],
    effective_from: date,
    effective_to: date | None = None,
    enabled: bool = True,
    document_no: str = "",
    note: str = "",
    by=None,
    request=None,
) -> Supplement:
    """Record a local supplement; refuse any that loosens a confirmed (C/C?) rule."""
    if committee.kind != Org.Kind.COMMITTEE:
        raise ValidationError({"committee": SUPPLEMENT_NOT_COMMITTEE})
    if effective_to is not None and effective_to <= effective_from:
        raise ValidationError({"effective_to": DATES_ORDERED})
    rule = _rule_or_error(rule_code, effective_from)
    confirmed = rule.citation.confidence != Confidence.LOCAL
    declared = {p.name: p for p in rule.params}
    errors: dict[str, list] = {}
    clean: dict[str, int] = {}
    for name, raw in params.items():
        param = declared.get(name)
        if param is None:
            errors.setdefault("params", []).append(
                SUPPLEMENT_UNKNOWN_PARAM % {"code": rule.code, "name": name}
            )
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = -1
        if value < 0:
            errors.setdefault(name, []).append(SUPPLEMENT_BAD_VALUE % {"label": param.label})
            continue
        looser = value > param.default if param.stricter == "lower" else value < param.default
        if confirmed and looser:
            direction = _("大") if param.stricter == "lower" else _("小")
            errors.setdefault(name, []).append(
                SUPPLEMENT_LOOSENS
                % {
                    "code": rule.code,
                    "label": param.label,
                    "direction": direction,
                    "default": param.default,
                    "unit": param.unit,
                }
            )
            continue
        clean[name] = value
    if confirmed and not enabled:
        errors.setdefault("enabled", []).append(SUPPLEMENT_CANNOT_DISABLE % {"code": rule.code})
    if errors:
        raise ValidationError(errors)
    supplement = Supplement(
        committee=committee,
        rule_code=rule.code,
        params=clean,
        enabled=enabled,
        effective_from=effective_from,
        effective_to=effective_to,
        document_no=document_no,
        note=note,
        created_by=by,
    )
    supplement.full_clean()
    supplement.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=f"{committee} 制定 {rule.code} 补充规定 {clean}",
        actor=by,
        request=request,
        obj=supplement,
        org_path=committee.path,
        details={"rule": rule.code, "params": clean, "enabled": enabled},
    )
    return supplement


@transaction.atomic
def exemption_request(
    *,
    rule_code: str,
    org,
    start: date,
    end: date,
    reason: str,
    by,
    member=None,
    request=None,
) -> Exemption:
    """Ask for an exemption. A requester who may approve it for ``org`` approves at once."""
    _rule_or_error(rule_code, start)
    if not (reason or "").strip():
        raise ValidationError({"reason": EXEMPTION_REASON_REQUIRED})
    if end < start:
        raise ValidationError({"end": DATES_ORDERED})
    if member is not None and not member.org.path.startswith(org.path):
        raise ValidationError({"member": EXEMPTION_MEMBER_OUTSIDE})
    exemption = Exemption.objects.create(
        rule_code=rule_code,
        org=org,
        member=member,
        start=start,
        end=end,
        reason=reason.strip(),
        requested_by=by,
    )
    if permissions.can(by, "exemption.approve", org):
        return exemption_decide(exemption=exemption, approve=True, by=by, request=request)
    return exemption


@transaction.atomic
def exemption_decide(
    *, exemption: Exemption, approve: bool, by, note: str = "", request=None
) -> Exemption:
    """Approve or reject an exemption; the approver needs exemption.approve for the org."""
    exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if exemption.state != Exemption.State.REQUESTED:
        raise ValidationError({"__all__": EXEMPTION_NOT_REQUESTED})
    if by is None or not permissions.can(by, "exemption.approve", exemption.org):
        raise ValidationError({"approver": EXEMPTION_APPROVER_REQUIRED})
    exemption.state = Exemption.State.APPROVED if approve else Exemption.State.REJECTED
    exemption.approver = by
    exemption.decided_at = timezone.now()
    exemption.decision_note = note
    exemption.save()
    verb = "批准" if approve else "驳回"
    audit_record(
        kind=AuditEvent.Kind.EXEMPTION,
        summary=f"{verb} {exemption.org} {exemption.rule_code} 豁免（{exemption.start}—{exemption.end}）",
        actor=by,
        request=request,
        obj=exemption,
        org_path=exemption.org.path,
        details={
            "rule": exemption.rule_code,
            "approved": approve,
            "reason": exemption.reason,
            "note": note,
        },
    )
    return exemption


@transaction.atomic
def exemption_revoke(*, exemption: Exemption, by, request=None) -> Exemption:
    """Withdraw an approved exemption (a pending one is decided, not revoked)."""
    if by is None or not permissions.can(by, "exemption.approve", exemption.org):
        raise ValidationError({"approver": EXEMPTION_APPROVER_REQUIRED})
    if exemption.state != Exemption.State.APPROVED:
        raise ValidationError({"__all__": EXEMPTION_NOT_APPROVED})
    exemption.state = Exemption.State.REVOKED
    exemption.save(update_fields=["state"])
    audit_record(
        kind=AuditEvent.Kind.EXEMPTION,
        summary=f"撤销 {exemption.org} {exemption.rule_code} 豁免",
        actor=by,
        request=request,
        obj=exemption,
        org_path=exemption.org.path,
    )
    return exemption
