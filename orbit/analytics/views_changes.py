"""What the analytics runs found changed: the latest run's changes (or those since a day), per kind, manager,
team — over the accounts the reader sees."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from orbit.accounts.selectors import manager_choices
from orbit.analytics import selectors_changes as selectors
from orbit.analytics.models import ChangeKind
from orbit.common.pagination import CappedPaginator, list_queries
from orbit.common.params import date_param, int_param
from orbit.org.models import Team

PAGE_SIZE = 50


def filters_of(params) -> selectors.ChangeFilters:
    kind = params.get("kind", "")
    return selectors.ChangeFilters(
        run=int_param(params.get("run")),
        since=date_param(params.get("since")),
        kind=kind if kind in ChangeKind.values else "",
        manager=int_param(params.get("manager")),
        team=int_param(params.get("team")),
    )


@login_required
def changes(request):
    filters = filters_of(request.GET)
    rows, run = selectors.changes(request.user, filters)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(change, selectors.describe(change.kind, change.old, change.new)) for change in page.object_list]
    query, _sort = list_queries(request.GET)
    return render(
        request,
        "analytics/changes.html",
        {
            "page": page,
            "items": items,
            "run": run,
            "filters": filters,
            "kinds": selectors.kind_choices(),
            "managers": manager_choices().values_list("id", "display_name"),
            "teams": Team.objects.order_by("name").values_list("id", "name"),
            "query": query,
        },
    )
