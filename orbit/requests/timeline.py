"""Requests on the account's timeline: when each came in, and when it was resolved (and whether on time)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts.history import Change, Event, register_source
from orbit.requests.models import Request


def request_events(account) -> list[Event]:
    events = []
    for request in Request.objects.filter(account=account).select_related("created_by", "department"):
        title = _("Request №%(number)s: %(subject)s") % {"number": request.pk, "subject": request.subject}
        changes = [
            Change("request_type", _("type"), "", request.get_request_type_display()),
            Change("priority", _("priority"), "", request.get_priority_display()),
            Change("department", _("department"), "", str(request.department)),
        ]
        events.append(Event(request.received_at, "request", request.created_by, title, changes))
        if request.resolved_at is not None:
            late = request.resolution_due is not None and request.resolved_at > request.resolution_due
            verdict = _("resolved late") if late else _("SLA met")
            events.append(
                Event(
                    request.resolved_at,
                    "request",
                    None,
                    _("Request №%(number)s resolved") % {"number": request.pk},
                    [Change("sla", _("SLA"), "", verdict)],
                )
            )
    return events


register_source("request", gettext_lazy("Requests"), request_events)
