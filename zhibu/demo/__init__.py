"""The demo enterprise loaded by ``manage.py demo_data`` (and ``make demo``).

市热力集团有限公司党委, a city heating group (国有企业): 3 党总支, 12 党支部 (one 联合党支部,
three with 党小组), about 300 synthetic members, committees with terms, 定点联系 and one
login per role (``DEMO_LOGINS``, the list the README and ``make demo`` print); then its
organisational life since 1 January last year (``meetings``), about twenty development
cases at every stage (``development``) and the rulebook's findings with one approved
exemption (``checks``).

Deterministic by seed: the same seed gives the same people, numbers and dates, where dates
are counted back from the demo's today so the seeded gaps (``org.SEEDED_GAPS``,
``meetings.seeded_gaps``, ``development.SEEDED_FINDINGS``) stay true whenever the demo is
built. Idempotent, step by step, each step decided by a marker: the 党委 (code ``RLJT``)
for the organisation, any meeting for the organisational life and development, any rule
run for the findings; logins that are missing are created again. A second run creates
nothing.
"""
