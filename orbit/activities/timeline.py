"""Touches on the account's timeline: the ones done (with hours and outcome) and the ones cancelled."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts.history import Change, Event, register_source
from orbit.activities.models import Touch, TouchStatus


def touch_events(account) -> list[Event]:
    touches = (
        Touch.objects.filter(account=account, status=TouchStatus.DONE)
        .select_related("owner")
        .prefetch_related("contacts")
    )
    events = []
    for touch in touches:
        changes = [
            Change("duration", _("duration"), "", _("%(minutes)s min") % {"minutes": touch.duration_minutes})
        ]
        if touch.contacts.all():
            names = ", ".join(contact.full_name for contact in touch.contacts.all())
            changes.append(Change("contacts", _("contacts"), "", names))
        if touch.outcome:
            changes.append(Change("outcome", _("outcome"), "", touch.outcome))
        if touch.next_step:
            changes.append(Change("next_step", _("next step"), "", touch.next_step))
        title = touch.get_kind_display() + (f": {touch.subject}" if touch.subject else "")
        events.append(Event(touch.happened_at, "touch", touch.owner, title, changes))
    return events


register_source("touch", gettext_lazy("Touches"), touch_events)
