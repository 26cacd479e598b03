"""The rulebook engine: cited, versioned rules evaluated set-based over org subtrees."""

from zhibu.core.rules.base import (
    PROBLEM_STATUSES,
    Action,
    Citation,
    Confidence,
    Context,
    Outcome,
    Param,
    Rule,
    Status,
)
from zhibu.core.rules.periods import Period
from zhibu.core.rules.registry import catalogue, in_force, register, versions

__all__ = [
    "PROBLEM_STATUSES",
    "Action",
    "Citation",
    "Confidence",
    "Context",
    "Outcome",
    "Param",
    "Period",
    "Rule",
    "Status",
    "catalogue",
    "in_force",
    "register",
    "versions",
]
