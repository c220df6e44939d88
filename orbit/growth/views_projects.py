"""Project pages: thin views over `growth.projects` (writes) and `growth.selectors_projects` (reads).

Reads go through `visible_to` (404 for what the reader may not see); writes need `permissions.can_sell` (403
otherwise); a refused write answers 400 with its reasons (409 when someone else changed the project first),
never a redirect that looks like success. The start form carries an idempotency key: a double click starts one
project.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.accounts import card_tabs
from orbit.accounts.selectors import account_get
from orbit.common import idempotency
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error, arm_conflict
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.refusal import refused
from orbit.growth import projects as services
from orbit.growth import selectors_projects as selectors
from orbit.growth.forms_projects import (
    CancelForm,
    DoneForm,
    ListFilters,
    ProjectForm,
    StageForm,
    StartForm,
    VersionForm,
    WorkForm,
)
from orbit.growth.models import RUNNING_PROJECT, Opportunity, Project, StageOutcome
from orbit.growth.permissions import can_sell


def _require_sell(request, account) -> None:
    if not can_sell(request.user, account):
        raise PermissionDenied


def _page_of(project) -> str:
    return reverse("growth:project", args=[project.pk])


# --- list and page --------------------------------------------------------------------------------------------


@login_required
def project_list(request):
    filters = ListFilters(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    scope = data.get("scope") or selectors.default_scope(request.user)
    manager = data.get("manager")
    projects = selectors.project_list(
        request.user, scope=scope, status=data.get("status") or "", manager=manager.pk if manager else None
    )
    page = CappedPaginator(projects, settings.ORBIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query, _sort = list_queries(request.GET)
    return render(
        request,
        "growth/projects/list.html",
        {"page": page, "filters": filters, "scope": scope, "query": query, "today": timezone.localdate()},
    )


def _project_page(request, project: Project, *, status: int = 200, **forms):
    account = project.account
    may = can_sell(request.user, account) and not account.is_archived
    stages = list(project.stages.all())
    next_stage = next((s for s in stages if s.status in ("planned", "active")), None)
    context = {
        "project": project,
        "account": account,
        "stages": stages,
        "next_stage": next_stage,
        "works": list(project.works.all()),
        "may_work": may,
        "running": project.status in RUNNING_PROJECT,
        "now": timezone.now(),
        "stage_form": forms.get("stage_form"),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial={"version": project.version}),
        "errors": forms.get("errors") or [],
    }
    return render(request, "growth/projects/detail.html", context, status=status)


@login_required
def project_detail(request, pk: int):
    return _project_page(request, selectors.project_get(request.user, pk))


# --- start and edit -------------------------------------------------------------------------------------------


def _won_opportunity(request, pk) -> Opportunity | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    opportunity = Opportunity.objects.visible_to(request.user).select_related("account").filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    return opportunity


def _start(request, account, opportunity=None):
    _require_sell(request, account)
    if account.is_archived:
        return refused(
            request,
            [_("The account is archived: restore it before working its projects.")],
            back_url=card_tabs.url(account.pk, card_tabs.GROWTH),
        )
    today = timezone.localdate()
    initial = {"starts_on": today}
    if opportunity is not None:
        initial["name"] = opportunity.title
    form = StartForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                project, _created = idempotency.once(
                    user=request.user,
                    key=idempotency.key_of(request),
                    scope="project_start",
                    model=Project,
                    write=lambda: services.project_start(
                        by=request.user,
                        account=account,
                        opportunity=opportunity,
                        name=data["name"],
                        project_manager=data["project_manager"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        stages=form.stages(),
                        description=data["description"],
                    ),
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Project «%(name)s» is started.") % {"name": project.name})
                return redirect("growth:project", pk=project.pk)
    return render(
        request,
        "growth/projects/start.html",
        {"form": form, "account": account, "opportunity": opportunity},
        status=status,
    )


@login_required
def project_start(request):
    """From a won opportunity: /growth/projects/new/?opportunity=ID."""
    pk = request.GET.get("opportunity") or request.POST.get("opportunity")
    if not pk:
        return refused(
            request,
            [_("A project starts from a won opportunity or from an account's card: open one of them first.")],
            back_url=reverse("growth:projects"),
        )
    opportunity = _won_opportunity(request, pk)
    reason = None
    if opportunity.status != StageOutcome.WON:
        reason = _("Only a won opportunity starts a project: win it first.")
    elif Project.objects.visible_to(request.user).filter(opportunity=opportunity).exists():
        reason = _("This opportunity has started a project already.")
    # On a GET only: a double-clicked POST returns the project the first click started (idempotency key).
    if reason is not None and request.method == "GET" and can_sell(request.user, opportunity.account):
        return refused(request, [reason], back_url=card_tabs.url(opportunity.account_id, card_tabs.GROWTH))
    return _start(request, opportunity.account, opportunity)


@login_required
def project_start_account(request, account_pk: int):
    return _start(request, account_get(request.user, account_pk))


@login_required
def project_edit(request, pk: int):
    project = selectors.project_get(request.user, pk)
    _require_sell(request, project.account)
    if project.status not in RUNNING_PROJECT:
        return refused(
            request,
            [_("The project is finished: it cannot be changed any more.")],
            back_url=_page_of(project),
        )
    initial = {
        "name": project.name,
        "project_manager": project.project_manager,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "description": project.description,
        "version": project.version,
    }
    form = ProjectForm(request.POST or None, initial=initial, current_manager=project.project_manager)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.PROJECT_EDITABLE}
            try:
                services.project_update(
                    by=request.user, project=project, version=form.cleaned_data["version"], **fields
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except (ValidationError, PermissionDenied) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(_page_of(project))
    return render(
        request,
        "growth/projects/edit.html",
        {"form": form, "project": project, "account": project.account},
        status=status,
    )


@login_required
@require_POST
def project_cancel(request, pk: int):
    project = selectors.project_get(request.user, pk)
    _require_sell(request, project.account)
    form = CancelForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.project_cancel(
                by=request.user,
                project=project,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ConflictError as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The project is cancelled."))
            return redirect(_page_of(project))
    return _project_page(request, selectors.project_get(request.user, pk), status=status, cancel_form=form)


# --- stages ---------------------------------------------------------------------------------------------------


def _stage_form_page(request, project, form, *, stage=None, status=200):
    return render(
        request,
        "growth/projects/stage_form.html",
        {"form": form, "project": project, "account": project.account, "stage": stage},
        status=status,
    )


@login_required
def stage_add(request, pk: int):
    project = selectors.project_get(request.user, pk)
    _require_sell(request, project.account)
    form = StageForm(request.POST or None, initial={"version": project.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.project_stage_add(
                    by=request.user,
                    project=project,
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    version=data["version"],
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Stage added."))
                return redirect(_page_of(project))
    return _stage_form_page(request, project, form, status=status)


@login_required
def stage_edit(request, pk: int):
    stage = selectors.stage_get(request.user, pk)
    project = selectors.project_get(request.user, stage.project_id)
    _require_sell(request, project.account)
    initial = {
        "name": stage.name,
        "starts_on": stage.starts_on,
        "ends_on": stage.ends_on,
        "position": [s.pk for s in project.stages.all()].index(stage.pk) + 1,
        "version": project.version,
    }
    form = StageForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            changes = {name: data[name] for name in ("name", "starts_on", "ends_on")}
            if data["position"] is not None and data["position"] != initial["position"]:
                changes["position"] = data["position"]
            try:
                services.project_stage_update(
                    by=request.user, stage=stage, version=data["version"], **changes
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(_page_of(project))
    return _stage_form_page(request, project, form, stage=stage, status=status)


def _stage_step(request, pk: int, act, done_message: str):
    stage = selectors.stage_get(request.user, pk)
    _require_sell(request, stage.project.account)
    form = VersionForm(request.POST)
    form.is_valid()
    try:
        act(by=request.user, stage=stage, version=form.cleaned_data.get("version"))
    except ValidationError as exc:  # a ConflictError too: 409
        project = selectors.project_get(request.user, stage.project_id)
        return _project_page(
            request, project, status=409 if isinstance(exc, ConflictError) else 400, errors=exc.messages
        )
    messages.success(request, done_message % {"stage": stage.name})
    return redirect(_page_of(stage.project) + f"#stage-{stage.pk}")


@login_required
@require_POST
def stage_start(request, pk: int):
    return _stage_step(request, pk, services.project_stage_start, _("Stage «%(stage)s» has started."))


@login_required
@require_POST
def stage_finish(request, pk: int):
    return _stage_step(request, pk, services.project_stage_finish, _("Stage «%(stage)s» is finished."))


# --- planned work ---------------------------------------------------------------------------------------------


def _work_form_page(request, project, form, *, work=None, status=200):
    return render(
        request,
        "growth/projects/work_form.html",
        {"form": form, "project": project, "account": project.account, "work": work},
        status=status,
    )


@login_required
def work_add(request, pk: int):
    project = selectors.project_get(request.user, pk)
    _require_sell(request, project.account)
    form = WorkForm(request.POST or None, project=project, initial={"version": project.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.planned_work_add(
                    by=request.user,
                    project=project,
                    version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Planned work added."))
                return redirect(_page_of(project) + "#works-h")
    return _work_form_page(request, project, form, status=status)


@login_required
def work_edit(request, pk: int):
    work = selectors.work_get(request.user, pk)
    project = selectors.project_get(request.user, work.project_id)
    _require_sell(request, project.account)
    initial = {
        "title": work.title,
        "starts_at": timezone.localtime(work.starts_at),
        "ends_at": timezone.localtime(work.ends_at),
        "assignee": work.assignee,
        "location": work.location,
        "stage": work.stage,
        "version": project.version,
    }
    form = WorkForm(request.POST or None, project=project, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.planned_work_update(
                    by=request.user, work=work, version=form.cleaned_data["version"], **form.service_fields()
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(_page_of(project) + f"#work-{work.pk}")
    return _work_form_page(request, project, form, work=work, status=status)


def _work_step(request, pk: int, act, done_message: str):
    work = selectors.work_get(request.user, pk)
    _require_sell(request, work.project.account)
    form = DoneForm(request.POST)
    form.is_valid()
    try:
        act(work, form.cleaned_data)
    except ValidationError as exc:
        project = selectors.project_get(request.user, work.project_id)
        return _project_page(
            request, project, status=409 if isinstance(exc, ConflictError) else 400, errors=exc.messages
        )
    messages.success(request, done_message)
    return redirect(_page_of(work.project) + "#works-h")


@login_required
@require_POST
def work_done(request, pk: int):
    def act(work, data):
        services.planned_work_mark_done(
            by=request.user, work=work, done=data.get("done", False), version=data.get("version")
        )

    return _work_step(request, pk, act, _("Planned work updated."))


@login_required
@require_POST
def work_remove(request, pk: int):
    def act(work, data):
        services.planned_work_remove(by=request.user, work=work, version=data.get("version"))

    return _work_step(request, pk, act, _("Planned work removed."))


# --- calendars ------------------------------------------------------------------------------------------------


def _calendar(request, *, title: str, works, back_url: str, back_label: str, project=None, account=None):
    today = timezone.localdate()
    month = selectors.month_calendar(
        works, selectors.parse_month(request.GET.get("month"), today), today=today
    )
    return render(
        request,
        "growth/projects/calendar.html",
        {
            "month": month,
            "now": timezone.now(),
            "title": title,
            "back_url": back_url,
            "back_label": back_label,
            "project": project,
            "account": account,
        },
    )


@login_required
def project_calendar(request, pk: int):
    project = selectors.project_get(request.user, pk)
    return _calendar(
        request,
        title=_("Planned work: %(name)s") % {"name": project.name},
        works=selectors.calendar_works(request.user, project=project),
        back_url=_page_of(project),
        back_label=_("Back to the project"),
        project=project,
        account=project.account,
    )


@login_required
def account_calendar(request, account_pk: int):
    account = account_get(request.user, account_pk)
    return _calendar(
        request,
        title=_("Planned work for %(name)s") % {"name": account.display_name},
        works=selectors.calendar_works(request.user, account=account),
        back_url=card_tabs.url(account.pk, card_tabs.GROWTH),
        back_label=_("Back to the account"),
        account=account,
    )


@login_required
def my_calendar(request):
    return _calendar(
        request,
        title=_("My planned work"),
        works=selectors.calendar_works(request.user, person=request.user),
        back_url=reverse("growth:projects"),
        back_label=_("Projects"),
    )


def card_context(user, account) -> dict:
    """What `_card_projects.html` shows of an account the user has read (its card's growth panel too)."""
    return {
        "account": account,
        "card_projects": selectors.account_projects(user, account),
        "may_start": can_sell(user, account) and not account.is_archived,
        "won_without_project": list(selectors.won_without_project(user, account)[:5]),
    }
