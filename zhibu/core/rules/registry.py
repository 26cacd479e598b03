"""The registry of rules: every app's ``rules.py`` registers its rules at start-up."""

from __future__ import annotations

import itertools
from datetime import date

from zhibu.core.rules.base import Rule

_RULES: dict[str, list[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add one version of a rule. Versions of a code must not overlap."""
    rule = cls()
    versions = _RULES.setdefault(rule.code, [])
    for other in versions:
        if other.version == rule.version:
            raise ValueError(f"{rule.code} v{rule.version} is registered twice")
        ends = other.effective_to or date.max
        rule_ends = rule.effective_to or date.max
        if rule.effective_from < ends and other.effective_from < rule_ends:
            raise ValueError(f"{rule.code}: versions {other.version} and {rule.version} overlap")
    versions.append(rule)
    versions.sort(key=lambda r: r.effective_from)
    return cls


def versions(code: str) -> list[Rule]:
    return list(_RULES.get(code, []))


def in_force(code: str, day: date) -> Rule | None:
    """The version of ``code`` in force on ``day`` (past periods use the old version)."""
    for rule in _RULES.get(code, []):
        if rule.in_force_on(day):
            return rule
    return None


def codes() -> list[str]:
    return sorted(_RULES, key=_sort_key)


def catalogue(day: date | None = None) -> list[Rule]:
    """One rule per code: the version in force on ``day``, or the newest one."""
    result = []
    for code in codes():
        rule = in_force(code, day) if day else _RULES[code][-1]
        if rule is not None:
            result.append(rule)
    return result


def snapshot_codes() -> set[str]:
    """Codes of the rules judged as of a day (filed under every period a run covers)."""
    return {rule.code for rule in catalogue() if rule.period_kind == "snapshot"}


def _sort_key(code: str) -> tuple[str, int, str]:
    """RESP-02 < RESP-02b < RESP-03: a row's further rules carry a letter after its number."""
    prefix, _, rest = code.partition("-")
    digits = "".join(itertools.takewhile(str.isdigit, rest))
    return prefix, int(digits) if digits else 0, rest[len(digits) :]


def citation_of(code: str, version: int) -> str | None:
    """The citation of a rule version in the active language, None for an unknown rule."""
    for rule in versions(code):
        if rule.version == version:
            return str(rule.citation)
    found = versions(code)
    return str(found[-1].citation) if found else None
