"""A write done once per idempotency key: a double click or a retried API call returns the first result.

Forms carry a fresh key per render (`{% idempotency_field %}`, a hidden `idempotency_key`); API clients send
an `Idempotency-Key` header. `once` runs the write and records its result under the key in one transaction;
the unique (user, key) constraint makes a concurrent second post wait for the first and then return its
result. Without a key the write simply runs (old clients keep working).
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from orbit.common.models import IdempotencyKey

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
MAX_LENGTH = IdempotencyKey._meta.get_field("key").max_length

M = TypeVar("M", bound=models.Model)


def key_of(request) -> str:
    """The key a form posted or an API call sent ('' when none)."""
    key = request.POST.get(FIELD) or request.headers.get(HEADER) or ""
    return key.strip()


def _check(key: str) -> None:
    if len(key) > MAX_LENGTH or "\x00" in key:
        raise ValidationError(
            {FIELD: _("The idempotency key must be at most %(n)s characters.") % {"n": MAX_LENGTH}}
        )


def once(*, user, key: str, scope: str, model: type[M], write: Callable[[], M]) -> tuple[M, bool]:
    """(the result, True) after doing the write; (the first result, False) when the key was used already."""
    if not key:
        return write(), True
    _check(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, scope=scope)
        except IntegrityError:
            record = None
        if record is None:
            earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
            if earlier is None or earlier.scope != scope or earlier.result_id is None:
                raise ValidationError({FIELD: _("This key was used for another request.")})
            return model._default_manager.get(pk=earlier.result_id), False
        result = write()
        record.result_id = result.pk
        record.save(update_fields=["result_id"])
        return result, True
