"""Running the rulebook: subtree runs that store findings, local supplements and
exemptions, and the daily digests.

The definition kit (rule bases, registry, periods, parameters, the stored models) is
``zhibu.core.rules``; each app registers its rules there. This app sits just above the
org tree and below the domain apps, so a service that records a meeting or a step can
ask for a re-run of what it changed without an upward import.
"""
