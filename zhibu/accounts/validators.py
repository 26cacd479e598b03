"""Password rules beyond Django's: 等保 2.0 asks for mixed character classes."""

from __future__ import annotations

import re
import string
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PASSWORD_CLASSES_MESSAGE = _("密码须至少包含大写字母、小写字母、数字和符号中的三类。")


class CharacterClassValidator:
    """At least ``min_classes`` of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(PASSWORD_CLASSES_MESSAGE, code="password_classes")

    def get_help_text(self) -> str:
        return str(PASSWORD_CLASSES_MESSAGE)


PASSWORD_TOO_SHORT = _("密码太短，至少需要 %(min_length)d 个字符。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message that is Chinese: Django 5.2 changed the msgid of its
    too-short message and its zh_Hans catalogue still has the old one, so it shows in
    English. (Use it in AUTH_PASSWORD_VALIDATORS in place of Django's.)"""

    def get_error_message(self) -> str:
        return PASSWORD_TOO_SHORT % {"min_length": self.min_length}


# --- common Chinese passwords and pinyin name + year (issue 14, item 9) -----------------

COMMON_LIST = Path(__file__).resolve().parent / "data" / "common_passwords_zh.txt"
PASSWORD_COMMON_ZH = _("该密码过于常见（如 woaini1314、qwe123 一类），请换一个。")
PASSWORD_NAME_YEAR = _("密码不能是姓名拼音加数字（如 zhangsan1990），请换一个。")
PASSWORD_REUSED = _("不能使用最近用过的 %(keep)d 个密码。")

# The hundred-odd commonest surnames, in pinyin (v for ü).
SURNAMES = frozenset(
    [
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "ma",
        "zhu",
        "hu",
        "guo",
        "he",
        "gao",
        "lin",
        "luo",
        "zheng",
        "liang",
        "xie",
        "song",
        "tang",
        "han",
        "feng",
        "deng",
        "cao",
        "peng",
        "zeng",
        "xiao",
        "tian",
        "dong",
        "pan",
        "yuan",
        "cai",
        "jiang",
        "yu",
        "du",
        "ye",
        "cheng",
        "wei",
        "su",
        "lu",
        "ding",
        "ren",
        "shen",
        "yao",
        "jin",
        "fu",
        "zhong",
        "qin",
        "lv",
        "shi",
        "cui",
        "kong",
        "bai",
        "cui",
        "tan",
        "fan",
        "fang",
        "jia",
        "lei",
        "long",
        "duan",
        "hao",
        "shao",
        "qiu",
        "qian",
        "wan",
        "xiong",
        "meng",
        "mao",
        "yin",
        "hou",
        "gu",
        "kang",
        "niu",
        "tao",
        "yan",
        "xue",
    ]
)


@cache
def common_stems() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's dictionary), ü written v."""
    from pypinyin.constants import PINYIN_DICT
    from pypinyin.contrib.tone_convert import to_normal

    found = set()
    for value in PINYIN_DICT.values():
        for reading in value.split(","):
            found.add(to_normal(reading).replace("ü", "v"))
    return frozenset(s for s in found if s.isascii() and s.isalpha())


def _syllables(text: str, limit: int = 3) -> list[str] | None:
    """``text`` split into at most ``limit`` pinyin syllables (longest first), or None."""
    if not text:
        return []
    if limit == 0:
        return None
    for end in range(min(6, len(text)), 0, -1):
        head = text[:end]
        if head in pinyin_syllables():
            rest = _syllables(text[end:], limit - 1)
            if rest is not None:
                return [head, *rest]
    return None


def _name_pinyin(user) -> str:
    from pypinyin import lazy_pinyin

    full_name = getattr(user, "full_name", "") or ""
    return "".join(lazy_pinyin(full_name)).lower().replace("ü", "v") if full_name else ""


class PinyinPasswordValidator:
    """Refuse passwords common in China, pinyin names with digits, and the user's own name.

    The letters of the password (digits and symbols dropped) must not be a stem from ``data/common_passwords_zh.txt`` (woaini, qwe,
    zhangsan …), nor two or three pinyin syllables starting with a common surname
    (zhangwei1985, Liming@1990), nor contain the pinyin of the user's own name.
    """

    def validate(self, password: str, user=None) -> None:
        lowered = password.lower()
        if lowered in common_stems():
            raise ValidationError(PASSWORD_COMMON_ZH, code="password_common_zh")
        own_name = _name_pinyin(user)
        if len(own_name) >= 4 and own_name in "".join(c for c in lowered if c.isalpha()):
            raise ValidationError(PASSWORD_NAME_YEAR, code="password_name_year")
        # The letters alone: digits and symbols around or between them hide nothing.
        core = re.sub(r"[^a-z]", "", lowered)
        if core in common_stems():
            raise ValidationError(PASSWORD_COMMON_ZH, code="password_common_zh")
        parts = _syllables(core)
        if parts and len(parts) >= 2 and parts[0] in SURNAMES:
            raise ValidationError(PASSWORD_NAME_YEAR, code="password_name_year")

    def get_help_text(self) -> str:
        return str(_("不能是常见密码或姓名拼音加数字。"))


class PasswordHistoryValidator:
    """Refuse the current password and the last ``keep`` - 1 before it.

    ``password_changed`` (Django calls it after a new password is saved) records the
    new hash in ``PasswordHistory``; older rows beyond ``keep`` are deleted.
    """

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep

    def _recent(self, user) -> list[str]:
        from zhibu.accounts.models import PasswordHistory

        return list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
                : self.keep
            ]
        )

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        hashes = self._recent(user)
        users = get_user_model().objects.filter(pk=user.pk)
        current = users.values_list("password", flat=True).first()
        if current:
            hashes = [current, *hashes[: self.keep - 1]]
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(
                PASSWORD_REUSED, code="password_reused", params={"keep": self.keep}
            )

    def password_changed(self, password: str, user=None) -> None:
        from zhibu.accounts.models import PasswordHistory

        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.keep :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return str(PASSWORD_REUSED % {"keep": self.keep})


def password_expired(user) -> bool:
    """Is ``user``'s password older than their roles allow? (settings: platform
    administrators ``ZHIBU_ADMIN_PASSWORD_MAX_DAYS``, others ``ZHIBU_PASSWORD_MAX_DAYS``;
    0 means never.) Its age counts from the last change, or from the account's creation."""
    from django.conf import settings
    from django.utils import timezone

    from zhibu.accounts.models import PasswordHistory
    from zhibu.accounts.permissions import PLATFORM, grants

    admin = any(grant.level == PLATFORM for grant in grants(user))
    days = settings.ZHIBU_ADMIN_PASSWORD_MAX_DAYS if admin else settings.ZHIBU_PASSWORD_MAX_DAYS
    if not days:
        return False
    last = PasswordHistory.objects.filter(user=user).values_list("created_at", flat=True).first()
    return timezone.now() - (last or user.date_joined) > timedelta(days=days)
