"""The task list and the week calendar: thin views over `tasklist`, `week` and the touch services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.activities import selectors, services, tasklist
from orbit.activities import week as weeks
from orbit.activities.forms import TouchMoveForm
from orbit.common.errors import ConflictError
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.refusal import refused

TASKS_PER_PAGE = 50


@login_required
def task_list(request):
    team = tasklist.may_see_team(request.user)
    filters = tasklist.TaskFilters.from_params(request.GET, may_see_team=team)
    tasks = tasklist.task_list(request.user, filters)
    page = CappedPaginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    query, _sort = list_queries(request.GET)
    return render(
        request,
        "activities/tasks.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "may_see_team": team,
            "accounts": tasklist.task_accounts(request.user, filters),
            "today": timezone.localdate(),
        },
    )


def _week_context(request, person_id: str, week_value: str) -> dict:
    person = selectors.agenda_person(request.user, int(person_id) if person_id.isdigit() else None)
    today = timezone.localdate()
    start = weeks.parse_week(week_value, today)
    people = selectors.agenda_people(request.user)
    return {
        "week": weeks.week(person, viewer=request.user, start=start, today=today),
        "people": people if len(people) > 1 else [],
        "own": person == request.user,
    }


@login_required
def calendar_week(request):
    context = _week_context(request, request.GET.get("person", ""), request.GET.get("week", ""))
    return render(request, "activities/week.html", context)


@login_required
@require_POST
def touch_move(request, pk: int):
    """Move a planned touch to another day. From the calendar (htmx) the answer is the week as it now is: with
    the reason and 400 (or 409 when someone changed the touch first) when the move was refused."""
    touch = get_object_or_404(selectors.visible_touches(request.user).select_related("account"), pk=pk)
    form = TouchMoveForm(request.POST)
    error = None
    moved = None
    if not form.is_valid():
        error = ValidationError([e for errors in form.errors.values() for e in errors])
    else:
        try:
            moved = services.touch_move(by=request.user, touch=touch, **form.cleaned_data)
        except ValidationError as exc:
            error = exc
    status = 200 if error is None else 409 if isinstance(error, ConflictError) else 400
    if request.htmx:
        context = _week_context(request, request.POST.get("person", ""), request.POST.get("week", ""))
        context["reasons"] = error.messages if error is not None else []
        context["moved"] = moved
        context["focus"] = touch.pk
        return render(request, "activities/_week.html", context, status=status)
    back = reverse("activities:week")
    if error is not None:
        return refused(request, error, back_url=back)
    messages.success(request, _("Touch moved."))
    return redirect(f"{back}?week={moved.planned_for.isoformat()}" if moved else back)
