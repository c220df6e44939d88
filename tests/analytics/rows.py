"""Analytics rows written straight to the tables (no computation): for tests of the pages, the API and the
scoping matrices, which ask what a reader sees, not how the figures were computed."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from orbit.analytics.models import (
    AccountMetrics,
    AnalyticsRun,
    ReactivationCase,
    RunStatus,
    SegmentChange,
)


def done_run(as_of: dt.date | None = None, **fields) -> AnalyticsRun:
    now = timezone.now()
    fields.setdefault("status", RunStatus.DONE)
    return AnalyticsRun.objects.create(
        as_of=as_of or timezone.localdate(), started_at=now, finished_at=now, **fields
    )


def metrics(account, run: AnalyticsRun, **fields) -> AccountMetrics:
    values = {
        "as_of": run.as_of,
        "window_revenue": Decimal("1000.00"),
        "window_margin": Decimal("300.00"),
        "margin_to_date": Decimal("900.00"),
        "revenue_to_date": Decimal("3000.00"),
    }
    values.update(fields)
    row, _ = AccountMetrics.objects.update_or_create(account=account, defaults={"run": run, **values})
    return row


def analytics_rows(account, *, by) -> SimpleNamespace:
    """One row of every account-linked analytics model on `account`."""
    run = AnalyticsRun.objects.filter(status=RunStatus.DONE).first() or done_run()
    day = run.as_of
    row = metrics(account, run, abc="A", xyz="X", rfm_segment="champion", recency=5, frequency=5, monetary=5)
    change = SegmentChange.objects.create(account=account, run=run, on=day, kind="abc", old="B", new="A")
    case = ReactivationCase.objects.create(
        account=account, manager=account.responsible_manager or by, opened_on=day, created_by=by
    )
    return SimpleNamespace(run=run, metrics=row, change=change, case=case)
