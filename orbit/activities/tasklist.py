"""The task list: mine, or my team's for a lead (everyone's for the head), with filters on status, due day and
account. Read through `Task.objects.visible_to(viewer)` like every other read of tasks."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from orbit.access.policy import led_people, sees_everything
from orbit.activities.models import Task, TaskStatus
from orbit.org.models import User

SCOPES = ("mine", "team")
STATUSES = ("open", "done", "all")
DUES = ("overdue", "today", "week")


@dataclass(frozen=True)
class TaskFilters:
    scope: str = "mine"
    status: str = "open"
    due: str = ""  # "", overdue, today or week (this local week, Monday to Sunday)
    account: int | None = None

    @classmethod
    def from_params(cls, params, *, may_see_team: bool) -> "TaskFilters":
        """Unknown values fall back to the defaults: a hand-edited address still shows a list."""
        scope = params.get("scope", "mine")
        account = params.get("account", "")
        return cls(
            scope=scope if scope in SCOPES and (scope == "mine" or may_see_team) else "mine",
            status=params.get("status") if params.get("status") in STATUSES else "open",
            due=params.get("due") if params.get("due") in DUES else "",
            account=int(account) if account.isdigit() else None,
        )


def may_see_team(viewer: User) -> bool:
    """A lead sees his people's tasks here; the head everyone's (as on their agenda)."""
    return sees_everything(viewer) or bool(led_people(viewer))


# The account filter offers the accounts the list's tasks are on, at most this many (Orbit's default).
ACCOUNT_CHOICES = 200


def _whose(viewer: User, scope: str) -> QuerySet[Task]:
    qs = Task.objects.visible_to(viewer)
    if scope == "team" and may_see_team(viewer):
        if sees_everything(viewer):
            return qs
        return qs.filter(Q(assignee=viewer) | Q(assignee_id__in=led_people(viewer)))
    return qs.filter(assignee=viewer)


def task_accounts(viewer: User, filters: TaskFilters) -> list[tuple[int, str]]:
    """(id, name) of the accounts with open tasks in the chosen scope, for the account filter."""
    rows = (
        _whose(viewer, filters.scope)
        .filter(status=TaskStatus.OPEN, account__isnull=False)
        .values_list("account_id", "account__short_name", "account__legal_name")
        .distinct()
        .order_by("account__short_name", "account__legal_name", "account_id")[:ACCOUNT_CHOICES]
    )
    found = [(pk, short or legal) for pk, short, legal in rows]
    if filters.account and filters.account not in {pk for pk, _name in found}:
        found.append((filters.account, str(filters.account)))
    return found


def task_list(viewer: User, filters: TaskFilters, *, today: dt.date | None = None) -> QuerySet[Task]:
    today = today or timezone.localdate()
    qs = _whose(viewer, filters.scope).select_related("account", "assignee")
    if filters.status == "open":
        qs = qs.filter(status=TaskStatus.OPEN)
    elif filters.status == "done":
        qs = qs.filter(status=TaskStatus.DONE)
    if filters.due == "overdue":
        qs = qs.filter(status=TaskStatus.OPEN, due_on__lt=today)
    elif filters.due == "today":
        qs = qs.filter(due_on=today)
    elif filters.due == "week":
        monday = today - dt.timedelta(days=today.weekday())
        qs = qs.filter(due_on__range=(monday, monday + dt.timedelta(days=6)))
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    return qs.order_by("due_on", "id")
