"""Idempotent pushes: the fingerprint of a pushed document's content and the replay-or-conflict decision.

A pushing system (1C, billing) retries with the same external id: the same content returns the document made
the first time, other content (another amount, date, line...) is refused with code "conflict" (HTTP 409).
"""

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError


def canonical(value: Any) -> Any:
    """JSON-ready and normalized: Decimal("10.50") and Decimal("10.5") are the same amount, dates ISO."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)  # 2 and Decimal("2.000") are the same quantity
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def fingerprint(content: dict[str, Any]) -> str:
    text = json.dumps(canonical(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def replay(existing, digest: str, message: str):
    """The existing document when its content is the same; otherwise `message` as a conflict at "external_id"."""
    if existing.fingerprint != digest:
        raise conflict({"external_id": ValidationError(message, code="conflict")})
    return existing


def conflict(errors: dict[str, ValidationError]) -> ValidationError:
    """A field-keyed error whose `code` is "conflict" both on the field and on the exception (Django drops the
    code of a dict-shaped ValidationError; the API reads it to answer 409)."""
    error = ValidationError(errors)
    error.code = "conflict"
    return error
