"""`{% idempotency_field %}`: a fresh key per form render, so a double click writes once (orbit.common.idempotency)."""

import uuid

from django import template
from django.utils.html import format_html

from orbit.common.idempotency import FIELD

register = template.Library()


@register.simple_tag
def idempotency_field() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)
