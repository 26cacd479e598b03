"""The duties app's rulebook entries, one topic module each (found by the rule registry's
autodiscovery of ``rules`` modules)."""

from zhibu.duties import request_rules  # noqa: F401  (registers REQ-01, 03, 05, 06)
