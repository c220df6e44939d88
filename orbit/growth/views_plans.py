"""The plans pages: plan vs fact of a month (everyone sees whom he may), and the grid where the head or a lead
enters the month's plans of his people and teams, saved all at once or not at all."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orbit.access import policy
from orbit.common.charts import month_label
from orbit.common.errors import ConflictError
from orbit.common.pagination import list_queries
from orbit.growth import plan_fact, plans
from orbit.growth.forms_plans import PlanFilterForm, grid_entries, row_key
from orbit.growth.permissions import can_set_plan
from orbit.org.models import Role, Team, User

PAGE_SIZE = 50  # people per page of plan vs fact (Orbit's default; a department rarely has more)


def may_enter_plans(user) -> bool:
    """The head, admins and team leads have plans to enter (can_set_plan says for whom)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.has_role(Role.HEAD, Role.ADMIN) or bool(policy.led_team_ids(user))


def _team_choices(user):
    teams = Team.objects.order_by("name").values_list("id", "name")
    if plan_fact.sees_all_plans(user):
        return list(teams)
    led = policy.led_team_ids(user)
    return [(pk, name) for pk, name in teams if pk in led]


@login_required
def plan_fact_page(request):
    """Plan vs fact of a month: people and teams, revenue on invoiced and on paid, and margin."""
    form = PlanFilterForm(request.GET or None, teams=_team_choices(request.user))
    month = form.chosen_month()
    form.fields["month"].initial = month
    team = form.chosen_team()
    figures = plan_fact.plan_fact(request.user, month, team=team)
    page = Paginator(figures.people, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    query, _sort = list_queries(request.GET)
    context = {
        "form": form,
        "figures": figures,
        "page": page,
        "people": shown,
        "query": query,
        "chart": plan_fact.plan_fact_chart(figures, shown) if shown else None,
        "team_chart": plan_fact.plan_fact_chart(figures, figures.teams) if figures.teams else None,
        "may_enter": may_enter_plans(request.user),
        "month_value": month.strftime("%Y-%m"),
        "previous": plans.previous_month(month).strftime("%Y-%m"),
        "next": plans.next_month(month).strftime("%Y-%m"),
        "month_label": month_label(month),
        "team_query": f"team={team}" if team else "",
    }
    return TemplateResponse(request, "growth/plans/plan_fact.html", context)


def _grid(user, month):
    """The rows `user` may set plans for in `month` (people who work here, and teams), with their figures."""
    figures = plan_fact.plan_fact(user, month)
    people = User.objects.in_bulk([row.pk for row in figures.people])
    teams = Team.objects.in_bulk([row.pk for row in figures.teams])
    person_rows = [
        row
        for row in figures.people
        if row.pk in people and people[row.pk].is_active and can_set_plan(user, person=people[row.pk])
    ]
    team_rows = [row for row in figures.teams if can_set_plan(user, team=teams[row.pk])]
    return figures, person_rows, team_rows, people, teams


@login_required
def plan_entry(request):
    """GET: the grid of the month's plans; POST: save them all (400 with every field's error, or 409 when
    someone saved a row meanwhile: nothing is saved), or copy last month's plans into the empty rows."""
    if not may_enter_plans(request.user):
        raise PermissionDenied(_("Plans are entered by the head of department and team leads."))
    source = request.POST if request.method == "POST" else request.GET
    form = PlanFilterForm(source or None)
    month = form.chosen_month()
    form.fields["month"].initial = month
    figures, person_rows, team_rows, people, teams = _grid(request.user, month)
    errors: dict = {}
    typed: dict = {}
    status = 200
    conflict = ""
    if request.method == "POST":
        rows = person_rows + team_rows
        try:
            if request.POST.get("action") == "copy":
                copied = plans.plans_copy_month(
                    by=request.user,
                    month=month,
                    people=[people[r.pk] for r in person_rows],
                    teams=[teams[r.pk] for r in team_rows],
                )
                if not copied:
                    errors["__all__"] = [
                        _("Nothing to copy: last month has no plans for the empty rows of this month.")
                    ]
                    status = 400
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s plan copied from last month.",
                            "%(n)s plans copied from last month.",
                            len(copied),
                        )
                        % {"n": len(copied)},
                    )
                    return redirect(f"{reverse('growth:plans_entry')}?month={month:%Y-%m}")
            else:
                saved = plans.plans_save(
                    by=request.user,
                    month=month,
                    entries=grid_entries(request.POST, rows, people=people, teams=teams),
                )
                messages.success(
                    request,
                    ngettext("%(n)s plan saved.", "%(n)s plans saved.", len(saved)) % {"n": len(saved)},
                )
                return redirect(f"{reverse('growth:plans')}?month={month:%Y-%m}")
        except ConflictError as exc:
            status, conflict = 409, exc.messages[0]
            errors = getattr(exc, "fields", {})
        except ValidationError as exc:
            status = 400
            errors = exc.message_dict
        typed = {key: value for key, value in request.POST.items()}
        if status == 409:  # show the versions as they are now, keep what he typed
            figures, person_rows, team_rows, people, teams = _grid(request.user, month)
    grid = []
    for row in person_rows + team_rows:
        key = row_key(row)
        grid.append(
            {
                "row": row,
                "key": key,
                "revenue": typed.get(f"{key}-revenue", "" if row.plan_source != "own" else row.plan_revenue),
                "margin": typed.get(f"{key}-margin", "" if row.plan_source != "own" else row.plan_margin),
                "version": row.plan_version,
                "revenue_errors": errors.get(f"{key}-revenue", []),
                "margin_errors": errors.get(f"{key}-margin", []),
            }
        )
    context = {
        "form": form,
        "figures": figures,
        "grid": grid,
        "errors": errors.get("__all__", []),
        "has_errors": bool(errors),
        "conflict": conflict,
        "month_value": month.strftime("%Y-%m"),
    }
    return TemplateResponse(request, "growth/plans/entry.html", context, status=status)
