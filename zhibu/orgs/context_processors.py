"""Context every page of the shell needs: the navigation and the current org (the top
bar's org switcher lives with the org tree; the navigation entries are core's)."""

from __future__ import annotations

from zhibu.accounts.permissions import grants
from zhibu.core.navigation import ADMIN, MODULES
from zhibu.core.rules.models import Notification
from zhibu.orgs.current import current_org, switchable_orgs


def _items(request, entries, held: set[str], active_key: str) -> list[dict]:
    items = []
    for item in entries:
        if item.action and item.action not in held:
            continue
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "icon": item.icon,
                "url": item.url(),
                "active": item.key == active_key,
            }
        )
    return items


# Which navigation entry a page belongs to: by app namespace, or by URL name in the
# platform administrators' pages (one namespace, three entries).
_APP_KEYS = {"insight": "cockpit", "core": "calendar", "api_tokens": ""}
_ADMIN_PAGES = {
    "users": "users",
    "user_create": "users",
    "user_detail": "users",
    "user_set_active": "users",
    "user_password": "users",
    "role_grant": "users",
    "role_end": "users",
    "lockouts": "security",
    "unlock": "security",
    "audit": "audit",
    "audit_verify": "audit",
}


# Pages of the duties app under the "责任书与任务" entry (the rest are "责任落实").
_LETTER_PAGES = ("letter_", "item_", "standard_items", "task_", "department")


def _active_key(match) -> str:
    if match is None:
        return ""
    if match.app_name == "accounts":
        return _ADMIN_PAGES.get(match.url_name, "")
    if match.app_name == "duties" and (match.url_name or "").startswith(_LETTER_PAGES):
        return "letters"
    if match.app_name:
        return _APP_KEYS.get(match.app_name, match.app_name)
    return match.url_name or ""


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = {action for grant in grants(user) for action in grant.actions}
    active = _active_key(getattr(request, "resolver_match", None))
    return {
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count(),
        "nav_items": _items(request, MODULES, held, active),
        "admin_items": _items(request, ADMIN, held, active),
        "current_org": current_org(request),
        "switchable_orgs": switchable_orgs(request),
    }
