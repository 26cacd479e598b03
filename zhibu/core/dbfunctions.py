"""Small database functions the ORM lacks, written for both engines we run on."""

from __future__ import annotations

from django.db.models import DateField, Func, Value


class AddYears(Func):
    """``date + n years`` computed in the database (SQLite's date() and PostgreSQL's interval).

    29 February differs at the edge — SQLite rolls to 1 March, PostgreSQL clamps to 28
    February like relativedelta — so callers use it to find candidates and settle the
    exact date in Python.
    """

    output_field = DateField()

    def __init__(self, expression, years: int, **extra):
        super().__init__(expression, Value(f"+{int(years)} years"), **extra)
        self.years = int(years)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="date", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + INTERVAL '{self.years} years')::date", params
