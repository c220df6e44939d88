"""The account card's growth panel: open opportunities, projects, the product lines bought and not bought, and
the responsible manager's plan vs fact this month — one request after the card, like its other panels."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from orbit.accounts.selectors import account_get
from orbit.growth import plan_fact, views_pipeline, views_projects
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
