"""The reactivation queue: thin views over selectors_reactivation (reads) and reactivation (marking lost)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access.policy import can_work_account
from orbit.accounts.selectors import manager_choices
from orbit.activities.selectors import agenda_person
from orbit.analytics import reactivation
from orbit.analytics import selectors_reactivation as selectors
from orbit.analytics.forms_reactivation import LostForm
from orbit.analytics.models import ReactivationStatus
from orbit.common.errors import ConflictError
from orbit.common.forms import apply_service_error, arm_conflict
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.params import date_param, int_param
from orbit.org.models import Team

PAGE_SIZE = 50


def _filters(params) -> selectors.QueueFilters:
    today = timezone.localdate()
    end = date_param(params.get("end")) or today
    start = date_param(params.get("start")) or end - dt.timedelta(days=selectors.PERIOD_DAYS)
    status = params.get("status", ReactivationStatus.OPEN)
    return selectors.QueueFilters(
        status=status if status in ReactivationStatus.values or status == "all" else ReactivationStatus.OPEN,
        manager=int_param(params.get("manager")),
        team=int_param(params.get("team")),
        start=min(start, end),
        end=end,
    )


def _back(request) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    ok = target.startswith("/") and not target.startswith("//")
    return target if ok else reverse("analytics:reactivation")


@login_required
def queue(request):
    filters = _filters(request.GET)
    cases = selectors.queue(request.user, filters)
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "case": case,
            "days_silent": (today - case.last_purchase_on).days if case.last_purchase_on else None,
            "can_work": case.status == ReactivationStatus.OPEN
            and can_work_account(request.user, case.account),
            "status": selectors.STATUS_LABELS.get(case.status, case.status),
        }
        for case in page.object_list
    ]
    query, _sort = list_queries(request.GET)
    return render(
        request,
        "analytics/reactivation.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "outcomes": selectors.outcomes(request.user, filters),
            "statuses": [(status, str(label)) for status, label in selectors.STATUS_LABELS.items()],
            "managers": manager_choices().values_list("id", "display_name"),
            "teams": Team.objects.order_by("name").values_list("id", "name"),
            "query": query,
        },
    )


@login_required
def mark_lost(request, pk: int):
    """The form to give a case up (GET), and giving it up (POST): 400 with the field errors, 403 for whoever may
    not work the account, 404 for a case he does not see, 409 when the case changed meanwhile."""
    case = selectors.case_get(request.user, pk)
    if case is None:
        raise Http404
    if not can_work_account(request.user, case.account):
        raise PermissionDenied(_("Only those who work the account may give up its reactivation."))
    form = LostForm(request.POST or None, initial={"version": case.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                reactivation.mark_lost(
                    by=request.user,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                )
            except ConflictError as exc:
                arm_conflict(form, exc)
                status = 409
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request, _("%(account)s is marked lost.") % {"account": case.account.display_name}
                )
                return redirect(_back(request))
    return render(
        request,
        "analytics/reactivation_lost.html",
        {"case": case, "form": form, "next": _back(request), "back": _back(request)},
        status=status,
    )


@login_required
def day_block(request):
    """The manager's day (activities' agenda) loads this block after the page, so the day keeps its own fixed
    number of queries: his reactivation queue and the latest run's changes on his accounts."""
    person_id = int_param(request.GET.get("person"))
    person = agenda_person(request.user, person_id)  # 404 unless it is his day or one of his people's
    counts = selectors.day_counts(person, viewer=request.user)
    return render(request, "analytics/_day_block.html", {"person": person, "counts": counts})
