"""Password rules beyond Django's: 等保 2.0 asks for mixed character classes."""

from __future__ import annotations

import string

from django.contrib.auth import password_validation
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
