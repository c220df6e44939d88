"""The account card's growth panel — open opportunities, projects, the product lines bought and not bought, the
responsible manager's plan vs fact this month — and the holding page's growth section, each one request after
the page, like their other panels."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from orbit.accounts.selectors import account_get
from orbit.growth import plan_fact, views_pipeline, views_projects
from orbit.growth.holding import holding_growth
from orbit.growth.whitespace import account_product_lines


@login_required
def account_panel(request, pk: int):
    account = account_get(request.user, pk)
    user, today = request.user, timezone.localdate()
    context = {
        **views_pipeline.card_context(user, account),
        **views_projects.card_context(user, account),
        **plan_fact.card_plan(user, account, today=today),
        "lines": account_product_lines(user, account, today),
    }
    return render(request, "growth/_account_panel.html", context)


@login_required
def holding(request, pk: int):
    account = account_get(request.user, pk)
    growth = holding_growth(request.user, account, today=timezone.localdate())
    return render(request, "growth/_holding_panel.html", {"growth": growth})
