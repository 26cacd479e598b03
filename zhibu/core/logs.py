"""Logging filters."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class ForbiddenWithoutTraceback(logging.Filter):
    """Drop the traceback Django attaches to "Forbidden (Permission denied)" warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.exc_info[0] if record.exc_info else None
        if kind is not None and issubclass(kind, PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
