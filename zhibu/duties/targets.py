"""What a 督办 can be about: a registry of target kinds.

A 督办单 names its target as ``"<kind>:<ident>"`` (``Supervision.target_ref``, the same
shape as evidence refs). Each kind registers, with one call, how to find a record by
its ident within a user's scope, how to name it, where its page is and which org must
reply. The 督办 pages, services and API work for any registered kind.

Registering a kind (e.g. in the owning app's ``AppConfig.ready`` or in duties' own)::

    from zhibu.duties.targets import register_target

    register_target(
        "task",
        label=_("任务"),
        find=lambda user, ident: task_or_none(user, ident),  # None when absent/out of scope
        describe=lambda task: task.title,
        url=lambda task: reverse("duties:task", args=[task.public_id]),
        org=lambda task: task.org,  # the org that must reply
        ident=lambda task: str(task.public_id),  # default: the record's public_id
        can_open=lambda user, task: task.issued_by_id == user.pk,  # optional: who else opens
        opener_org=lambda user, task: task.issuer_org,  # optional: the 督办 org for them
    )

``find`` must apply the user's view scope itself (``permissions.scope_q``): a record
outside it is "not found", never "forbidden". Kinds registered here: ``finding`` (a
rulebook finding, ident = its database key: findings have no public id),
``rectification`` and ``task`` (opened by the issuer's side, in the issuer's name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.rules.models import Finding
from zhibu.duties.selectors.rectification import visible_items
from zhibu.duties.selectors.tasks import visible_tasks
from zhibu.duties.services.tasks import can_confirm

VIEW = "finding.view"


@dataclass(frozen=True)
class TargetKind:
    kind: str
    label: Any
    find: Callable[[Any, str], Any]
    describe: Callable[[Any], str]
    url: Callable[[Any], str]
    org: Callable[[Any], Any]
    ident: Callable[[Any], str]
    can_open: Callable[[Any, Any], bool] | None = None
    opener_org: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class Target:
    """One record a 督办 is about, as the registry resolved it."""

    kind: TargetKind
    record: Any

    @property
    def ref(self) -> str:
        return f"{self.kind.kind}:{self.kind.ident(self.record)}"

    @property
    def label(self) -> str:
        return str(self.kind.describe(self.record))[:200]

    @property
    def url(self) -> str:
        return self.kind.url(self.record)

    @property
    def org(self):
        return self.kind.org(self.record)


_KINDS: dict[str, TargetKind] = {}


def register_target(
    kind: str,
    *,
    label,
    find: Callable[[Any, str], Any],
    describe: Callable[[Any], str],
    url: Callable[[Any], str],
    org: Callable[[Any], Any],
    ident: Callable[[Any], str] | None = None,
    can_open: Callable[[Any, Any], bool] | None = None,
    opener_org: Callable[[Any, Any], Any] | None = None,
) -> TargetKind:
    """Make ``kind`` a possible 督办 target (see the module's docstring). Registering the
    same kind again replaces it (a test, or a reload)."""
    entry = TargetKind(
        kind=kind,
        label=label,
        find=find,
        describe=describe,
        url=url,
        org=org,
        ident=ident or (lambda record: str(record.public_id)),
        can_open=can_open,
        opener_org=opener_org,
    )
    _KINDS[kind] = entry
    return entry


def kinds() -> dict[str, TargetKind]:
    return dict(_KINDS)


def split(ref: str) -> tuple[str, str]:
    kind, _sep, ident = str(ref).partition(":")
    return kind, ident


def target_for(user, ref: str) -> Target:
    """The target named by ``ref`` if ``user`` may see it; else 404 (also for an unknown
    kind or a malformed ident)."""
    kind, ident = split(ref)
    entry = _KINDS.get(kind)
    if entry is None or not ident:
        raise Http404
    try:
        record = entry.find(user, ident)
    except (ValueError, TypeError, Http404):
        record = None
    if record is None:
        raise Http404
    return Target(entry, record)


def target_url(ref: str) -> str | None:
    """A target's page without resolving it for a user (links in lists): the kinds whose
    ident is the page's URL argument say so by a url on a stub; None when unknown."""
    kind, ident = split(ref)
    return _LINKS[kind](ident) if kind in _LINKS and ident else None


# Cheap links from a ref alone (no query), for lists of 督办.
_LINKS: dict[str, Callable[[str], str]] = {}


def register_link(kind: str, link: Callable[[str], str]) -> None:
    """How a list links to a target of ``kind`` from its ident alone (optional)."""
    _LINKS[kind] = link


# --- the kinds duties knows itself ------------------------------------------------------


def _finding(user, ident: str) -> Finding | None:
    return (
        Finding.objects.filter(permissions.scope_q(user, VIEW, field="org_path"))
        .select_related("org")
        .filter(pk=int(ident))
        .first()
    )


def finding_label(finding: Finding) -> str:
    return f"{finding.rule_code} {finding.period_code} {finding.org.name}：{finding.text}"


def _rectification(user, ident: str):
    return visible_items(user).select_related("org", "owner").filter(public_id=ident).first()


def _task(user, ident: str):
    return visible_tasks(user).select_related("org", "issuer").filter(public_id=ident).first()


def register_builtin() -> None:
    register_target(
        "finding",
        label=_("检查结果"),
        find=_finding,
        describe=finding_label,
        url=lambda f: reverse("duties:finding", args=[f.pk]),
        org=lambda f: f.org,
        ident=lambda f: str(f.pk),
    )
    register_link("finding", lambda ident: reverse("duties:finding", args=[ident]))
    register_target(
        "rectification",
        label=_("整改事项"),
        find=_rectification,
        describe=lambda item: item.problem,
        url=lambda item: reverse("duties:detail", args=[item.public_id]),
        org=lambda item: item.org,
    )
    register_link("rectification", lambda ident: reverse("duties:detail", args=[ident]))
    register_target(
        "task",
        label=_("任务"),
        find=_task,
        describe=lambda task: task.title,
        url=lambda task: reverse("duties:task_detail", args=[task.public_id]),
        org=lambda task: task.org,
        can_open=can_confirm,  # the issuing organisation's side follows up its own tasks
        opener_org=lambda user, task: task.issuer,
    )
    register_link("task", lambda ident: reverse("duties:task_detail", args=[ident]))
