"""Reads for touches, tasks and the agenda, scoped to what the reader may see."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Func, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from orbit.access.policy import access_context, led_people, sees_everything, visible_accounts
from orbit.access.querysets import AccountScopedManager, AccountScopedQuerySet
from orbit.accounts import card_facts
from orbit.activities import deadlines
from orbit.activities.cadence import cadence_for, policies
from orbit.activities.models import Task, TaskStatus, Touch, TouchStatus
from orbit.handoffs.models import OPEN_STATUSES, HandoffStep
from orbit.org.models import User

AGENDA_LIMIT = 50  # rows per section; the rest is counted, so a neglected backlog does not hide today


def visible_touches(user: User) -> QuerySet[Touch]:
    return Touch.objects.visible_to(user)


def visible_tasks(user: User) -> QuerySet[Task]:
    """Tasks on accounts he sees, and his own or those he gave without an account (`TaskQuerySet`)."""
    return Task.objects.visible_to(user)


def agenda_people(viewer: User) -> list[User]:
    """Whose day the viewer may open: his own, and the people of the teams he leads (everyone for the head).
    Kept on the viewer for the request, like his access context: the page and the team table both ask."""
    cached = getattr(viewer, "_agenda_people", None)
    if cached is not None:
        return list(cached)
    people = User.objects.filter(is_active=True).order_by("display_name")
    if not sees_everything(viewer):
        people = people.filter(Q(pk=viewer.pk) | Q(pk__in=led_people(viewer)))
    viewer._agenda_people = list(people)  # type: ignore[attr-defined]  # per-request cache on the user
    return list(viewer._agenda_people)  # type: ignore[attr-defined]


def agenda_person(viewer: User, person_id: int | None) -> User:
    if not person_id or person_id == viewer.pk:
        return viewer
    if not sees_everything(viewer) and person_id not in led_people(viewer):
        raise Http404
    return get_object_or_404(User, pk=person_id, is_active=True)


@dataclass
class Section:
    items: list
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass
class Agenda:
    person: User
    today: dt.date
    covering: list[User] = field(default_factory=list)  # managers away whose day he works as deputy
    overdue_touches: Section | None = None
    today_touches: Section | None = None
    tasks: Section | None = None
    handoff_steps: list = field(default_factory=list)
    deadlines: Section | None = None  # other areas' dated items (contracts, deliveries): `deadlines`
    done_today: int = 0
    minutes_today: int = 0


def task_assignees(user: User, account=None) -> QuerySet[User]:
    """Whom a task may go to: himself and his people; on an account, also its manager and account team."""
    people = Q(pk=user.pk) | Q(pk__in=led_people(user))
    if sees_everything(user):
        people = Q()
    if account is not None:
        people |= Q(pk=account.responsible_manager_id) | Q(
            account_roles__account=account, account_roles__ended_at__isnull=True
        )
    return User.objects.filter(people, is_active=True).distinct().order_by("display_name")


def _section(qs: QuerySet) -> Section:
    items = list(qs[:AGENDA_LIMIT])
    total = len(items) if len(items) < AGENDA_LIMIT else qs.count()
    return Section(items, total)


# The agenda's rows load what the page shows, not every column of the account (goals, strategy, ...) and of the
# person (password hash, ...): on 50-row sections that halves the time spent building rows (bench/README.md).
_ROW_FIELDS = ("id", "version", "status", "account_id")


def _named(account: str) -> tuple[str, ...]:
    return tuple(f"{account}__{name}" for name in ("id", "short_name", "legal_name"))


def _person(user: str) -> tuple[str, ...]:
    return (
        f"{user}_id",
        *(f"{user}__{n}" for n in ("id", "display_name", "first_name", "last_name", "username")),
    )


def _read_by(
    qs: AccountScopedManager | AccountScopedQuerySet, person: User, viewer: User | None, **scope
) -> QuerySet:
    """What the person may see, and, when someone else opens his day, what that viewer may see too: a lead does
    not learn the names of accounts his people see through other teams."""
    scoped = qs.visible_to(person, **scope)
    if viewer is not None and viewer.pk != person.pk:
        scoped = scoped.visible_to(viewer, **scope)
    return scoped


def agenda(person: User, *, viewer: User | None = None, today: dt.date | None = None) -> Agenda:
    """A person's day: what is overdue, what is due today, tasks, handoff steps — his own and, while he
    covers for someone, the absent manager's. Read through the visibility policy, for the person and for the
    viewer opening his day (`viewer`, default the person)."""
    today = today or timezone.localdate()
    covered_ids = access_context(person).covered_owner_ids if person.is_active else set()
    owners = {person.pk, *covered_ids}
    touches = (
        _read_by(Touch.objects, person, viewer, include_archived=False)
        .filter(owner_id__in=owners, status=TouchStatus.PLANNED)
        .select_related("account", "owner")
        .only(*_ROW_FIELDS, "kind", "source", "planned_for", "subject", *_named("account"), *_person("owner"))
        .order_by("planned_for", "account__sort_name", "id")
    )
    tasks = (
        _read_by(Task.objects, person, viewer)
        .filter(assignee_id__in=owners, status=TaskStatus.OPEN, due_on__lte=today + dt.timedelta(days=7))
        .select_related("account", "assignee")
        .only(*_ROW_FIELDS, "title", "due_on", "request", *_named("account"), *_person("assignee"))
        .order_by("due_on", "id")
    )
    steps = (
        _read_by(HandoffStep.objects, person, viewer)
        .filter(
            owner_id__in=owners,
            done_at__isnull=True,
            handoff__status__in=OPEN_STATUSES,
            due_date__lte=today + dt.timedelta(days=7),
        )
        .select_related("handoff__account")
        .order_by("due_date")
    )
    # A range on happened_at, not happened_at__date: the index (owner, status, happened_at) then finds today's
    # few rows instead of reading every touch he ever logged (bench/README.md, "Agenda").
    day_starts = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    day_ends = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    done = (
        _read_by(Touch.objects, person, viewer, include_archived=False)
        .filter(owner=person, status=TouchStatus.DONE, happened_at__gte=day_starts, happened_at__lt=day_ends)
        .aggregate(n=Count("id"), minutes=Sum("duration_minutes"))
    )
    due = deadlines.collect(
        read=lambda manager: _read_by(manager, person, viewer, include_archived=False),
        owners=owners,
        today=today,
        until=today + dt.timedelta(days=deadlines.HORIZON_DAYS),
        limit=AGENDA_LIMIT,
    )
    return Agenda(
        person=person,
        today=today,
        covering=list(User.objects.filter(pk__in=covered_ids)) if covered_ids else [],
        overdue_touches=_section(touches.filter(planned_for__lt=today)),
        today_touches=_section(touches.filter(planned_for=today)),
        tasks=_section(tasks),
        handoff_steps=list(steps[:AGENDA_LIMIT]),
        deadlines=Section(due[:AGENDA_LIMIT], len(due)),
        done_today=done["n"],
        minutes_today=done["minutes"] or 0,
    )


def person_touches(person: User, *, viewer: User) -> QuerySet[Touch]:
    """Every touch of the person whose day the viewer opens (planned, done, cancelled), read as the agenda reads
    them: what the person and the viewer may both see. Planned first by date, then the done ones, newest first."""
    return (
        _read_by(Touch.objects, person, viewer)
        .filter(owner=person)
        .select_related("account", "owner")
        .prefetch_related("contacts")
        .order_by(F("happened_at").desc(nulls_first=True), "planned_for", "id")
    )


def person_tasks(person: User, *, viewer: User) -> QuerySet[Task]:
    """Every task assigned to the person whose day the viewer opens, read as the agenda reads them."""
    return (
        _read_by(Task.objects, person, viewer)
        .filter(assignee=person)
        .select_related("account", "assignee", "contact")
        .order_by("due_on", "id")
    )


@dataclass
class TeamRow:
    person: User
    overdue_touches: int
    today_touches: int
    open_tasks_due: int


# Up to this many people the team table counts with one subquery per person; more (a division, the head) get
# two grouped queries. Measured on the large base (bench/README.md, "Agenda"): for a team of 6 the grouped
# count made PostgreSQL start parallel workers for ~1,100 rows (15 ms against 8); for 478 people the
# per-person subqueries cost 150 ms against 70.
TEAM_SUBQUERIES_UP_TO = 100


def team_agenda(viewer: User, *, today: dt.date | None = None) -> list[TeamRow]:
    """One line per person of the viewer's teams: one or two queries, whatever the team's size."""
    today = today or timezone.localdate()
    people = [p for p in agenda_people(viewer) if p.pk != viewer.pk]
    ids = [p.pk for p in people]
    if len(ids) <= TEAM_SUBQUERIES_UP_TO:
        # Counted through the viewer's scope, as his page of each person's day shows them.
        planned = Touch.objects.visible_to(viewer, include_archived=False).filter(
            owner=OuterRef("pk"), status=TouchStatus.PLANNED
        )
        counts = {
            pk: row
            for pk, *row in User.objects.filter(pk__in=ids)
            .order_by()
            .annotate(
                overdue=_count(planned.filter(planned_for__lt=today)),
                due_today=_count(planned.filter(planned_for=today)),
                tasks_due=_count(
                    Task.objects.visible_to(viewer).filter(
                        assignee=OuterRef("pk"), status=TaskStatus.OPEN, due_on__lte=today
                    )
                ),
            )
            .values_list("pk", "overdue", "due_today", "tasks_due")
        }
        return [TeamRow(person, *counts.get(person.pk, (0, 0, 0))) for person in people]
    touch_counts = {
        row["owner_id"]: row
        for row in Touch.objects.visible_to(viewer, include_archived=False)
        .filter(owner_id__in=ids, status=TouchStatus.PLANNED, planned_for__lte=today)
        .values("owner_id")
        .annotate(
            overdue=Count("id", filter=Q(planned_for__lt=today)),
            today=Count("id", filter=Q(planned_for=today)),
        )
    }
    task_counts = dict(
        Task.objects.visible_to(viewer)
        .filter(assignee_id__in=ids, status=TaskStatus.OPEN, due_on__lte=today)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    rows = []
    for person in people:
        mine = touch_counts.get(person.pk, {})
        rows.append(
            TeamRow(person, mine.get("overdue", 0), mine.get("today", 0), task_counts.get(person.pk, 0))
        )
    return rows


def _count(qs: QuerySet) -> Coalesce:
    """COUNT(*) of a correlated queryset, as a subquery."""
    return Coalesce(Subquery(qs.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n")), 0)


def account_touches(account, *, limit: int = 10) -> tuple[list[Touch], list[Touch]]:
    """The account card's touches: the planned ones and the latest done."""
    base = Touch.objects.filter(account=account).select_related("owner").prefetch_related("contacts")
    planned = list(base.filter(status=TouchStatus.PLANNED).order_by("planned_for")[:limit])
    done = list(base.filter(status=TouchStatus.DONE).order_by("-happened_at")[:limit])
    return planned, done


@card_facts.register
def account_touch_facts(*, account) -> dict:
    """The card header's last and next touch, in one query (the account is one its reader sees)."""
    return Touch.objects.filter(account=account).aggregate(
        last_touch_at=Max("happened_at", filter=Q(status=TouchStatus.DONE)),
        next_touch_on=Min("planned_for", filter=Q(status=TouchStatus.PLANNED)),
    )


def account_open_tasks(account) -> list[Task]:
    return list(
        Task.objects.filter(account=account, status=TaskStatus.OPEN)
        .select_related("assignee")
        .order_by("due_on")
    )


@dataclass
class Compliance:
    person: User
    accounts: int  # worked accounts that have a cadence
    on_time: int  # touched within their cadence

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.accounts) if self.accounts else None


def cadence_compliance(viewer: User, *, today: dt.date | None = None) -> list[Compliance]:
    """For each manager whose accounts the viewer sees: the share of his worked accounts touched within
    their cadence. One grouped query over the accounts with their last done touch."""
    from orbit.activities.services import WORKED_STATUSES

    today = today or timezone.localdate()
    rules = policies()
    accounts = (
        visible_accounts(viewer)
        .filter(status__in=WORKED_STATUSES, responsible_manager__isnull=False)
        .annotate(last_done=Max("touches__happened_at", filter=Q(touches__status=TouchStatus.DONE)))
        .values("responsible_manager_id", "tier", "segment_id", "status", "last_done")
    )
    totals: dict[int, list[int]] = {}
    for row in accounts.iterator(chunk_size=5000):
        interval = cadence_for(_Row(row), rules)
        if interval is None:
            continue
        counts = totals.setdefault(row["responsible_manager_id"], [0, 0])
        counts[0] += 1
        last = row["last_done"]
        if last is not None and timezone.localtime(last).date() >= today - dt.timedelta(days=interval):
            counts[1] += 1
    people = User.objects.in_bulk(list(totals))
    return sorted(
        (Compliance(people[pk], n, ok) for pk, (n, ok) in totals.items()),
        key=lambda c: (c.percent if c.percent is not None else 101, c.person.display_name),
    )


class _Row:
    """A values() row seen as an account by cadence_for."""

    def __init__(self, row: dict):
        self.tier, self.segment_id, self.status = row["tier"], row["segment_id"], row["status"]
