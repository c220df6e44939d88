"""`{% idempotency_field %}`: a fresh key per form render, so a double click writes once (orbit.common.idempotency)."""

import uuid
from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from orbit.common.idempotency import FIELD

register = template.Library()


@register.simple_tag
def idempotency_field() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)


@register.simple_tag
def options(choices, selected) -> str:
    """The <option>s of a filter's select: `choices` as (value, label) pairs, `selected` one value or several.

    Written out in one pass, escaped with the standard library's html.escape: the template language (and even
    format_html, with its lazy-string checks) costs ~20 µs per option, and the account list's manager filter
    alone (500 people) was a third of the page's time at a million accounts (bench/README, issue 16).
    """
    chosen = {str(v) for v in selected} if isinstance(selected, list | tuple | set) else {str(selected)}
    return mark_safe(  # every value and label is escaped as it is written, below
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )
