"""Logging filters: an ordinary 403 is a line in the log, not a traceback."""

import logging


class PlainForbidden(logging.Filter):
    """Django logs a refused request (PermissionDenied → 403) with its traceback; the refusal is expected
    behaviour, so keep the line ("Forbidden (Permission denied): /accounts/7/") and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
