"""Context every page of the shell needs: the navigation and the current module."""

from __future__ import annotations

from zhibu.core.navigation import MODULES


def shell(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    namespace = (match.namespace if match else "") or (match.url_name if match else "")
    items = []
    for item in MODULES:
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "icon": item.icon,
                "url": item.url(),
                "active": namespace == item.key or (item.key == "home" and namespace == "home"),
            }
        )
    return {"nav_items": items}
