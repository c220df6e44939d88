"""Handoffs on the account's timeline: started, each step done, and the decision."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts.history import Change, Event, register_source
from orbit.handoffs.models import Handoff, HandoffStatus

_DECIDED = (HandoffStatus.ACCEPTED, HandoffStatus.REJECTED, HandoffStatus.CANCELLED)


def _deciders(handoffs: list[Handoff]) -> dict[int, object]:
    """Who accepted, rejected or cancelled each handoff: the author of the first history row in that status."""
    rows = (
        Handoff.history.filter(id__in=[h.pk for h in handoffs], status__in=_DECIDED)
        .select_related("history_user")
        .order_by("-history_date")
    )
    return {row.id: row.history_user for row in rows}


def handoff_events(account) -> list[Event]:
    handoffs = (
        Handoff.objects.filter(account=account)
        .select_related("from_user", "to_user", "created_by")
        .prefetch_related("steps__done_by")
    )
    handoffs = list(handoffs)
    deciders = _deciders(handoffs) if any(h.decided_at for h in handoffs) else {}
    events = []
    for handoff in handoffs:
        names = {"from": handoff.from_user, "to": handoff.to_user}
        events.append(
            Event(
                handoff.created_at,
                "handoff",
                handoff.created_by,
                _("Handoff started: %(from)s → %(to)s") % names,
                [Change("reason", _("reason"), "", handoff.get_reason_display())],
            )
        )
        for step in handoff.steps.all():
            if step.done_at:
                changes = [Change("note", _("note"), "", step.note)] if step.note else []
                events.append(Event(step.done_at, "handoff", step.done_by, step.get_kind_display(), changes))
        if handoff.decided_at:
            actor = deciders.get(handoff.pk)
            changes = (
                [Change("comment", _("comment"), "", handoff.decision_comment)]
                if handoff.decision_comment
                else []
            )
            title = _("Handoff: %(status)s") % {"status": handoff.get_status_display()}
            events.append(Event(handoff.decided_at, "handoff", actor, title, changes))
    return events


register_source("handoff", gettext_lazy("Handoffs"), handoff_events)
