"""The computation's pages: the runs with their progress, starting one, and the settings they run with."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.analytics import compute, runs
from orbit.analytics.forms import SettingsForm
from orbit.analytics.models import (
    SETTING_FIELDS,
    AnalyticsRun,
    AnalyticsSettings,
    Basis,
    ChangeKind,
    RunStatus,
)
from orbit.common.charts import month_label
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error, arm_conflict
from orbit.common.refusal import refused

PAGE_SIZE = 25


def _require_runs(user) -> None:
    if not runs.may_see_runs(user):
        raise PermissionDenied(_("The computation runs are seen by those who see every account."))


@login_required
def run_list(request):
    _require_runs(request.user)
    compute.fail_if_stale()
    page = Paginator(AnalyticsRun.objects.select_related("requested_by"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    active = AnalyticsRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    return TemplateResponse(
        request,
        "analytics/runs/list.html",
        {"page": page, "runs": page.object_list, "active": active, "may_run": runs.may_run(request.user)},
    )


@login_required
@require_POST
def run_start(request):
    """Queue a full run (or an incremental one) and show its progress; a run already under way is shown instead
    of starting a second."""
    try:
        run = runs.start_run(by=request.user, kind=request.POST.get("kind", "full"))
    except ValidationError as exc:
        return refused(request, exc, back_url=reverse("analytics:runs"))
    return redirect("analytics:run", pk=run.pk)


def _changes_by_kind(run: AnalyticsRun) -> list[tuple[str, int]]:
    """Every kind with its count (zero included), counted by the database: a first run finds 400,000."""
    counts = dict.fromkeys(ChangeKind.values, 0)
    counts.update(run.segment_changes.order_by().values_list("kind").annotate(n=Count("pk")))
    return [(ChangeKind(kind).label, count) for kind, count in counts.items()]


@login_required
def run_detail(request, pk: int):
    """The run's progress while it works (the page polls its own progress part), then what it found."""
    _require_runs(request.user)
    compute.fail_if_stale()
    run = get_object_or_404(AnalyticsRun.objects.select_related("requested_by"), pk=pk)
    template = (
        "analytics/runs/_progress.html" if request.headers.get("HX-Request") else "analytics/runs/detail.html"
    )
    context = {"run": run, "finished": run.status in (RunStatus.DONE, RunStatus.FAILED)}
    if run.status == RunStatus.DONE:
        context["changes"] = _changes_by_kind(run)
        window = run.params.get("window", {})
        if window:
            start, end = (dt.date.fromisoformat(window[k]) for k in ("start", "end"))
            context["window"] = f"{month_label(start)} – {month_label(end)}"
        basis = run.params.get("settings", {}).get("basis")
        context["basis"] = Basis(basis).label if basis else ""
    return TemplateResponse(request, template, context)


@login_required
def settings_page(request):
    """GET: the settings; POST: save them (400 with the fields' errors, 409 when someone saved meanwhile)."""
    if not runs.may_run(request.user):
        raise PermissionDenied(
            _("The analytics settings are changed by the head of department or an administrator.")
        )
    current = AnalyticsSettings.current()
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, current=current)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in SETTING_FIELDS}
            try:
                runs.save_settings(by=request.user, version=form.cleaned_data["version"], **values)
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
                status = 400
            else:
                messages.success(request, _("Settings saved. They take effect at the next full run."))
                return redirect("analytics:settings")
        else:
            status = 400
    else:
        form = SettingsForm(current=current)
    return TemplateResponse(
        request, "analytics/runs/settings.html", {"form": form, "current": current}, status=status
    )
