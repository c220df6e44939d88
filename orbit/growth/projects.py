"""Projects: what a won deal starts. One keyword-only function per use case, permission first, every rule of a
form checked at once (field errors), everything in one transaction.

Starting a project:
- from a won opportunity of the same account that has no project yet (or with no opportunity at all, from the
  account's card);
- a project manager is required: an active person who can work accounts (not a pure auditor). Starting the
  project puts him on the account team as its project manager (`TeamRole.PROJECT_MANAGER`) unless he holds that
  seat already or is the account's responsible manager; the seat is what lets him see and work the account.
  Only someone who may change the account's team seats him (a hunter with a seat cannot widen visibility):
  anyone else gets a field error asking to choose a PM who is on the team already;
- the account manager is the account's responsible manager; he moves with the account (`move_running_projects`).

Stages run in order: a stage starts when every stage before it is done (or skipped), one at a time; finishing
the last one finishes the project; cancelling a project skips what is left. Each start and finish tells the
account manager (kind `project_stage`, in his language) — he stays in the loop, as the seeds insist — and the
project manager when someone else did it; nobody is told what he did himself.

Versions. Stages and planned work have no version of their own: the project's `version` guards its whole plan.
Every change of the project, its stages or its planned work bumps it; a form carries the version it read and a
stale one is a conflict (ConflictError → 409). A caller that passes `version=None` skips the check (scripts).

When the project manager leaves the account team (`release_project_manager`): a project cannot stay with a PM
who no longer sees the account, so its running projects pass to the account's responsible manager (`to`), who is
told to name a new PM; with nobody to take them (no responsible manager) they keep their PM.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts import open_work
from orbit.accounts.models import Account, AccountTeamMember, TeamRole
from orbit.accounts.team import can_manage_team, team_member_add
from orbit.common.errors import ConflictError
from orbit.common.validators import validate_reasonable_date
from orbit.growth.models import (
    RUNNING_PROJECT,
    Opportunity,
    PlannedWork,
    Project,
    ProjectStage,
    ProjectStageStatus,
    ProjectStatus,
    StageOutcome,
)
from orbit.growth.permissions import require_sell
from orbit.org.models import Role, User

PROJECT_EDITABLE = ("name", "description", "starts_on", "ends_on", "project_manager")
STAGE_EDITABLE = ("name", "starts_on", "ends_on", "position")
WORK_EDITABLE = ("title", "starts_at", "ends_at", "assignee", "location", "stage")
FINISHED_STAGE = (ProjectStageStatus.DONE, ProjectStageStatus.SKIPPED)
_WRITER_ROLES = tuple(r for r in Role.values if r != Role.AUDITOR)
STAGE_STARTED = gettext_lazy("Stage «{stage}» of project «{name}» on {account} has started")
STAGE_FINISHED = gettext_lazy("Stage «{stage}» of project «{name}» on {account} is finished")
LAST_STAGE_FINISHED = gettext_lazy(
    "Stage «{stage}» of project «{name}» on {account} is finished: the project is done"
)


# --- helpers ------------------------------------------------------------------------------------------------


def project_url(project: Project) -> str:
    return reverse("growth:project", args=[project.pk])


def _check_version(project: Project, expected: int | None) -> None:
    if expected is not None and project.version != expected:
        raise ConflictError(
            _(
                "The project was changed by someone else while you were editing (version %(theirs)s, yours "
                "%(yours)s). Reload to see their change, then apply yours again."
            )
            % {"theirs": project.version, "yours": expected},
            current=project,
        )


def _lock(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("account", "project_manager", "account_manager")
        .get(pk=project.pk)
    )


def _ensure_live(account: Account) -> None:
    if account.archived_at is not None:
        raise ValidationError(
            {"account": _("The account is archived: restore it before working its projects.")},
            code="archived",
        )


def _ensure_running(project: Project) -> None:
    if project.status not in RUNNING_PROJECT:
        raise ValidationError(
            _("The project is %(status)s: its plan cannot change any more.")
            % {"status": str(ProjectStatus(project.status).label).lower()},
            code="closed",
        )


def _bump(project: Project, by: User) -> None:
    project.version += 1
    project.save(update_fields=["version", "updated_at"])


def _may_work(person: User | None) -> bool:
    """Active, and not a pure auditor (he reads, he does not work accounts, whatever seat he holds)."""
    if person is None or not person.is_active:
        return False
    return not (person.has_role(Role.AUDITOR) and not person.has_role(*_WRITER_ROLES))


def _date_errors(errors: dict, fields: Mapping[str, dt.date | None]) -> None:
    for name, value in fields.items():
        try:
            validate_reasonable_date(value)
        except ValidationError as exc:
            errors.setdefault(name, exc.messages[0])


def _validate_project(project: Project, errors: dict) -> None:
    project.name = (project.name or "").strip()
    if not project.name:
        errors["name"] = _("Name the project.")
    manager = project.project_manager if project.project_manager_id else None
    if manager is None:
        errors["project_manager"] = _("A project needs a project manager: choose who runs it for the client.")
    elif not _may_work(manager):
        errors["project_manager"] = _(
            "%(name)s cannot run a project: choose an active member of staff who works with clients."
        ) % {"name": manager}
    _date_errors(errors, {"starts_on": project.starts_on, "ends_on": project.ends_on})
    if project.starts_on is None:
        errors.setdefault("starts_on", _("Enter the day the project starts."))
    if project.ends_on is None:
        errors.setdefault("ends_on", _("Enter the day the project ends."))
    if "starts_on" not in errors and "ends_on" not in errors and project.ends_on < project.starts_on:
        errors["ends_on"] = _("The project cannot end before it starts.")


def _dates_known(project: Project, errors: dict) -> bool:
    return not ({"starts_on", "ends_on"} & set(errors))


def _stage_errors(project: Project, name: str, starts_on, ends_on, *, label: str = "") -> dict[str, str]:
    """The rules of one stage's fields; `label` ("Stage 2: ") prefixes the messages of a list of stages."""
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = label + _("Name the stage.")
    _date_errors(errors, {"starts_on": starts_on, "ends_on": ends_on})
    if starts_on is None:
        errors.setdefault("starts_on", label + _("Enter the day the stage starts."))
    if ends_on is None:
        errors.setdefault("ends_on", label + _("Enter the day the stage ends."))
    if errors.keys() & {"starts_on", "ends_on"}:
        return errors
    if ends_on < starts_on:
        errors["ends_on"] = label + _("The stage cannot end before it starts.")
    elif (
        project.starts_on and project.ends_on and (starts_on < project.starts_on or ends_on > project.ends_on)
    ):
        errors["starts_on" if starts_on < project.starts_on else "ends_on"] = label + _(
            "A stage lies within the project's dates (%(start)s – %(end)s)."
        ) % {"start": project.starts_on.strftime("%d.%m.%Y"), "end": project.ends_on.strftime("%d.%m.%Y")}
    return errors


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _work_errors(project: Project, work: PlannedWork) -> dict[str, str]:
    errors: dict[str, str] = {}
    work.title = (work.title or "").strip()
    work.location = (work.location or "").strip()
    if not work.title:
        errors["title"] = _("Say what is planned (a visit, an installation, a training…).")
    _date_errors(errors, {"starts_at": work.starts_at, "ends_at": work.ends_at})
    if work.starts_at is None:
        errors.setdefault("starts_at", _("Enter when the work starts."))
    if work.ends_at is None:
        errors.setdefault("ends_at", _("Enter when the work ends."))
    if not (errors.keys() & {"starts_at", "ends_at"}):
        if work.ends_at <= work.starts_at:
            errors["ends_at"] = _("The work must end after it starts.")
        elif _local_day(work.starts_at) < project.starts_on or _local_day(work.ends_at) > project.ends_on:
            errors["starts_at" if _local_day(work.starts_at) < project.starts_on else "ends_at"] = _(
                "Planned work lies within the project's dates (%(start)s – %(end)s)."
            ) % {"start": project.starts_on.strftime("%d.%m.%Y"), "end": project.ends_on.strftime("%d.%m.%Y")}
    assignee = work.assignee if work.assignee_id else None
    if assignee is not None:
        from orbit.access.policy import can_view_account

        if not assignee.is_active or not can_view_account(assignee, project.account):
            errors["assignee"] = _(
                "%(name)s cannot see this account: choose someone on its team, or leave it blank."
            ) % {"name": assignee}
    if work.stage_id is not None and work.stage.project_id != project.pk:
        errors["stage"] = _("This stage belongs to another project.")
    return errors


def _seat(by: User, account: Account, manager: User) -> None:
    """Put the project manager on the account team (his seat lets him see and work the account)."""
    if manager.pk == account.responsible_manager_id:
        return
    if AccountTeamMember.objects.filter(
        account=account, user=manager, role=TeamRole.PROJECT_MANAGER, ended_at__isnull=True
    ).exists():
        return
    if not can_manage_team(by, account, TeamRole.PROJECT_MANAGER):
        raise ValidationError(
            {
                "project_manager": _(
                    "%(name)s is not on the account team and you may not add people to it: choose a project "
                    "manager who is on the team, or ask the account manager."
                )
                % {"name": manager}
            },
            code="not_on_team",
        )
    team_member_add(by=by, account=account, user=manager, role=TeamRole.PROJECT_MANAGER)
    manager._access_context = None  # his visibility has just widened


def _tell(
    project: Project, *, by: User | None, title, people: Iterable[User | None] = (), anchor: str = ""
) -> None:
    """The account manager (he stays in the loop) and the project manager, each unless he did it himself."""
    from orbit.notifications.kinds import Kind
    from orbit.notifications.services import notify

    recipients = {}
    for person in (project.account_manager, project.project_manager, *people):
        if person is not None and (by is None or person.pk != by.pk):
            recipients[person.pk] = person
    if not recipients:
        return
    notify(
        recipients=list(recipients.values()),
        kind=Kind.PROJECT_STAGE,
        title=title,
        url=project_url(project) + anchor,
        account=project.account,
    )


# --- projects -------------------------------------------------------------------------------------------------


@transaction.atomic
def project_start(
    *,
    by: User,
    account: Account,
    name: str,
    project_manager: User | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    opportunity: Opportunity | None = None,
    stages: Iterable[Mapping[str, Any]] = (),
    description: str = "",
) -> Project:
    """Start a project on `account` (from its won `opportunity`, if given) with its stages in order; each stage
    is a mapping with `name`, `starts_on`, `ends_on`."""
    require_sell(by, account)
    locked_account = (
        Account.objects.select_for_update(of=("self",))
        .select_related("responsible_manager")
        .get(pk=account.pk)
    )
    _ensure_live(locked_account)
    errors: dict[str, str] = {}
    if opportunity is not None:
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if opportunity.account_id != locked_account.pk:
            errors["opportunity"] = _("The opportunity belongs to another account.")
        elif opportunity.status != StageOutcome.WON:
            errors["opportunity"] = _("Only a won opportunity starts a project: win it first.")
        elif Project.objects.filter(opportunity=opportunity).exists():
            errors["opportunity"] = _("This opportunity has started a project already.")
    project = Project(
        account=locked_account,
        opportunity=opportunity,
        name=name,
        project_manager=project_manager,
        account_manager=locked_account.responsible_manager,
        status=ProjectStatus.PLANNED,
        starts_on=starts_on,
        ends_on=ends_on,
        description=(description or "").strip(),
        created_by=by,
    )
    _validate_project(project, errors)
    stages = list(stages)
    stage_messages: list[str] = []
    if _dates_known(project, errors):
        for n, stage in enumerate(stages, start=1):
            found = _stage_errors(
                project,
                stage.get("name", ""),
                stage.get("starts_on"),
                stage.get("ends_on"),
                label=_("Stage %(n)s: ") % {"n": n},
            )
            stage_messages.extend(found.values())
    if stage_messages:
        errors["stages"] = stage_messages  # type: ignore[assignment]
    if errors:
        raise ValidationError(errors)
    _seat(by, locked_account, project_manager)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:  # a concurrent start from the same opportunity won the race
        raise ValidationError({"opportunity": _("This opportunity has started a project already.")}) from exc
    ProjectStage.objects.bulk_create(
        ProjectStage(
            project=project,
            position=n,
            name=stage["name"].strip(),
            starts_on=stage["starts_on"],
            ends_on=stage["ends_on"],
        )
        for n, stage in enumerate(stages, start=1)
    )
    _tell(
        project,
        by=by,
        title=format_lazy(
            gettext_lazy("Project «{name}» on {account} is started; {manager} runs it"),
            name=project.name,
            account=locked_account.display_name,
            manager=project_manager,
        ),
    )
    return project


@transaction.atomic
def project_update(*, by: User, project: Project, version: int | None, **changes: Any) -> Project:
    """Change the project's name, description, dates or project manager (a new one is seated on the team).
    The dates must still hold every stage and planned work."""
    unknown = set(changes) - set(PROJECT_EDITABLE)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    locked = _lock(project)
    require_sell(by, locked.account)
    _ensure_live(locked.account)
    _check_version(locked, version)
    _ensure_running(locked)
    old_manager = locked.project_manager
    for name, value in changes.items():
        setattr(locked, name, value)
    errors: dict[str, str] = {}
    _validate_project(locked, errors)
    if _dates_known(locked, errors):
        outside = locked.stages.filter(Q(starts_on__lt=locked.starts_on) | Q(ends_on__gt=locked.ends_on))
        if outside.exists():
            errors["ends_on" if "ends_on" in changes else "starts_on"] = _(
                "Stage «%(stage)s» would lie outside the project: move it first."
            ) % {"stage": outside.first().name}
        else:
            for work in locked.works.all():
                if _local_day(work.starts_at) < locked.starts_on or _local_day(work.ends_at) > locked.ends_on:
                    errors["ends_on" if "ends_on" in changes else "starts_on"] = _(
                        "Planned work «%(title)s» would lie outside the project: move it first."
                    ) % {"title": work.title}
                    break
    if errors:
        raise ValidationError(errors)
    if locked.project_manager_id != old_manager.pk:
        _seat(by, locked.account, locked.project_manager)
    locked.description = (locked.description or "").strip()
    locked.version += 1
    locked.save()
    if locked.project_manager_id != old_manager.pk:
        _tell(
            locked,
            by=by,
            title=format_lazy(
                gettext_lazy("{manager} now runs project «{name}» on {account}"),
                manager=locked.project_manager,
                name=locked.name,
                account=locked.account.display_name,
            ),
            people=[old_manager],
        )
    return locked


@transaction.atomic
def project_cancel(*, by: User, project: Project, version: int | None = None, reason: str = "") -> Project:
    """Stop a running project: what is left of its stages is skipped; the managers are told."""
    locked = _lock(project)
    require_sell(by, locked.account)
    _check_version(locked, version)
    _ensure_running(locked)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the project is cancelled.")})
    now = timezone.now()
    locked.stages.exclude(status__in=FINISHED_STAGE).update(
        status=ProjectStageStatus.SKIPPED, finished_at=now
    )
    locked.status = ProjectStatus.CANCELLED
    locked.description = (locked.description + "\n\n" if locked.description else "") + _(
        "Cancelled: %(reason)s"
    ) % {"reason": reason}
    locked.version += 1
    locked.save()
    _tell(
        locked,
        by=by,
        title=format_lazy(
            gettext_lazy("Project «{name}» on {account} is cancelled: {reason}"),
            name=locked.name,
            account=locked.account.display_name,
            reason=reason,
        ),
    )
    return locked


# --- stages ---------------------------------------------------------------------------------------------------


def _lock_stage(stage: ProjectStage) -> tuple[Project, ProjectStage]:
    project = _lock(stage.project)
    return project, ProjectStage.objects.select_for_update().get(pk=stage.pk)


@transaction.atomic
def project_stage_add(
    *,
    by: User,
    project: Project,
    name: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    version: int | None = None,
) -> ProjectStage:
    """A stage at the end of the project's plan."""
    locked = _lock(project)
    require_sell(by, locked.account)
    _ensure_live(locked.account)
    _check_version(locked, version)
    _ensure_running(locked)
    errors = _stage_errors(locked, name, starts_on, ends_on)
    if errors:
        raise ValidationError(errors)
    last = locked.stages.aggregate(n=Max("position"))["n"] or 0
    stage = ProjectStage.objects.create(
        project=locked, position=last + 1, name=name.strip(), starts_on=starts_on, ends_on=ends_on
    )
    _bump(locked, by)
    return stage


@transaction.atomic
def project_stage_update(
    *, by: User, stage: ProjectStage, version: int | None, **changes: Any
) -> ProjectStage:
    """Rename a stage, move its dates (within the project's), or move a stage not yet started to another place
    among the stages not yet started (`position`, from 1)."""
    unknown = set(changes) - set(STAGE_EDITABLE)
    if unknown:
        raise TypeError(f"unknown stage fields: {sorted(unknown)}")
    project, locked = _lock_stage(stage)
    require_sell(by, project.account)
    _ensure_live(project.account)
    _check_version(project, version)
    _ensure_running(project)
    position = changes.pop("position", None)
    for name, value in changes.items():
        setattr(locked, name, value)
    errors = _stage_errors(project, locked.name, locked.starts_on, locked.ends_on)
    order = list(project.stages.order_by("position"))
    if position is not None and position != order.index(next(s for s in order if s.pk == locked.pk)) + 1:
        movable = [s for s in order if s.status == ProjectStageStatus.PLANNED]
        first_free = len(order) - len(movable) + 1
        if locked.status != ProjectStageStatus.PLANNED:
            errors["position"] = _("A stage that has started stays where it is.")
        elif not (first_free <= position <= len(order)):
            errors["position"] = _(
                "A stage not started yet goes after the stages that have started: a place from %(low)s to "
                "%(high)s."
            ) % {"low": first_free, "high": len(order)}
    if errors:
        raise ValidationError(errors)
    locked.name = locked.name.strip()
    locked.save()
    if position is not None:
        order = [s for s in order if s.pk != locked.pk]
        order.insert(position - 1, locked)
        _renumber(project, order)
        locked.position = position
    _bump(project, by)
    return locked


def _renumber(project: Project, order: list[ProjectStage]) -> None:
    """Positions 1..n in the given order (through a free range first: the position is unique per project)."""
    shift = len(order) + 1000
    ProjectStage.objects.filter(project=project).update(position=F("position") + shift)
    for n, stage in enumerate(order, start=1):
        ProjectStage.objects.filter(pk=stage.pk).update(position=n)


def _stage_title(template, project: Project, stage: ProjectStage):
    return format_lazy(template, stage=stage.name, name=project.name, account=project.account.display_name)


@transaction.atomic
def project_stage_start(*, by: User, stage: ProjectStage, version: int | None = None) -> ProjectStage:
    """Start a stage: every stage before it must be done (or skipped) and none other in progress. The first
    stage to start puts the project in progress."""
    project, locked = _lock_stage(stage)
    require_sell(by, project.account)
    _ensure_live(project.account)
    _check_version(project, version)
    _ensure_running(project)
    if locked.status != ProjectStageStatus.PLANNED:
        raise ValidationError(
            _("Stage «%(stage)s» is %(status)s already.")
            % {"stage": locked.name, "status": str(ProjectStageStatus(locked.status).label).lower()},
            code="started",
        )
    before = project.stages.filter(position__lt=locked.position).exclude(status__in=FINISHED_STAGE)
    waiting = before.order_by("position").first()
    if waiting is not None:
        raise ValidationError(
            _("Stages go in order: finish «%(stage)s» first.") % {"stage": waiting.name}, code="order"
        )
    now = timezone.now()
    locked.status, locked.started_at = ProjectStageStatus.ACTIVE, now
    locked.save(update_fields=["status", "started_at"])
    if project.status == ProjectStatus.PLANNED:
        project.status = ProjectStatus.ACTIVE
        project.save(update_fields=["status"])
    _bump(project, by)
    _tell(
        project,
        by=by,
        title=_stage_title(STAGE_STARTED, project, locked),
        anchor=f"#stage-{locked.pk}",
    )
    return locked


@transaction.atomic
def project_stage_finish(*, by: User, stage: ProjectStage, version: int | None = None) -> ProjectStage:
    """Finish the stage in progress; finishing the last stage finishes the project."""
    project, locked = _lock_stage(stage)
    require_sell(by, project.account)
    _ensure_live(project.account)
    _check_version(project, version)
    _ensure_running(project)
    if locked.status != ProjectStageStatus.ACTIVE:
        raise ValidationError(
            _("Stage «%(stage)s» is not in progress: start it first.") % {"stage": locked.name}
            if locked.status == ProjectStageStatus.PLANNED
            else _("Stage «%(stage)s» is finished already.") % {"stage": locked.name},
            code="not_active",
        )
    locked.status, locked.finished_at = ProjectStageStatus.DONE, timezone.now()
    locked.save(update_fields=["status", "finished_at"])
    last = not project.stages.exclude(pk=locked.pk).exclude(status__in=FINISHED_STAGE).exists()
    if last:
        project.status = ProjectStatus.DONE
        project.save(update_fields=["status"])
    _bump(project, by)
    template = LAST_STAGE_FINISHED if last else STAGE_FINISHED
    _tell(project, by=by, title=_stage_title(template, project, locked), anchor=f"#stage-{locked.pk}")
    return locked


# --- planned work ---------------------------------------------------------------------------------------------


@transaction.atomic
def planned_work_add(
    *,
    by: User,
    project: Project,
    title: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    assignee: User | None = None,
    location: str = "",
    stage: ProjectStage | None = None,
    version: int | None = None,
) -> PlannedWork:
    locked = _lock(project)
    require_sell(by, locked.account)
    _ensure_live(locked.account)
    _check_version(locked, version)
    _ensure_running(locked)
    work = PlannedWork(
        project=locked,
        stage=stage,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        assignee=assignee,
        location=location,
    )
    errors = _work_errors(locked, work)
    if errors:
        raise ValidationError(errors)
    work.save()
    _bump(locked, by)
    return work


def _lock_work(work: PlannedWork) -> tuple[Project, PlannedWork]:
    project = _lock(work.project)
    return project, PlannedWork.objects.select_for_update().get(pk=work.pk)


@transaction.atomic
def planned_work_update(*, by: User, work: PlannedWork, version: int | None, **changes: Any) -> PlannedWork:
    unknown = set(changes) - set(WORK_EDITABLE)
    if unknown:
        raise TypeError(f"unknown planned work fields: {sorted(unknown)}")
    project, locked = _lock_work(work)
    require_sell(by, project.account)
    _ensure_live(project.account)
    _check_version(project, version)
    _ensure_running(project)
    for name, value in changes.items():
        setattr(locked, name, value)
    errors = _work_errors(project, locked)
    if errors:
        raise ValidationError(errors)
    locked.save()
    _bump(project, by)
    return locked


@transaction.atomic
def planned_work_mark_done(
    *, by: User, work: PlannedWork, done: bool = True, version: int | None = None
) -> PlannedWork:
    """Mark the work done (now), or not done again. Marking it as it is changes nothing (a double click)."""
    project, locked = _lock_work(work)
    require_sell(by, project.account)
    _check_version(project, version)
    if (locked.done_at is not None) == done:
        return locked
    if done and locked.starts_at > timezone.now():
        raise ValidationError(_("The work has not started yet: it cannot be done."), code="future")
    locked.done_at = timezone.now() if done else None
    locked.save(update_fields=["done_at"])
    _bump(project, by)
    return locked


@transaction.atomic
def planned_work_remove(*, by: User, work: PlannedWork, version: int | None = None) -> None:
    project, locked = _lock_work(work)
    require_sell(by, project.account)
    _ensure_live(project.account)
    _check_version(project, version)
    _ensure_running(project)
    if locked.done_at is not None:
        raise ValidationError(_("Done work is history: it is not removed."), code="done")
    locked.delete()
    _bump(project, by)


# --- responsibility moves -------------------------------------------------------------------------------------


@open_work.register
def move_running_projects(*, account: Account, frm: User, to: User) -> int:
    """The running projects' account manager follows the account's responsibility (the project manager stays:
    his seat on the team is kept by a handoff)."""
    return Project.objects.filter(
        Q(account_manager=frm) | Q(account_manager__isnull=True),
        account=account,
        status__in=RUNNING_PROJECT,
    ).update(account_manager=to, version=F("version") + 1, updated_at=timezone.now())


@open_work.register_release
def release_project_manager(*, account: Account, frm: User, to: User | None) -> int:
    """The project manager left the account team (his last way to work it): his running projects there pass to
    `to` (the responsible manager), who is told to name a new project manager; with nobody to take them they
    keep their project manager."""
    if to is None:
        return 0
    projects = list(
        Project.objects.select_for_update(of=("self",))
        .filter(account=account, project_manager=frm, status__in=RUNNING_PROJECT)
        .select_related("account", "account_manager")
    )
    for project in projects:
        project.project_manager = to
        project.version += 1
        project.save(update_fields=["project_manager", "version", "updated_at"])
        _tell(
            project,
            by=None,
            title=format_lazy(
                gettext_lazy(
                    "{person} has left the team of {account}: project «{name}» is yours until you name a new "
                    "project manager"
                ),
                person=frm,
                account=account.display_name,
                name=project.name,
            ),
        )
    return len(projects)
