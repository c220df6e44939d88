"""Projects for integrations and scripts: read projects with their stages and planned work, start one (from a won
opportunity), start and finish its stages, plan work.

As elsewhere in the API: reads go through `visible_to(user)` (a project of an account the user may not see
answers 404, exactly like a missing id); writes need `permissions.can_sell` on the account (403 with the reason,
before the payload is looked at); the services do the rest and their field errors come back as 422; a stale
`version` is 409 with the project as it is now. An id in the payload the user may not pick (a person, a stage
of another project, an opportunity he may not see) is refused at its field (422).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orbit.accounts.selectors import account_get
from orbit.api.accounts import WRITE_ERRORS, _page
from orbit.api.activities import aware
from orbit.api.growth_projects_schemas import (
    PlannedWorkIn,
    ProjectDetail,
    ProjectPage,
    ProjectQuery,
    ProjectStartIn,
    VersionIn,
)
from orbit.api.schemas import ErrorOut, Id
from orbit.common import idempotency
from orbit.growth import projects as services
from orbit.growth.models import Opportunity, PlannedWork, Project, ProjectStage
from orbit.growth.permissions import require_sell
from orbit.org.models import User

router = Router()

READ = {401: ErrorOut, 404: ErrorOut}
LIST = {401: ErrorOut, 422: ErrorOut}


def _invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


def _projects(user):
    return Project.objects.visible_to(user).select_related(
        "account", "opportunity", "project_manager", "account_manager"
    )


def project_detail_of(user, pk: int) -> Project:
    project = (
        _projects(user)
        .prefetch_related(
            Prefetch("stages", queryset=ProjectStage.objects.order_by("position")),
            Prefetch(
                "works", queryset=PlannedWork.objects.select_related("assignee").order_by("starts_at", "id")
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


def _sellable(user, project_id: int) -> Project:
    project = project_detail_of(user, project_id)
    require_sell(user, project.account)  # 403 with the reason, before the payload is looked at
    return project


@router.get("/projects", response={200: ProjectPage, **LIST}, tags=["projects"])
def project_list(request, filters: Query[ProjectQuery]):
    """Projects you may see, newest first; filter by account, status and project manager."""
    qs = _projects(request.auth)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.project_manager is not None:
        qs = qs.filter(project_manager_id=filters.project_manager)
    return _page(qs.order_by("-starts_on", "-id"), filters.limit, filters.offset)


@router.get("/projects/{project_id}", response={200: ProjectDetail, **READ}, tags=["projects"])
def project_get(request, project_id: Id):
    """One project with its stages (in order) and its planned work."""
    return project_detail_of(request.auth, project_id)


@router.post(
    "/accounts/{account_id}/projects", response={201: ProjectDetail, **WRITE_ERRORS}, tags=["projects"]
)
def project_start(request, account_id: Id, payload: ProjectStartIn):
    """Start a project on the account, from one of its won opportunities if given. The project manager is
    required; he joins the account team. The account manager is told."""
    user = request.auth
    account = account_get(user, account_id)
    require_sell(user, account)
    errors: dict[str, list[str]] = {}
    manager = None
    if payload.project_manager is not None:
        manager = User.objects.filter(pk=payload.project_manager, is_active=True).first()
        if manager is None:
            errors["project_manager"] = [_invalid_choice()]
    opportunity = None
    if payload.opportunity is not None:
        opportunity = Opportunity.objects.visible_to(user).filter(pk=payload.opportunity).first()
        if opportunity is None:
            errors["opportunity"] = [_invalid_choice()]
    if errors:
        raise ValidationError(errors)
    project, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="project_start",
        model=Project,
        write=lambda: services.project_start(
            by=user,
            account=account,
            name=payload.name,
            project_manager=manager,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            opportunity=opportunity,
            stages=[stage.model_dump() for stage in payload.stages],
            description=payload.description,
        ),
    )
    return Status(201, project_detail_of(user, project.pk))


def _stage(user, stage_id: int) -> ProjectStage:
    stage = (
        ProjectStage.objects.visible_to(user).select_related("project__account").filter(pk=stage_id).first()
    )
    if stage is None:
        raise Http404
    require_sell(user, stage.project.account)
    return stage


@router.post(
    "/project-stages/{stage_id}/start", response={200: ProjectDetail, **WRITE_ERRORS}, tags=["projects"]
)
def project_stage_start(request, stage_id: Id, payload: VersionIn):
    """Start a stage: the stages before it must be done. The account manager is told."""
    stage = _stage(request.auth, stage_id)
    services.project_stage_start(by=request.auth, stage=stage, version=payload.version)
    return project_detail_of(request.auth, stage.project_id)


@router.post(
    "/project-stages/{stage_id}/finish", response={200: ProjectDetail, **WRITE_ERRORS}, tags=["projects"]
)
def project_stage_finish(request, stage_id: Id, payload: VersionIn):
    """Finish the stage in progress; the last one finishes the project. The account manager is told."""
    stage = _stage(request.auth, stage_id)
    services.project_stage_finish(by=request.auth, stage=stage, version=payload.version)
    return project_detail_of(request.auth, stage.project_id)


@router.post("/projects/{project_id}/work", response={201: ProjectDetail, **WRITE_ERRORS}, tags=["projects"])
def planned_work_add(request, project_id: Id, payload: PlannedWorkIn):
    """Plan work for the client within the project's dates; an assignee sees it on his day."""
    user = request.auth
    project = _sellable(user, project_id)
    errors: dict[str, list[str]] = {}
    assignee = stage = None
    if payload.assignee is not None:
        assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
        if assignee is None:
            errors["assignee"] = [_invalid_choice()]
    if payload.stage is not None:
        stage = project.stages.filter(pk=payload.stage).first()
        if stage is None:
            errors["stage"] = [_invalid_choice()]
    if errors:
        raise ValidationError(errors)
    idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="planned_work_add",
        model=PlannedWork,
        write=lambda: services.planned_work_add(
            by=user,
            project=project,
            title=payload.title,
            starts_at=aware(payload.starts_at),
            ends_at=aware(payload.ends_at),
            assignee=assignee,
            location=payload.location,
            stage=stage,
            version=payload.version,
        ),
    )
    return Status(201, project_detail_of(user, project.pk))
