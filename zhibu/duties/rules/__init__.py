"""The duties app's rulebook entries, one module per topic (registered on import)."""

from zhibu.duties.rules import letters, requests  # noqa: F401
