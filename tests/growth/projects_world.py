"""Builders for the project tests: a won opportunity, a project manager, a project with three stages."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from orbit.growth.models import Stage
from orbit.growth.opportunities import opportunity_create, opportunity_move
from orbit.growth.projects import project_start
from orbit.org.models import Role
from tests.factories import make_user

STAGES = ("Обследование", "Внедрение", "Обучение")


def won_opportunity(by, account, title="Внедрение CRM"):
    """An upsell walked through the account-growth pipeline to won (no required stage skipped)."""
    opportunity = opportunity_create(
        by=by,
        account=account,
        kind="upsell",
        title=title,
        amount=Decimal("500000.00"),
        expected_close_on=timezone.localdate() + dt.timedelta(days=20),
    )
    for code in ("qualified", "proposal", "won"):
        stage = Stage.objects.get(pipeline=opportunity.pipeline, code=code)
        opportunity = opportunity_move(by=by, opportunity=opportunity, stage=stage)
    return opportunity


def project_manager(username="pm", **fields):
    return make_user(username, Role.PROJECT_MANAGER, **fields)


def plan(start: dt.date, names=STAGES, days=10):
    """Consecutive stages of `days` days each from `start`: [start, start+9], [start+10, start+19], ..."""
    return [
        {
            "name": name,
            "starts_on": start + dt.timedelta(days=days * n),
            "ends_on": start + dt.timedelta(days=days * n + days - 1),
        }
        for n, name in enumerate(names)
    ]


def start_project(by, account, manager, *, opportunity=None, start=None, stages=STAGES, **kw):
    start = start or timezone.localdate()
    fields = {
        "by": by,
        "account": account,
        "name": "Внедрение CRM",
        "project_manager": manager,
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=10 * max(len(stages), 1) - 1),
        "opportunity": opportunity,
        "stages": plan(start, stages),
    }
    return project_start(**(fields | kw))
