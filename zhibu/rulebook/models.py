"""The cockpit's summary: finding counts per org × rule × period × status.

Every org with findings in its subtree has one row per (rule, period, status): ``own``
counts the findings filed at the org itself, ``total`` those of its whole subtree. The
rule run keeps it current (``zhibu.rulebook.summary``), so the cockpit reads its chosen
org's row and its children's rows instead of every finding below.
"""

from __future__ import annotations

from django.db import models


class FindingSummary(models.Model):
    org_path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    rule_code = models.CharField(max_length=10)
    period_code = models.CharField(max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()  # exclusive, as on findings
    status = models.CharField(max_length=10)
    own = models.IntegerField(default=0)
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org_path", "rule_code", "period_code", "status"],
                name="findingsummary_key",
            )
        ]
        indexes = [models.Index(fields=["depth", "org_path"], name="findingsummary_depth_path")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.rule_code} {self.period_code} {self.status}: {self.total}"


class SummaryVersion(models.Model):
    """A token per org that changes whenever a count in its subtree's summary changes:
    the cockpit's cache key (never deleted, so a token never comes back)."""

    org_path = models.CharField(max_length=255, unique=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.org_path}: {self.token}"


class TableChange(models.Model):
    """How many write statements (PostgreSQL) or written rows (SQLite) each table has seen:
    kept by database triggers in the writer's own transaction (``zhibu.rulebook.changes``),
    so bulk inserts, ``QuerySet.update()``, deletes and raw SQL all count. Only ever grows;
    a rule-period whose input tables' counts are unchanged read the same rows."""

    name = models.CharField(max_length=63, primary_key=True)  # the table's name
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.count}"


class RuleMark(models.Model):
    """What a closed rule-period was last judged from, per run scope: the rule's version
    and code, and the change counts of the tables it reads (``key``, a digest). A run that
    finds the same key again keeps the stored findings without evaluating the rule."""

    rule_code = models.CharField(max_length=10)
    period_code = models.CharField(max_length=10)
    scope = models.CharField(max_length=32)  # digest of the run's root, only= and exclude=
    key = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "rule_code", "period_code"], name="rulemark_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.period_code}: {self.key}"
