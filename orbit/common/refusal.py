"""A write that was not done answers 4xx with its reasons (issue 10: never a redirect that looks like success).

For the small one-button forms of a card (status, reassignment, reversal, restore): the page says what was
refused and why, and leads back; the card itself shows the same buttons again."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from orbit.common.errors import ConflictError


def refused(request, reasons: list[str] | ValidationError, *, back_url: str):
    """400 (409 when someone else changed the record first) with the reasons and a link back."""
    status = 409 if isinstance(reasons, ConflictError) else 400
    if isinstance(reasons, ValidationError):
        reasons = reasons.messages
    return render(request, "refused.html", {"reasons": reasons, "back_url": back_url}, status=status)
