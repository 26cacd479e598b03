"""Context every page of the shell needs: the navigation and the current org."""

from __future__ import annotations

from zhibu.core.navigation import ADMIN, MODULES


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


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from zhibu.accounts.permissions import grants
    from zhibu.orgs.current import current_org, switchable_orgs

    held = {action for grant in grants(user) for action in grant.actions}
    match = getattr(request, "resolver_match", None)
    active = (match.app_name or match.url_name) if match else ""
    active = {"orgs": "orgs", "members": "members", "meetings": "meetings", "development": "development",
              "insight": "cockpit", "accounts": match.url_name if match else ""}.get(active, active)  # fmt: skip
    from zhibu.core.rules.models import Notification

    return {
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count(),
        "nav_items": _items(request, MODULES, held, active),
        "admin_items": _items(request, ADMIN, held, active),
        "current_org": current_org(request),
        "switchable_orgs": switchable_orgs(request),
    }
