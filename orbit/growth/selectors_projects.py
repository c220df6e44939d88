"""Reading projects: lists, one project with its plan, the calendar of planned work, the account card's panel.
Every read goes through `visible_to(user)`: a project of an account the reader may not see does not exist for
him (404)."""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from orbit.access import policy
from orbit.growth.models import (
    RUNNING_PROJECT,
    PlannedWork,
    Project,
    ProjectStage,
    ProjectStageStatus,
    ProjectStatus,
)
from orbit.org.models import Role

SCOPES = ("mine", "team", "all")
# Orbit's default: a finished or cancelled project stays on the account card this many days.
RECENT_DAYS = 90
# Orbit's default: at most this many items shown in one calendar day cell (the list below shows them all).
CELL_LIMIT = 4


def default_scope(user) -> str:
    return "all" if (user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN, Role.AUDITOR)) else "mine"


def project_list(
    user, *, scope: str = "mine", status: str = "", manager: int | None = None
) -> QuerySet[Project]:
    """Projects the user may see: his own (as project or account manager), his team's (the people he leads, and
    himself), or all he may see; filtered by status ("running" = planned or in progress) and project manager."""
    qs = Project.objects.visible_to(user).select_related("account", "project_manager", "account_manager")
    if scope == "mine":
        qs = qs.filter(Q(project_manager=user) | Q(account_manager=user))
    elif scope == "team":
        people = policy.led_people(user) | {user.pk}
        qs = qs.filter(Q(project_manager_id__in=people) | Q(account_manager_id__in=people))
    if status == "running":
        qs = qs.filter(status__in=RUNNING_PROJECT)
    elif status in ProjectStatus.values:
        qs = qs.filter(status=status)
    if manager:
        qs = qs.filter(project_manager_id=manager)
    current = ProjectStage.objects.filter(status=ProjectStageStatus.ACTIVE).order_by("position")
    return qs.prefetch_related(Prefetch("stages", queryset=current, to_attr="current_stages")).order_by(
        "-starts_on", "-id"
    )


def project_get(user, pk: int) -> Project:
    project = (
        Project.objects.visible_to(user)
        .select_related("account", "project_manager", "account_manager", "opportunity")
        .prefetch_related(
            Prefetch("stages", queryset=ProjectStage.objects.order_by("position")),
            Prefetch(
                "works",
                queryset=PlannedWork.objects.select_related("assignee", "stage").order_by("starts_at", "id"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


def stage_get(user, pk: int) -> ProjectStage:
    stage = ProjectStage.objects.visible_to(user).select_related("project__account").filter(pk=pk).first()
    if stage is None:
        raise Http404
    return stage


def work_get(user, pk: int) -> PlannedWork:
    work = (
        PlannedWork.objects.visible_to(user)
        .select_related("project__account", "assignee", "stage")
        .filter(pk=pk)
        .first()
    )
    if work is None:
        raise Http404
    return work


# --- the calendar ---------------------------------------------------------------------------------------------


@dataclass
class Day:
    day: dt.date
    in_month: bool
    items: list[PlannedWork] = field(default_factory=list)

    @property
    def shown(self) -> list[PlannedWork]:
        return self.items[:CELL_LIMIT]

    @property
    def more(self) -> int:
        return max(len(self.items) - CELL_LIMIT, 0)


@dataclass
class Month:
    first: dt.date
    weeks: list[list[Day]]
    works: list[PlannedWork]  # the month's planned work in order: the list alternative to the grid
    today: dt.date

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=31)).replace(day=1)


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """ "2026-12" → 1 Dec 2026; anything else → this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def _bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as local moments [first day 00:00, first day of the next month 00:00)."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def calendar_works(user, *, project=None, account=None, person=None) -> QuerySet[PlannedWork]:
    """Planned work of one project, of one account's projects, or a person's own: assigned to him, or
    unassigned on the projects he runs."""
    qs = PlannedWork.objects.visible_to(user).select_related("project__account", "assignee", "stage")
    if project is not None:
        qs = qs.filter(project=project)
    if account is not None:
        qs = qs.filter(project__account=account)
    if person is not None:
        qs = qs.filter(Q(assignee=person) | Q(assignee__isnull=True, project__project_manager=person))
    return qs.exclude(project__status=ProjectStatus.CANCELLED)


def month_calendar(works: QuerySet[PlannedWork], first: dt.date, *, today: dt.date | None = None) -> Month:
    """The month's grid (weeks from Monday) with each day's planned work; work over several days is on each of
    them. One query."""
    start, end = _bounds(first)
    rows = list(works.filter(starts_at__lt=end, ends_at__gt=start).order_by("starts_at", "id"))
    weeks = [
        [Day(day, day.month == first.month) for day in week]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
            first.year, first.month
        )
    ]
    by_day = {d.day: d for week in weeks for d in week}
    for work in rows:
        day = timezone.localtime(work.starts_at).date()
        # A work ending at 00:00 does not take the next day.
        last = timezone.localtime(work.ends_at - dt.timedelta(microseconds=1)).date()
        while day <= last:
            if day in by_day:
                by_day[day].items.append(work)
            day += dt.timedelta(days=1)
    return Month(first=first, weeks=weeks, works=rows, today=today or timezone.localdate())


# --- the account card -----------------------------------------------------------------------------------------


@dataclass
class CardProject:
    project: Project
    stage: ProjectStage | None  # the stage in progress, else the next to start
    next_work: PlannedWork | None  # the next planned work not done yet


def account_projects(user, account, *, now: dt.datetime | None = None) -> list[CardProject]:
    """The account's running projects and those finished or cancelled in the last RECENT_DAYS days, with their
    current stage and next planned work: three queries, whatever their number."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    pending = ProjectStage.objects.filter(
        status__in=(ProjectStageStatus.ACTIVE, ProjectStageStatus.PLANNED)
    ).order_by("position")
    upcoming = (
        PlannedWork.objects.filter(done_at__isnull=True, ends_at__gte=now)
        .select_related("assignee")
        .order_by("starts_at", "id")
    )
    projects = (
        Project.objects.visible_to(user)
        .filter(account=account)
        .filter(Q(status__in=RUNNING_PROJECT) | Q(updated_at__gte=since))
        .select_related("project_manager", "account_manager")
        .prefetch_related(
            Prefetch("stages", queryset=pending, to_attr="pending_stages"),
            Prefetch("works", queryset=upcoming, to_attr="upcoming_works"),
        )
        .order_by("-starts_on", "-id")
    )
    result = []
    for project in projects:
        stages = project.pending_stages
        active = next((s for s in stages if s.status == ProjectStageStatus.ACTIVE), None)
        result.append(
            CardProject(
                project=project,
                stage=active or (stages[0] if stages else None),
                next_work=project.upcoming_works[0] if project.upcoming_works else None,
            )
        )
    running = [c for c in result if c.project.status in RUNNING_PROJECT]
    return running + [c for c in result if c.project.status not in RUNNING_PROJECT]


def has_projects(user, account) -> bool:
    return Project.objects.visible_to(user).filter(account=account).exists()


def won_without_project(user, account) -> QuerySet:
    """The account's won opportunities that have not started a project (the card offers to start one)."""
    from orbit.growth.models import Opportunity, StageOutcome

    return (
        Opportunity.objects.visible_to(user)
        .filter(account=account, status=StageOutcome.WON)
        .filter(~Exists(Project.objects.filter(opportunity=OuterRef("pk"))))
        .order_by("-closed_on", "-id")
    )
