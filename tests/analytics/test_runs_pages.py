"""The computation's pages: who sees the runs and may start one, the progress part, the settings form."""

import pytest
from django.urls import reverse

from orbit.analytics import compute
from orbit.analytics.models import AnalyticsRun, AnalyticsSettings
from orbit.analytics.tasks import run_analytics


@pytest.fixture
def head(client, org):
    client.force_login(org.head)
    return client


def test_the_head_starts_a_run_once_and_the_worker_does_it(head, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = head.post(reverse("analytics:run_start"), {"kind": "full"})
        second = head.post(reverse("analytics:run_start"), {"kind": "full"})  # a double click
    run = AnalyticsRun.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("analytics:run", args=[run.pk])
    assert run.status == "queued" and run.requested_by == org.head
    page = head.get(reverse("analytics:run", args=[run.pk]), headers={"HX-Request": "true"})
    assert b'hx-trigger="every 2s"' in page.content  # polls while queued
    run_analytics.call(run.pk)
    run.refresh_from_db()
    assert run.status == "done" and run.steps_done == run.steps_total
    page = head.get(reverse("analytics:run", args=[run.pk]))
    assert b"every 2s" not in page.content and "Завершён".encode() in page.content


def test_an_unknown_kind_is_refused_with_the_reason(head):
    response = head.post(reverse("analytics:run_start"), {"kind": "everything"})
    assert response.status_code == 400 and "Неизвестный".encode() in response.content
    assert not AnalyticsRun.objects.exists()


@pytest.mark.parametrize("name", ["am_a", "lead_a"])
def test_managers_and_leads_neither_see_nor_start_runs(client, org, name):
    client.force_login(getattr(org, name))
    assert client.get(reverse("analytics:runs")).status_code == 403
    assert client.post(reverse("analytics:run_start"), {"kind": "full"}).status_code == 403
    assert client.get(reverse("analytics:settings")).status_code == 403
    assert not AnalyticsRun.objects.exists()


def test_a_run_whose_worker_died_is_marked_failed(head, org):
    from django.utils import timezone

    run = AnalyticsRun.objects.create(
        as_of=timezone.localdate(), status="running", heartbeat_at=timezone.now()
    )
    AnalyticsRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(minutes=11)
    )
    page = head.get(reverse("analytics:runs"))
    run.refresh_from_db()
    assert run.status == "failed" and page.status_code == 200


def _settings(**changes) -> dict:
    values = {
        "basis": "revenue",
        "window_months": 12,
        "abc_a": "80",
        "abc_b": "95",
        "xyz_x": "10",
        "xyz_y": "25",
        "xyz_min_months": 6,
        "dormant_multiple": "3",
        "dormant_floor_days": 45,
        "dormant_cap_days": 365,
        "ltv_horizon_months": 12,
        "ltv_discount_percent": "15",
        "ltv_drop_percent": "50",
        "version": 1,
    }
    values.update(changes)
    return values


def test_settings_are_saved_and_checked_field_by_field(head, org):
    AnalyticsSettings.current()
    bad = head.post(reverse("analytics:settings"), _settings(abc_b="70", dormant_cap_days=30))
    assert bad.status_code == 400
    form = bad.context["form"]
    assert set(form.errors) == {"abc_b", "dormant_cap_days"}
    assert "B" in form.errors["abc_b"][0]
    assert AnalyticsSettings.current().abc_b == 95  # nothing saved
    good = head.post(reverse("analytics:settings"), _settings(basis="margin", abc_a="70"))
    assert good.status_code == 302
    saved = AnalyticsSettings.current()
    assert (saved.basis, saved.abc_a, saved.version, saved.updated_by) == ("margin", 70, 2, org.head)
    stale = head.post(reverse("analytics:settings"), _settings(abc_a="75"))  # still version 1
    assert stale.status_code == 409 and AnalyticsSettings.current().abc_a == 70
    assert stale.context["form"].data["version"] == 2  # armed: saving again is a deliberate overwrite


def test_a_new_run_uses_the_saved_settings(head, org):
    AnalyticsSettings.current()
    head.post(reverse("analytics:settings"), _settings(window_months=6, xyz_min_months=3))
    run = compute.run_now()
    assert run.params["settings"]["window_months"] == 6 and run.params["settings"]["xyz_min_months"] == 3
