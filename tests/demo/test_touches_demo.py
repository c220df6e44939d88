import datetime as dt

from django.db.models import Count, Max, Sum

from orbit.activities.models import Touch, TouchStatus
from orbit.demo import generator
from orbit.org.models import User


def test_demo_touches_show_diligent_and_sloppy_managers_and_neglected_accounts(db):
    today = dt.date(2026, 11, 23)
    report = generator.seed(accounts=400, seed=1, today=today)
    assert report.touches > 1000 and report.tasks > 10
    done = Touch.objects.filter(status=TouchStatus.DONE)
    assert not done.filter(happened_at__date__gt=today).exists()
    assert not done.filter(duration_minutes__isnull=True).exists()
    per_account = done.values("account_id").annotate(last=Max("happened_at"))
    neglected = [row for row in per_account if (today - row["last"].date()).days > 180]
    assert neglected, "some accounts have not been touched for half a year"
    # each done touch belongs to the manager responsible on its day
    sample = done.select_related("account")[:50]
    from orbit.accounts.ownership import responsible_on

    assert all(responsible_on(t.account, t.happened_at) == t.owner for t in sample)
    # hours of work differ between the diligent am1 and the sloppy am11
    hours = dict(
        done.filter(owner__username__in=["am1", "am11"])
        .values_list("owner__username")
        .annotate(n=Count("id"), minutes=Sum("duration_minutes"))
        .values_list("owner__username", "n")
    )
    assert hours["am1"] > hours["am11"]
    assert Touch.objects.filter(status=TouchStatus.PLANNED, planned_for__lt=today).exists()  # overdue ones
    assert (
        User.objects.get(username="am13")
        .touches.filter(happened_at__date__gt=today - dt.timedelta(days=30))
        .count()
        == 0
    )


def test_demo_handoffs_in_every_state_and_holdings_with_national_managers(db):
    from orbit.accounts.models import AccountTeamMember, OwnershipPeriod, TeamRole
    from orbit.handoffs.models import Handoff, HandoffStatus

    generator.seed(accounts=400, seed=1, today=dt.date(2026, 11, 23))
    states = set(Handoff.objects.values_list("status", flat=True))
    assert states == set(HandoffStatus.values)
    # every accepted handoff is the ownership change it caused: same account, people and moment
    for handoff in Handoff.objects.filter(status__in=["accepted", "completed"])[:40]:
        period = OwnershipPeriod.objects.get(account=handoff.account, started_at=handoff.decided_at)
        assert (period.manager_id, period.reason) == (handoff.to_user_id, handoff.reason)
    nationals = AccountTeamMember.objects.filter(
        role=TeamRole.NATIONAL_ACCOUNT_MANAGER, ended_at__isnull=True
    )
    assert nationals.exists()
    assert all(seat.account.parent_id for seat in nationals.select_related("account"))
