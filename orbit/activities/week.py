"""A person's week: touches (planned and done), meetings, tasks and handoff steps, by local day.

Read as the agenda reads the day (`selectors._read_by`): what the person and the viewer opening his week may
both see. Days are the local days of TIME_ZONE; a done touch falls on the local day it happened."""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from orbit.access.policy import can_work_account
from orbit.activities.models import Task, TaskStatus, Touch, TouchKind, TouchStatus
from orbit.activities.selectors import _named, _read_by
from orbit.handoffs.models import OPEN_STATUSES, HandoffStep
from orbit.org.models import User

# Touches that are meetings in the calendar's legend (they take the person out of the office).
MEETING_KINDS = (TouchKind.MEETING, TouchKind.VISIT)


@dataclass
class Entry:
    """One thing on a day of the week: `kind` is touch, meeting, task or step; `touch` is set on touches."""

    kind: str
    title: str
    url: str
    account_name: str = ""
    account_url: str = ""  # the account's card, where the title leads elsewhere (a task, a handoff)
    done: bool = False
    overdue: bool = False
    touch: Touch | None = None
    movable: bool = False  # a planned touch the viewer may re-plan


@dataclass
class Day:
    date: dt.date
    today: bool
    past: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Week:
    person: User
    start: dt.date
    today: dt.date
    days: list[Day]

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=7)

    @property
    def is_current(self) -> bool:
        return self.start <= self.today <= self.end


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_week(value: str | None, today: dt.date) -> dt.date:
    """The Monday of the week asked for by `?week=YYYY-MM-DD` (any day of it); this week when absent or bad."""
    try:
        return monday_of(dt.date.fromisoformat(value or ""))
    except ValueError:
        return monday_of(today)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def week(person: User, *, viewer: User, start: dt.date, today: dt.date | None = None) -> Week:
    """The seven local days from Monday `start`: four queries, whatever is on them."""
    today = today or timezone.localdate()
    end = start + dt.timedelta(days=6)
    days = {start + dt.timedelta(days=i): [] for i in range(7)}  # type: dict[dt.date, list[Entry]]
    touches = _read_by(Touch.objects, person, viewer, include_archived=False).filter(owner=person)
    planned = touches.filter(status=TouchStatus.PLANNED, planned_for__range=(start, end))
    # A range on happened_at (local midnights), so the (owner, status, happened_at) index serves it.
    done = touches.filter(
        status=TouchStatus.DONE,
        happened_at__gte=_local_midnight(start),
        happened_at__lt=_local_midnight(end + dt.timedelta(days=1)),
    )
    for touch in (
        (planned | done)
        .select_related("account")  # whole: whether the viewer may work it reads the account's fields
        .order_by("planned_for", "happened_at", "id")
    ):
        is_done = touch.status == TouchStatus.DONE
        days[touch.day].append(
            Entry(
                kind="meeting" if touch.kind in MEETING_KINDS else "touch",
                title=touch.subject or touch.get_kind_display(),
                url=reverse("accounts:detail", args=[touch.account_id]),
                account_name=touch.account.display_name,
                done=is_done,
                overdue=not is_done and touch.day < today,
                touch=touch,
                movable=not is_done and can_work_account(viewer, touch.account),
            )
        )
    tasks = (
        _read_by(Task.objects, person, viewer)
        .filter(assignee=person, status__in=(TaskStatus.OPEN, TaskStatus.DONE), due_on__range=(start, end))
        .select_related("account")
        .only("id", "title", "status", "due_on", "account_id", *_named("account"))
        .order_by("due_on", "id")
    )
    # Someone else's task is on the list's "my team's" view; the status "all" keeps a done one there too.
    tasks_url = (
        reverse("activities:tasks") + "?status=all" + ("" if viewer.pk == person.pk else "&scope=team")
    )
    for task in tasks:
        is_done = task.status == TaskStatus.DONE
        days[task.due_on].append(
            Entry(
                kind="task",
                title=task.title,
                url=tasks_url + (f"&account={task.account_id}" if task.account_id else ""),
                account_name=task.account.display_name if task.account else "",
                account_url=reverse("accounts:detail", args=[task.account_id]) if task.account_id else "",
                done=is_done,
                overdue=not is_done and task.due_on < today,
            )
        )
    steps = (
        _read_by(HandoffStep.objects, person, viewer)
        .filter(owner=person, handoff__status__in=OPEN_STATUSES, due_date__range=(start, end))
        .select_related("handoff__account")
        .order_by("due_date", "position")
    )
    for step in steps:
        days[step.due_date].append(
            Entry(
                kind="step",
                title=step.get_kind_display(),
                url=reverse("handoffs:detail", args=[step.handoff_id]),
                account_name=step.handoff.account.display_name,
                account_url=reverse("accounts:detail", args=[step.handoff.account_id]),
                done=step.done_at is not None,
                overdue=step.done_at is None and step.due_date < today,
            )
        )
    return Week(
        person=person,
        start=start,
        today=today,
        days=[Day(date=d, today=d == today, past=d < today, entries=e) for d, e in days.items()],
    )
