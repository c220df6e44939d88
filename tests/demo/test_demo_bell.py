"""The demo's bell (issue 10, defect 5): realistic notifications from the demo's handoffs, covers and requests,
each in its reader's language, in the past, some read and some unread."""

import datetime as dt

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from orbit.demo.generator import SIZES, reset_database, seed
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification

TODAY = dt.date(2026, 1, 15)
NOON = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = seed(accounts=SIZES["small"], seed=3, today=TODAY)
        yield report
        reset_database()


@pytest.mark.django_db
def test_the_bell_shows_handoffs_covers_and_requests_of_the_last_weeks(demo):
    assert demo.notifications == Notification.objects.count() > 0
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {Kind.HANDOFF_STARTED, Kind.HANDOFF_DECIDED, Kind.COVER_STARTED, Kind.COVER_ENDED} <= kinds
    assert Kind.REQUEST_ASSIGNED in kinds or Kind.SLA_BREACHED in kinds


@pytest.mark.django_db
def test_never_later_than_now_nothing_left_to_e_mail(demo):
    assert not Notification.objects.filter(created_at__gt=NOON).exists()
    assert not Notification.objects.filter(read_at__gt=NOON).exists()
    assert not Notification.objects.filter(read_at__lt=F("created_at")).exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()  # the worker sends nothing old


@pytest.mark.django_db
def test_some_read_some_unread_for_the_people_who_sign_in(demo):
    per_person = Notification.objects.values("recipient__username").annotate(
        unread=Count("pk", filter=Q(read_at__isnull=True)), read=Count("pk", filter=Q(read_at__isnull=False))
    )
    people = {row["recipient__username"]: row for row in per_person}
    assert sum(row["unread"] for row in people.values()) > 0
    assert sum(row["read"] for row in people.values()) > 0
    assert people["am1"]["read"] + people["am1"]["unread"] > 0  # the diligent manager's bell is not empty


@pytest.mark.django_db
def test_in_the_reader_s_language(demo):
    from orbit.org.models import User

    user = User.objects.get(username="am2")  # covered Анна Смирнова in the demo
    ended = Notification.objects.get(recipient=user, kind=Kind.COVER_ENDED)
    assert ended.title.startswith("Замещение закончилось")
