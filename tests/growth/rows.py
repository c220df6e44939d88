"""One row of every growth model on an account, written straight to the tables (no services, no business
rules): for the scoping matrices, which only ask who may read which row."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from orbit.growth.defaults import ensure_defaults
from orbit.growth.models import (
    Opportunity,
    OpportunityStageChange,
    PlannedWork,
    Project,
    ProjectStage,
    Stage,
)


def growth_rows(account, *, by) -> SimpleNamespace:
    ensure_defaults()  # a test with transaction=True flushes the data migration's rows
    day, now = timezone.localdate(), timezone.now()
    stage = Stage.objects.get(pipeline__code="account_growth", code="identified")
    opportunity = Opportunity.objects.create(
        account=account,
        kind="upsell",
        title=f"Upsell {account.pk}",
        pipeline=stage.pipeline,
        stage=stage,
        owner=by,
        amount=1000,
        amount_base=1000,
        probability=stage.probability,
        expected_close_on=day + dt.timedelta(days=30),
        stage_changed_at=now,
    )
    change = OpportunityStageChange.objects.create(
        opportunity=opportunity, to_stage=stage, changed_at=now, changed_by=by
    )
    project = Project.objects.create(
        account=account,
        name=f"Project {account.pk}",
        project_manager=by,
        account_manager=by,
        starts_on=day,
        ends_on=day + dt.timedelta(days=60),
    )
    project_stage = ProjectStage.objects.create(
        project=project, position=0, name="Kick-off", starts_on=day, ends_on=day + dt.timedelta(days=7)
    )
    work = PlannedWork.objects.create(
        project=project,
        stage=project_stage,
        title="Visit",
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=2),
    )
    return SimpleNamespace(
        opportunity=opportunity, change=change, project=project, project_stage=project_stage, work=work
    )
