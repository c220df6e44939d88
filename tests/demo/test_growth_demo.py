"""The demo's growth area: opportunities at every stage of both pipelines with consistent stage histories, won
deals with projects (the project manager on the account team), lost ones with reasons, and plans for every
seller and team near what they invoiced; the same rows for the same seed and day."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from orbit.accounts.models import AccountTeamMember, TeamRole
from orbit.demo.generator import SIZES, reset_database, seed
from orbit.growth.models import (
    Opportunity,
    OpportunityStageChange,
    PlannedWork,
    Project,
    ProjectStage,
    SalesPlan,
    Stage,
    StageOutcome,
)
from orbit.growth.plans import first_of_month, previous_month
from orbit.growth.sale_kinds import sale_kind_of
from orbit.org.models import OWNER_ROLES, Role, Team, User
from orbit.revenue.models import Invoice, Order

TODAY = dt.date(2026, 3, 16)
SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = seed(accounts=SIZES["small"], seed=SEED, today=TODAY)
        yield report
        reset_database()


def test_every_stage_of_both_pipelines_has_deals(demo, db):
    stages = set(Stage.objects.values_list("pipeline__code", "code"))
    used = set(Opportunity.objects.values_list("pipeline__code", "stage__code"))
    assert used == stages
    assert demo.opportunities == Opportunity.objects.count() > 100


def test_deals_follow_the_service_rules(demo, db):
    for opportunity in Opportunity.objects.select_related("stage"):
        assert opportunity.status == opportunity.stage.outcome
        assert opportunity.probability == opportunity.stage.probability
        if opportunity.status == StageOutcome.OPEN:
            assert opportunity.closed_on is None and opportunity.expected_close_on > TODAY
        else:
            assert opportunity.closed_on is not None and opportunity.closed_on < TODAY
        if opportunity.status == StageOutcome.LOST:
            assert opportunity.lost_reason_id is not None


def test_stage_histories_pass_every_required_stage(demo, db):
    required = {
        pipeline: [
            s.pk for s in Stage.objects.filter(pipeline_id=pipeline, required=True).order_by("position")
        ]
        for pipeline in Opportunity.objects.values_list("pipeline_id", flat=True).distinct()
    }
    positions = dict(Stage.objects.values_list("pk", "position"))
    histories: dict[int, list] = {}
    for change in OpportunityStageChange.objects.order_by("opportunity_id", "changed_at", "id"):
        histories.setdefault(change.opportunity_id, []).append(change)
    for opportunity in Opportunity.objects.all():
        changes = histories[opportunity.pk]
        assert changes[0].from_stage_id is None and changes[-1].to_stage_id == opportunity.stage_id
        assert [c.from_stage_id for c in changes[1:]] == [c.to_stage_id for c in changes[:-1]]
        assert changes[-1].changed_at == opportunity.stage_changed_at
        passed = {c.to_stage_id for c in changes}
        if opportunity.status != StageOutcome.LOST:
            before = [
                s
                for s in required[opportunity.pipeline_id]
                if positions[s] <= positions[opportunity.stage_id]
            ]
            assert set(before) <= passed, opportunity.pk


def test_won_deals_start_projects_with_the_pm_on_the_account_team(demo, db):
    projects = list(Project.objects.select_related("opportunity"))
    assert projects and all(p.opportunity.status == StageOutcome.WON for p in projects)
    seats = set(
        AccountTeamMember.objects.filter(role=TeamRole.PROJECT_MANAGER, ended_at__isnull=True).values_list(
            "account_id", "user_id"
        )
    )
    for project in projects:
        assert (project.account_id, project.project_manager_id) in seats
        stages = list(ProjectStage.objects.filter(project=project).order_by("position"))
        assert stages[0].starts_on == project.starts_on and stages[-1].ends_on <= project.ends_on
    assert PlannedWork.objects.count() >= len(projects)


def test_orders_after_a_win_fulfil_it_and_their_invoices_are_of_its_kind(demo, db):
    linked = list(Order.objects.filter(opportunity__isnull=False).select_related("opportunity"))
    assert len(linked) == demo.fulfilled_orders > 0
    for order in linked:
        assert (
            order.opportunity.status == StageOutcome.WON and order.opportunity.account_id == order.account_id
        )
        assert timezone.localdate(order.received_at) >= order.opportunity.closed_on
    with_projects = set(Project.objects.values_list("opportunity_id", flat=True))
    invoices = Invoice.objects.filter(order__opportunity__isnull=False).annotate(sale=sale_kind_of())
    for invoice in invoices.select_related("order__opportunity"):
        opportunity = invoice.order.opportunity
        assert invoice.sale == ("project" if opportunity.pk in with_projects else opportunity.kind)


def test_plans_for_every_seller_and_team_for_ten_months_near_the_fact(demo, db):
    sellers = set(
        User.objects.filter(is_active=True, roles__role__in=[*OWNER_ROLES, Role.TEAM_LEAD]).values_list(
            "pk", flat=True
        )
    )
    current = first_of_month(TODAY)
    months = set(SalesPlan.objects.values_list("month", flat=True))
    assert len(months) == 10 and min(months) == previous_month(
        previous_month(previous_month(previous_month(previous_month(previous_month(current)))))
    )
    for month in months:
        planned = set(
            SalesPlan.objects.filter(month=month, user__isnull=False).values_list("user_id", flat=True)
        )
        assert planned == sellers, month
        assert SalesPlan.objects.filter(month=month, team__isnull=False).count() == Team.objects.count()
    last = previous_month(current)
    fact = dict(
        Invoice.objects.filter(issued_on__gte=last, issued_on__lt=current)
        .values("manager_id")
        .annotate(net=Sum("net_total_base"))
        .values_list("manager_id", "net")
    )
    for plan in SalesPlan.objects.filter(month=last, user__isnull=False):
        net = fact.get(plan.user_id, Decimal(0))
        if net > 100_000:  # plan = fact / (0.85–1.2), rounded to 10 000
            assert Decimal("0.8") <= net / plan.revenue <= Decimal("1.25"), plan.user_id
        assert plan.margin <= plan.revenue


def _growth_digest() -> str:
    rows = [
        sorted(
            Opportunity.objects.values_list(
                "account__inn", "title", "stage__code", "amount", "owner__username", "closed_on"
            )
        ),
        sorted(
            OpportunityStageChange.objects.values_list(
                "opportunity__account__inn", "to_stage__code", "changed_at"
            )
        ),
        sorted(
            Project.objects.values_list(
                "account__inn", "name", "project_manager__username", "starts_on", "ends_on"
            )
        ),
        sorted(
            SalesPlan.objects.values_list("month", "user__username", "team__name", "revenue", "margin"),
            key=repr,
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_and_day_give_the_same_growth(demo, db):
    first = _growth_digest()
    reset_database()
    seed(accounts=SIZES["small"], seed=SEED, today=TODAY)
    assert _growth_digest() == first
