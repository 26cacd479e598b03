"""Sign-in throttling beside django-axes' account lockout (issue 14, item 9).

Two counters in the shared database cache, so every process sees them:

- per client address: after ``ZHIBU_LOGIN_IP_LIMIT`` failures (any accounts) within
  ``ZHIBU_LOGIN_IP_WINDOW_MINUTES`` the address may not try again until the window ends.
  The limit is well above one account's, so a whole office behind one NAT address is not
  stopped by one colleague's typos, but one address cannot spray forty accounts.
- per account: after ``FREE_FAILURES`` failures each further try must wait a growing delay
  (``ZHIBU_LOGIN_BACKOFF_SECONDS`` doubled per failure, capped at the lockout time) since
  the last failure; a try inside the delay is refused without checking the password and is
  not counted. Locking someone out (axes, at ``ZHIBU_LOGIN_FAILURE_LIMIT`` failures) thus
  takes minutes of spaced attempts, not five quick requests.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _

FREE_FAILURES = 3


def _cache():
    return caches["shared"]


def _user_key(username: str) -> str:
    # Hashed: usernames may hold characters the database cache keys should not.
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-user:{digest}"


def _ip_key(ip: str | None) -> str:
    return f"login-ip:{ip or 'unknown'}"


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures of one account."""
    base = settings.ZHIBU_LOGIN_BACKOFF_SECONDS
    if base <= 0 or failures < FREE_FAILURES:
        return 0
    cap = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return min(base * 2 ** (failures - FREE_FAILURES), cap)


def refusal(*, ip: str | None, username: str) -> str | None:
    """Why this sign-in attempt is refused before checking the password, or None."""
    now = time.time()
    by_ip = _cache().get(_ip_key(ip))
    if by_ip and by_ip["n"] >= settings.ZHIBU_LOGIN_IP_LIMIT:
        minutes = max(1, math.ceil((by_ip["until"] - now) / 60))
        return _("该网络地址登录失败次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": minutes}
    by_user = _cache().get(_user_key(username))
    if by_user:
        wait = by_user["last"] + delay_after(by_user["n"]) - now
        if wait > 0:
            return _("该账号连续登录失败，请 %(seconds)d 秒后再试。") % {"seconds": math.ceil(wait)}
    return None


def failed(*, ip: str | None, username: str) -> None:
    now = time.time()
    window = settings.ZHIBU_LOGIN_IP_WINDOW_MINUTES * 60
    by_ip = _cache().get(_ip_key(ip)) or {"n": 0, "until": now + window}
    by_ip["n"] += 1
    _cache().set(_ip_key(ip), by_ip, max(1, int(by_ip["until"] - now)))
    by_user = _cache().get(_user_key(username)) or {"n": 0}
    by_user.update(n=by_user["n"] + 1, last=now)
    _cache().set(_user_key(username), by_user, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def succeeded(*, username: str) -> None:
    _cache().delete(_user_key(username))
