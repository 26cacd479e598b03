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
