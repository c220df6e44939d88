"""The pulse's sentinels (AccountPulse) read as "nothing" in the account list's cells."""

from django import template

from orbit.accounts.models import NEVER_TOUCHED, NOTHING_PLANNED

register = template.Library()


@register.filter
def touched(moment):
    """The last done touch, or None when the account was never touched."""
    return None if moment is None or moment <= NEVER_TOUCHED else moment


@register.filter
def planned(day):
    """The next planned touch's day, or None when nothing is planned."""
    return None if day is None or day >= NOTHING_PLANNED else day
