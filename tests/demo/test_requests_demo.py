import datetime as dt

from django.db.models import F

from orbit.demo import generator
from orbit.demo import requests as requests_demo
from orbit.requests.models import Escalation, Request, RequestComment, RequestStatus, RequestType
from orbit.requests.selectors import mark_sla_state
from orbit.requests.sla import business_hours_left


def _snapshot():
    return list(
        Request.objects.order_by("id").values_list(
            "account__inn",
            "request_type",
            "priority",
            "status",
            "received_at",
            "resolution_due",
            "escalation_level",
        )
    )


def test_demo_requests_span_two_years_with_complaints_breaches_and_open_ones(db, time_machine):
    today = dt.date(2026, 11, 23)
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    # Seeded on that day: the SLA checks the immediate task backend runs are those due by the real clock, and
    # a week later every request still open on 23 November had been escalated (no "ok" one was left).
    time_machine.move_to(now)
    report = generator.seed(accounts=300, seed=1, today=today)
    assert report.requests == Request.objects.count() > 300
    assert not Request.objects.filter(received_at__gt=now).exists()
    oldest = Request.objects.order_by("received_at").first().received_at.date()
    assert (today - oldest).days > 600
    assert Request.objects.filter(request_type=RequestType.COMPLAINT).count() > 30
    finished = Request.objects.filter(resolved_at__isnull=False)
    late = finished.filter(resolved_at__gt=F("resolution_due"))
    assert 0.05 < late.count() / finished.count() < 0.3
    assert not late.filter(escalation_level=Escalation.NONE).exists()  # every late one was escalated
    assert Request.objects.filter(escalation_level=Escalation.HEAD).exists()
    # Each request is the responsible manager's of its day, and its answers are stamped by someone else.
    from orbit.accounts.ownership import responsible_on

    for r in Request.objects.select_related("account")[:40]:
        assert responsible_on(r.account, r.received_at) == r.manager
    answered = RequestComment.objects.select_related("request")[:40]
    assert all(c.author_id != c.request.created_by_id for c in answered)
    assert all(c.minutes_spent in requests_demo.WORK_MINUTES for c in answered)  # the answer's time is logged
    # Today: open ones, some overdue and escalated, some near breach (85-95 % of the answer time used).
    open_ = list(Request.objects.filter(status__in=[RequestStatus.NEW, RequestStatus.IN_PROGRESS]))
    mark_sla_state(open_, now)
    states = {r.sla_state for r in open_}
    assert {"overdue", "warning", "ok"} <= states
    near = [r for r in open_ if r.first_responded_at is None and r.first_response_due > now]
    assert any(
        0 < business_hours_left(r, now) <= 0.3 * float(r.sla_policy.first_response_hours) for r in near
    )
    assert all(r.escalation_level for r in open_ if r.sla_state == "overdue")


def test_demo_requests_are_deterministic(db):
    today = dt.date(2026, 11, 23)
    generator.seed(accounts=120, seed=5, today=today)
    first = _snapshot()
    generator.reset_database()
    generator.seed(accounts=120, seed=5, today=today)
    assert _snapshot() == first and first
