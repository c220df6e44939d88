"""Errors raised by services; views and the API turn them into field-level messages."""

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """Someone else changed the record since the writer loaded it (version mismatch)."""

    def __init__(self, message, *, current=None):
        super().__init__(message, code="conflict")
        self.current = current
