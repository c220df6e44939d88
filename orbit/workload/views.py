"""Thin views of the workload pages: the people's load of a month, a person's accounts, the norms, and the
rebalancing proposal of a team. Refused writes answer 4xx with the form and its errors."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.access import policy
from orbit.common import idempotency
from orbit.common.charts import month_label
from orbit.common.errors import ConflictError
from orbit.growth.plan_fact import may_see_person, sees_all_plans, visible_people
from orbit.org.models import Team, User
from orbit.workload import capacity, norms, selectors, services
from orbit.workload import rebalance as proposals
from orbit.workload.defaults import HISTORY_MONTHS
from orbit.workload.models import PersonSetting, Rebalance
from orbit.workload.months import first_day, months_back, next_month, parse, previous_month
from orbit.workload.portfolio import month_end_counts
from orbit.worktime.services import CalendarYearMissing

PAGE_SIZE = 50  # people (accounts) per page: Orbit's default


def _month(request):
    return parse(request.GET.get("month"), first_day(timezone.localdate()))


def _teams(user) -> list[Team]:
    teams = Team.objects.order_by("name")
    if sees_all_plans(user):
        return list(teams)
    return [t for t in teams if t.pk in policy.led_team_ids(user)]


def _month_nav(month) -> dict:
    return {
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "month_label": month_label(month),
        "previous": previous_month(month).strftime("%Y-%m"),
        "next": next_month(month).strftime("%Y-%m"),
    }


@login_required
def index(request):
    month = _month(request)
    teams = _teams(request.user)
    team = None
    if request.GET.get("team", "").isdigit():
        team = next((t for t in teams if t.pk == int(request.GET["team"])), None)
    context = {**_month_nav(month), "teams": teams, "team": team, "error": None}
    try:
        people = list(selectors.people_for(request.user, proposals.team_tree_ids(team) if team else None))
        everyone = team is None and visible_people(request.user) is None
        counts = month_end_counts(
            months_back(month, HISTORY_MONTHS), None if everyone else [p.pk for p in people]
        )
        found = selectors.rows(request.user, month, people=people, counts=counts[month])
        points = selectors.over_time(people, month, counts=counts, everyone=everyone)
    except CalendarYearMissing as exc:
        context["error"] = exc.messages[0]
        return TemplateResponse(request, "workload/index.html", context)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    size_chart, load_chart = selectors.over_time_charts(points)
    context.update(
        {
            "rows": shown,
            "page": page,
            "totals": selectors.totals(found),
            "chart": selectors.demand_chart(shown) if shown else None,
            "size_chart": size_chart,
            "load_chart": load_chart,
            "points": points,
            "hours": norms.hours_by_tier(),
            "tiers": norms.TIERS,
            "underload": selectors.defaults.UNDERLOAD_PERCENT,
            # The teams of the overloaded people, for a rebalancing proposal (read by all who see the team).
            "rebalance_teams": [
                t for t in teams if t.pk in {r.person.team_id for r in found if r.status == "over"}
            ],
        }
    )
    return TemplateResponse(request, "workload/index.html", context)


def _person_or_404(user, pk: int) -> User:
    person = get_object_or_404(User.objects.prefetch_related("roles"), pk=pk)
    if not may_see_person(user, person.pk) or not person.has_role(*selectors.FARMER_ROLES):
        raise Http404
    return person


def _person_context(request, person: User, form_errors=None, form_values=None) -> dict:
    month = _month(request)
    context = {**_month_nav(month), "person": person, "error": None}
    try:
        row = selectors.rows(request.user, month, people=[person])[0]
        points = selectors.over_time([person], month)
    except CalendarYearMissing as exc:
        context["error"] = exc.messages[0]
        return context
    lines, hidden = selectors.accounts_behind(request.user, person.pk, month)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    size_chart, load_chart = selectors.over_time_charts(points)
    setting = PersonSetting.objects.filter(user=person).first()
    context.update(
        {
            "row": row,
            "page": page,
            "lines": page.object_list,
            "hidden": hidden,
            "size_chart": size_chart,
            "load_chart": load_chart,
            "hybrid": capacity.is_hybrid(person),
            "may_set": services.may_set_person(request.user, person),
            "setting": setting,
            "form_errors": form_errors or {},
            "general_errors": (form_errors or {}).get("__all__", []),
            "form_values": form_values
            or {
                "capacity_hours": person.monthly_capacity_hours,
                "hunting_percent": ""
                if setting is None or setting.hunting_percent is None
                else setting.hunting_percent,
                "version": setting.version if setting else "",
            },
            "default_hunting": selectors.defaults.HUNTING_PERCENT,
        }
    )
    return context


@login_required
def person(request, pk: int):
    target = _person_or_404(request.user, pk)
    return TemplateResponse(request, "workload/person.html", _person_context(request, target))


def _version(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@login_required
@require_POST
def person_settings(request, pk: int):
    target = _person_or_404(request.user, pk)
    values = {k: request.POST.get(k, "") for k in ("capacity_hours", "hunting_percent", "version")}
    try:
        services.person_set(
            by=request.user,
            person=target,
            version=_version(values["version"]),
            capacity_hours=values["capacity_hours"],
            hunting_percent=values["hunting_percent"],
        )
    except PermissionDenied:
        raise
    except ConflictError as exc:
        context = _person_context(request, target, {"__all__": exc.messages}, values)
        return TemplateResponse(request, "workload/person.html", context, status=409)
    except ValidationError as exc:
        context = _person_context(request, target, exc.message_dict, values)
        return TemplateResponse(request, "workload/person.html", context, status=400)
    return redirect("workload:person", pk=target.pk)


def _norms_context(request, errors=None, values=None) -> dict:
    computed = norms.compute()
    start, end = norms.window(timezone.localdate())
    return {
        "norms": list(computed.values()),
        "figures": norms.FIGURES,
        "may_edit": policy.can_set_policy(request.user),
        "start": start,
        "end": end,
        "min_history": selectors.defaults.MIN_HISTORY,
        "errors": errors or {},
        "general_errors": (errors or {}).get("__all__", []),
        "values": values,
        "edited_tier": (values or {}).get("tier"),
    }


@login_required
def norms_page(request):
    return TemplateResponse(request, "workload/norms.html", _norms_context(request))


@login_required
@require_POST
def norms_edit(request):
    if not policy.can_set_policy(request.user):
        raise PermissionDenied(_("Only the head of department and administrators set the workload norms."))
    values = {k: request.POST.get(k, "") for k in ("tier", "version", "comment", *norms.FIGURES)}
    try:
        services.norm_set(
            by=request.user,
            tier=values["tier"],
            version=_version(values["version"]),
            comment=values["comment"],
            **{k: values[k] for k in norms.FIGURES},
        )
    except ConflictError as exc:
        context = _norms_context(request, {"__all__": exc.messages}, values)
        return TemplateResponse(request, "workload/norms.html", context, status=409)
    except ValidationError as exc:
        context = _norms_context(request, exc.message_dict, values)
        return TemplateResponse(request, "workload/norms.html", context, status=400)
    return redirect("workload:norms")


def _team_or_404(user, pk: int) -> Team:
    team = get_object_or_404(Team, pk=pk)
    if not (sees_all_plans(user) or team.pk in policy.led_team_ids(user)):
        raise Http404
    return team


def _lines(post) -> dict[int, int]:
    lines = {}
    for value in post.getlist("move"):
        receiver = post.get(f"receiver_{value}", "")
        if value.isdigit():
            lines[int(value)] = int(receiver) if receiver.isdigit() else 0
    return lines


@login_required
def rebalance(request, pk: int):
    team = _team_or_404(request.user, pk)
    status, errors, applied = 200, {}, None
    chosen: dict[int, int] | None = None
    if request.method == "POST":
        if not services.may_rebalance(request.user, team):
            raise PermissionDenied(_("Only the team's lead or the head of department rebalance a team."))
        chosen = _lines(request.POST)
        try:
            applied, _first = idempotency.once(
                user=request.user,
                key=idempotency.key_of(request),
                scope=f"workload-rebalance:{team.pk}",
                model=Rebalance,
                write=lambda: services.rebalance_apply(by=request.user, team=team, lines=chosen),
            )
        except ValidationError as exc:
            status, errors = 400, exc.message_dict
        else:
            return redirect(f"{request.path}?applied={applied.pk}")
    if request.GET.get("applied", "").isdigit():
        applied = Rebalance.objects.filter(pk=int(request.GET["applied"]), team=team).first()
    context = {"team": team, "errors": errors, "applied": applied, "chosen": chosen, "error": None}
    context["may_apply"] = services.may_rebalance(request.user, team)
    try:
        context["proposal"] = proposals.propose(request.user, team, timezone.localdate())
    except CalendarYearMissing as exc:
        context["error"] = exc.messages[0]
    return TemplateResponse(request, "workload/rebalance.html", context, status=status)
