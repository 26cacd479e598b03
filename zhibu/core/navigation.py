"""The side navigation: one entry per module, in the order users think of their work.

A module whose pages have not landed yet is listed but disabled, so the shell shows
where the product is going without dead links. Apps register their entry point by
URL name; ``url_name`` None means "not available yet".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from zhibu.core.links import reverse_once


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    icon: str
    url_name: str | None = None
    action: str | None = None  # shown only to users holding this action somewhere

    def url(self) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse_once(self.url_name)
        except NoReverseMatch:
            return None


MODULES: tuple[NavItem, ...] = (
    NavItem("home", _("工作台"), "house-door", "home"),
    NavItem("orgs", _("组织"), "diagram-3", "orgs:tree", "org.view"),
    NavItem("members", _("党员"), "people", "members:list", "member.view"),
    NavItem("meetings", _("组织生活"), "calendar-check", "meetings:list", "meeting.view"),
    NavItem("development", _("发展党员"), "person-plus", "development:board", "development.view"),
    NavItem("education", _("学习教育"), "book", "study:index"),  # members read and study too
    NavItem("dues", _("党费"), "wallet2", "dues:index", "dues.manage"),
    NavItem("duties", _("责任落实"), "clipboard-check", "duties:list", "finding.view"),
    NavItem("requests", _("请示报告"), "envelope-paper", "duties:requests", "finding.view"),
    NavItem(
        "letters", _("责任书与任务"), "file-earmark-check", "duties:letter_list", "finding.view"
    ),
    NavItem("assessment", _("考核"), "award", "assessment:index", "finding.view"),
    NavItem("reviews", _("述职评议"), "person-video3", "reviews:index", "finding.view"),
    NavItem(
        "discipline", _("纪检监督"), "shield-exclamation", "discipline:index", "discipline.view"
    ),
    NavItem(
        "accountability",
        _("问责"),
        "exclamation-octagon",
        "accountability:index",
        "discipline.view",
    ),
    NavItem("notices", _("通知公告"), "megaphone", "notices:index"),  # everyone reads them
    NavItem("integrity", _("真实性核查"), "search", "integrity:index", "integrity.review"),
    NavItem("census", _("党内统计"), "table", "census:index", "census.manage"),
    NavItem("cockpit", _("驾驶舱"), "speedometer2", "insight:cockpit", "finding.view"),
)

# The platform administrators' pages (三员分立), shown only to those who hold them.
ADMIN: tuple[NavItem, ...] = (
    NavItem("users", _("用户与角色"), "person-gear", "accounts:users", "user.view"),
    NavItem("calendar", _("法定节假日"), "calendar3", "core:calendar", "calendar.manage"),
    NavItem("security", _("账号安全"), "shield-lock", "accounts:lockouts", "security.manage"),
    NavItem("audit", _("审计日志"), "journal-text", "accounts:audit", "audit.view"),
)
