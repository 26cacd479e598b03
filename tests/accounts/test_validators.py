from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhibu.accounts.validators import CharacterClassValidator, MinimumLengthValidator


def test_a_short_password_is_refused_in_chinese():
    with pytest.raises(ValidationError) as info:
        MinimumLengthValidator(min_length=10).validate("Ab-1")
    assert info.value.messages == ["密码太短，至少需要 10 个字符。"]


@pytest.mark.parametrize(
    ("password", "ok"),
    [("abcdefghij", False), ("abcdefgh12", False), ("Abcdefgh12", True), ("abcdefg-12", True)],
)
def test_a_password_needs_three_character_classes(password, ok):
    if ok:
        CharacterClassValidator().validate(password)
    else:
        with pytest.raises(ValidationError):
            CharacterClassValidator().validate(password)
