from django import template

from orbit.common.validators import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+74951234567 → +7 495 123-45-67."""
    return format_phone(value)
