"""Reads of handoffs, scoped through the accounts the user may see."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from orbit.handoffs.models import OPEN_STATUSES, Handoff, HandoffStatus, HandoffStep
from orbit.org.models import User

VIEWS = ("mine", "open", "all")


def visible_handoffs(user: User) -> QuerySet[Handoff]:
    return Handoff.objects.visible_to(user)


def handoff_list(user: User, view: str = "mine") -> QuerySet[Handoff]:
    qs = visible_handoffs(user).select_related("account", "from_user", "to_user")
    if view == "mine":
        qs = qs.filter(Q(from_user=user) | Q(to_user=user))
    if view in ("mine", "open"):
        qs = qs.filter(status__in=[*OPEN_STATUSES, HandoffStatus.ACCEPTED])
    return qs.order_by("-created_at")


def handoff_get(user: User, pk: int) -> Handoff:
    handoff = (
        visible_handoffs(user)
        .select_related("account", "from_user", "to_user", "created_by")
        .prefetch_related(Prefetch("steps", queryset=HandoffStep.objects.select_related("owner", "done_by")))
        .filter(pk=pk)
        .first()
    )
    if handoff is None:
        raise Http404
    return handoff


def my_open_steps(user: User) -> list[HandoffStep]:
    """Steps waiting for the user, the overdue first: what his agenda shows."""
    steps = (
        HandoffStep.objects.visible_to(user)
        .filter(
            owner=user, done_at__isnull=True, handoff__status__in=[*OPEN_STATUSES, HandoffStatus.ACCEPTED]
        )
        .select_related("handoff", "handoff__account")
        .order_by("due_date", "handoff_id")
    )
    today = timezone.localdate()
    result = list(steps)
    for step in result:
        step.is_overdue = step.due_date < today  # type: ignore[attr-defined]
    return result
