"""Citizen ID numbers (公民身份号码, GB 11643-1999): check digit, birth date and sex (DQ-01)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.crypto import blind_index

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

ID_LENGTH = _("公民身份号码应为 18 位（前 17 位为数字，最后一位为数字或 X）。")
ID_CHECKSUM = _("公民身份号码校验位不正确，请核对是否录入有误。")
ID_BIRTH_DATE = _("公民身份号码中的出生日期无效。")
ID_BIRTH_MISMATCH = _("出生日期与公民身份号码不一致（身份证号显示为 %(day)s）。")
ID_SEX_MISMATCH = _("性别与公民身份号码不一致（身份证号显示为%(sex)s）。")


class InvalidIdNumber(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    gender: str  # "M" or "F"


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def parse(value: str, *, today: date | None = None) -> IdInfo:
    """Validate an 18-digit ID number; raise ``InvalidIdNumber`` with a Chinese message.

    ``today`` (default: the local date) bounds the birth date; a caller checking many
    numbers passes it once instead of asking the clock per number."""
    number = normalise(value)
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise InvalidIdNumber(ID_LENGTH)
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber(ID_CHECKSUM)
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(ID_BIRTH_DATE) from None
    if birth.year < 1900 or birth > (today or timezone.localdate()):
        raise InvalidIdNumber(ID_BIRTH_DATE)
    gender = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, birth_date=birth, gender=gender)


def tail_index(value: str) -> str:
    """A keyed index of the last four characters, for searching by them.

    An HMAC under the field keys' index key: a database dump without the key says
    nothing about the digits. (With the key, four digits are brute-forced at once, but
    whoever holds the key can decrypt the number anyway.)
    """
    return blind_index(f"tail:{normalise(value)[-4:]}")[:16]


def fake(rng: random.Random, *, birth_date: date, gender: str, region: str = "110105") -> str:
    """A checksum-valid but synthetic ID number (for demo and test data only)."""
    sequence = rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
