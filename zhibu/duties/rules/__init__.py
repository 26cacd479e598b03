"""The duties app's rulebook entries, one module per topic (registered on import)."""

from zhibu.duties.rules import letters, requests, supervision  # noqa: F401
