"""apply(run) in the run's transaction and notify(run) after it, as the engine calls them,
on test_compute's hand-computed world: the dormant accounts get a case and the status, the one that buys again
is reactivated by the incremental run, and the manager hears of it once per run."""

from orbit.accounts.models import Account
from orbit.analytics import compute
from orbit.analytics.models import AccountMetrics, ReactivationCase, RunKind, SegmentChange
from orbit.notifications.models import Notification
from tests.analytics.test_compute import AS_OF, world  # noqa: F401 — the hand-computed world


def test_the_engine_then_the_queue(world):  # noqa: F811
    full = compute.run_now(as_of=AS_OF)
    dormant = set(AccountMetrics.objects.filter(is_dormant=True).values_list("account_id", flat=True))
    assert dormant == set(
        SegmentChange.objects.filter(run=full, kind="dormant").values_list("account_id", flat=True)
    )
    once = world.accounts["once"]
    assert once.pk in dormant  # one purchase on 2026-01-10: 329 days of silence
    assert set(ReactivationCase.objects.filter(status="open").values_list("account_id", flat=True)) == dormant
    assert set(Account.objects.filter(status="dormant").values_list("pk", flat=True)) == dormant
    assert Notification.objects.filter(kind="analytics_changes").count() == 1  # am_a owns them all

    world.buy("once", AS_OF, "400")
    run = compute.run_now(kind=RunKind.INCREMENTAL, as_of=AS_OF)
    case = ReactivationCase.objects.get(account=once)
    assert (case.status, case.closed_on) == ("reactivated", AS_OF)
    once.refresh_from_db()
    assert once.status == "reactivated"
    assert once.history.first().history_change_reason == f"orbit-analytics:{run.pk}:awake:{AS_OF.isoformat()}"
    assert Notification.objects.filter(kind="analytics_changes").count() == 2  # one per run
