"""The admin edits pipelines and their stages, within the rules the opportunities depend on."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from orbit.growth.models import Pipeline, Stage
from orbit.growth.opportunities import opportunity_create
from tests.factories import make_account


def _form(pipeline: Pipeline, **changes) -> dict:
    """The change form as the browser posts it: the pipeline's fields and one inline row per stage."""
    stages = list(pipeline.stages.order_by("position"))
    data = {
        "code": pipeline.code,
        "name_ru": pipeline.name_ru,
        "name_en": pipeline.name_en,
        "position": pipeline.position,
        "is_active": "on",
        "stages-TOTAL_FORMS": len(stages),
        "stages-INITIAL_FORMS": len(stages),
        "stages-MIN_NUM_FORMS": 0,
        "stages-MAX_NUM_FORMS": 1000,
    }
    for i, stage in enumerate(stages):
        row = {
            "id": stage.pk,
            "pipeline": pipeline.pk,
            "position": stage.position,
            "code": stage.code,
            "name_ru": stage.name_ru,
            "name_en": stage.name_en,
            "probability": stage.probability,
            "outcome": stage.outcome,
        }
        if stage.required:
            row["required"] = "on"
        row |= changes.get(stage.code, {})
        data |= {f"stages-{i}-{k}": v for k, v in row.items()}
    return data


def _login(client, org):
    root = type(org.head).objects.create_superuser("root", "root@example.com", "pw-1234567890", language="en")
    client.force_login(root)


def test_the_admin_changes_a_probability_and_the_rules_hold(org, client, stages):
    _login(client, org)
    pipeline = Pipeline.objects.get(code="account_growth")
    url = reverse("admin:growth_pipeline_change", args=[pipeline.pk])
    assert client.post(url, _form(pipeline, proposal={"probability": 55})).status_code == 302
    assert Stage.objects.get(pipeline=pipeline, code="proposal").probability == 55

    # A second won stage, or no lost one: refused, nothing saved.
    response = client.post(url, _form(pipeline, lost={"outcome": "won"}))
    assert response.status_code == 200
    assert "exactly one won stage" in response.content.decode()
    assert Stage.objects.get(pipeline=pipeline, code="lost").outcome == "lost"
    response = client.post(url, _form(pipeline, proposal={"probability": 101}))
    assert (
        response.status_code == 200
        and Stage.objects.get(pipeline=pipeline, code="proposal").probability == 55
    )


def test_a_stage_in_use_keeps_its_outcome(org, client, stages):
    _login(client, org)
    account = make_account(org.head, org.am_a)
    opportunity_create(
        by=org.am_a,
        account=account,
        kind="upsell",
        title="t",
        amount=1,
        expected_close_on=timezone.localdate() + dt.timedelta(days=1),
    )
    pipeline = Pipeline.objects.get(code="account_growth")
    url = reverse("admin:growth_pipeline_change", args=[pipeline.pk])
    # identified (in use) becomes lost, lost becomes open: the pipeline would still be whole, the stage is not.
    response = client.post(url, _form(pipeline, identified={"outcome": "lost"}, lost={"outcome": "open"}))
    assert response.status_code == 200
    assert "its outcome cannot change" in response.content.decode()
    assert Stage.objects.get(pipeline=pipeline, code="identified").outcome == "open"
