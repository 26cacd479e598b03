"""The periods of effect of a record (DISC-02..05), computed when it is saved.

Months are calendar months (``relativedelta``); each length is the rule's parameter in
force for the deciding organisation on the decision day (a local supplement may lengthen
it, never shorten it). What is stored:

- ``effect_until``: 警告 +12 months (DISC-02), 严重警告 +18 (DISC-02), 撤销党内职务 +24
  (DISC-03), 留党察看 the end of its term: 1 or 2 years, a 1-year term extended by 1
  (DISC-04), 开除党籍 +60 months without re-admission (DISC-05); first-form measures none.
- ``post_bar_until``: a 留党察看 restored on ``outcome_on``: +24 months without an equal or
  higher post (DISC-04).
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from zhibu.core.rules.params import params_for
from zhibu.core.rules.registry import in_force
from zhibu.discipline.models import DisciplineRecord

K = DisciplineRecord.Kind
DEFAULTS = {
    ("DISC-02", "warning_months"): 12,
    ("DISC-02", "serious_months"): 18,
    ("DISC-03", "months"): 24,
    ("DISC-04", "after_months"): 24,
    ("DISC-05", "months"): 60,
}


def months(code: str, name: str, org, on: date) -> int:
    """A period's length in months: the rule's parameter for ``org`` on ``on``."""
    rule = in_force(code, on)
    if rule is None:
        return DEFAULTS[(code, name)]
    return int(params_for(rule, org, on).get(name, DEFAULTS[(code, name)]))


def probation_end(decided_on: date, years: int | None, extended: bool) -> date | None:
    if not years:
        return None
    return decided_on + relativedelta(years=years + (1 if extended else 0))


def compute(record: DisciplineRecord) -> tuple[date | None, date | None]:
    """(effect_until, post_bar_until) of ``record`` (see the module docstring)."""
    org, day = record.deciding_org, record.decided_on
    effect: date | None = None
    post_bar: date | None = None
    if record.kind == K.WARNING:
        effect = day + relativedelta(months=months("DISC-02", "warning_months", org, day))
    elif record.kind == K.SERIOUS_WARNING:
        effect = day + relativedelta(months=months("DISC-02", "serious_months", org, day))
    elif record.kind == K.REMOVAL:
        effect = day + relativedelta(months=months("DISC-03", "months", org, day))
    elif record.kind == K.PROBATION:
        effect = probation_end(day, record.probation_years, bool(record.extended_on))
        if record.outcome == DisciplineRecord.Outcome.RESTORED and record.outcome_on:
            after = months("DISC-04", "after_months", org, day)
            post_bar = record.outcome_on + relativedelta(months=after)
    elif record.kind == K.EXPULSION:
        effect = day + relativedelta(months=months("DISC-05", "months", org, day))
    return effect, post_bar


def readmission_until(record: DisciplineRecord) -> date | None:
    """Until when a person expelled by ``record`` may not apply again (DISC-05)."""
    if record.kind == K.EXPULSION:
        return record.effect_until
    if record.outcome == DisciplineRecord.Outcome.EXPELLED and record.outcome_on:
        n = months("DISC-05", "months", record.deciding_org, record.outcome_on)
        return record.outcome_on + relativedelta(months=n)
    return None
