"""The demo's managers' KPIs: the figures come from the demo's ledger, touches, requests, plans and analytics; the
head has published last month's contest ranking, so the ranking page shows a published one beside the live one."""

import datetime as dt

from django.utils import timezone

from orbit.kpi import periods, ranking
from orbit.kpi.models import PublishedRanking
from orbit.org.models import Role, User


def write_kpi(today: dt.date, now: dt.datetime) -> int:
    """Last month's ranking published by the head on the 3rd of this month (stamped so); the number of places."""
    head = User.objects.filter(roles__role=Role.HEAD, is_active=True).order_by("pk").first()
    if head is None:
        return 0
    last_month = periods.of(periods.MONTH, today).previous()
    published = ranking.publish(by=head, period=last_month, note="")
    moment = min(now, timezone.make_aware(dt.datetime.combine(today.replace(day=3), dt.time(10))))
    PublishedRanking.objects.filter(pk=published.pk).update(published_at=moment)
    return len(published.rows)
