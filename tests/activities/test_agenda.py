import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from orbit.activities import services
from orbit.activities.models import CalendarFeed, Touch, TouchStatus
from orbit.handoffs import covers
from tests.factories import make_account


@pytest.fixture
def day(org):
    """am_a: two overdue touches, one for today, one next week, a task due today; am_b has his own."""
    today = timezone.localdate()
    accounts = [make_account(org.head, org.am_a, tier="B", legal_name=f"ООО «Клиент {n}»") for n in range(4)]
    for account, offset in zip(accounts, (-9, -2, 0, 6), strict=True):
        Touch.objects.create(account=account, owner=org.am_a, planned_for=today + dt.timedelta(days=offset))
    other = make_account(org.head, org.am_b, legal_name="ООО «Чужой»")
    Touch.objects.create(account=other, owner=org.am_b, planned_for=today)
    services.task_create(
        by=org.am_a, title="Акт сверки", assignee=org.am_a, due_on=today, account=accounts[0]
    )
    return accounts


@pytest.mark.clock
def test_the_day_shows_overdue_today_and_tasks(client, org, day, django_assert_max_num_queries):
    client.force_login(org.am_a)
    client.get(reverse("activities:agenda"))
    # 14 for the activities' own sections, + 2 for the registered deadlines (contracts, late deliveries)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("activities:agenda"))
    agenda = response.context["day"]
    assert [t.account.legal_name for t in agenda.overdue_touches.items] == [
        "ООО «Клиент 0»",
        "ООО «Клиент 1»",
    ]
    assert [t.account.legal_name for t in agenda.today_touches.items] == ["ООО «Клиент 2»"]
    assert [t.title for t in agenda.tasks.items] == ["Акт сверки"]
    assert "Чужой" not in response.content.decode()


def test_query_count_does_not_grow_with_the_backlog(client, org, day, django_assert_max_num_queries):
    today = timezone.localdate()
    for n in range(60):
        account = make_account(org.head, org.am_a)
        Touch.objects.create(account=account, owner=org.am_a, planned_for=today - dt.timedelta(days=n + 1))
        if n < 10:  # and tasks: each row reads its fields from the one query, none is fetched per row
            services.task_create(
                by=org.am_a, title=f"Задача {n}", assignee=org.am_a, due_on=today, account=account
            )
    client.force_login(org.am_a)
    client.get(reverse("activities:agenda"))
    with django_assert_max_num_queries(17):  # + 2: the registered deadlines (contracts, late deliveries)
        response = client.get(reverse("activities:agenda"))
    section = response.context["day"].overdue_touches
    assert (len(section.items), section.total, section.more) == (50, 62, 12)


def test_a_lead_opens_his_peoples_day_but_not_others(client, org, day):
    client.force_login(org.lead_a)
    response = client.get(reverse("activities:agenda"), {"person": org.am_a.pk})
    assert response.context["day"].person == org.am_a
    assert len(response.context["day"].overdue_touches.items) == 2
    assert client.get(reverse("activities:agenda"), {"person": org.am_b.pk}).status_code == 404
    team = client.get(reverse("activities:agenda")).context["team"]
    assert {(row.person.username, row.overdue_touches, row.today_touches) for row in team} >= {("am_a", 2, 1)}
    client.force_login(org.am_a)
    assert client.get(reverse("activities:agenda"), {"person": org.am_a1.pk}).status_code == 404


@pytest.mark.clock
def test_a_deputy_gets_the_absent_managers_day(client, org, day):
    today = timezone.localdate()
    covers.cover_create(
        by=org.lead_a,
        owner=org.am_a,
        deputy=org.am_a1,
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        reason="vacation",
    )
    client.force_login(org.am_a1)
    agenda = client.get(reverse("activities:agenda")).context["day"]
    assert agenda.covering == [org.am_a]
    assert len(agenda.overdue_touches.items) == 2 and len(agenda.tasks.items) == 1


@pytest.mark.clock
def test_completing_from_the_agenda(client, org, day):
    touch = Touch.objects.get(account=day[2])
    client.force_login(org.am_a)
    response = client.post(
        reverse("activities:touch_complete", args=[touch.pk]),
        {"version": touch.version, "duration_minutes": 20, "outcome": "Договорились о встрече"},
    )
    assert response.status_code == 302
    touch.refresh_from_db()
    assert (touch.status, touch.duration_minutes, touch.outcome) == (
        TouchStatus.DONE,
        20,
        "Договорились о встрече",
    )
    # the same form posted again (a second tab) is refused, not logged twice
    client.post(reverse("activities:touch_complete", args=[touch.pk]), {"version": 1, "duration_minutes": 20})
    assert Touch.objects.filter(account=day[2], status=TouchStatus.DONE).count() == 1


@pytest.mark.clock
def test_quick_log_from_the_card_with_field_errors_in_russian(client, org, day):
    client.force_login(org.am_a)
    url = reverse("activities:touch_log", args=[day[3].pk])
    response = client.post(url, {"kind": "call", "duration_minutes": 0})
    assert response.status_code == 400
    assert "Убедитесь, что это значение больше либо равно 1." in response.content.decode()
    response = client.post(url, {"kind": "meeting", "duration_minutes": 90, "outcome": "Презентация"})
    assert response.status_code == 302
    panel = client.get(reverse("activities:account_panel", args=[day[3].pk])).content.decode()
    assert "Презентация" in panel
    timeline = client.get(reverse("accounts:history", args=[day[3].pk]), {"kind": "touch"}).content.decode()
    assert "Презентация" in timeline and "90" in timeline


@pytest.mark.clock
def test_ical_feed_is_secret_revocable_and_shows_the_day(client, org, day):
    client.force_login(org.am_a)
    response = client.post(reverse("activities:feed_create"), follow=True)
    text = next(str(m) for m in response.context["messages"])
    url = text[text.index("http") :]
    path = url.split("testserver", 1)[1]
    client.logout()
    feed = client.get(path)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    summaries = sorted(str(e["summary"]) for e in calendar.walk("VEVENT"))
    assert len(summaries) == 5  # four planned touches and the task
    assert any("Акт сверки" in s for s in summaries)
    assert CalendarFeed.objects.get(user=org.am_a).last_used_at is not None
    client.force_login(org.am_a)
    client.post(reverse("activities:feed_revoke"))
    assert client.get(path).status_code == 404


@pytest.mark.clock
def test_planning_from_the_card(client, org, day):
    client.force_login(org.am_a)
    url = reverse("activities:touch_plan", args=[day[3].pk])
    past = client.post(url, {"kind": "visit", "planned_for": "2020-01-01"})
    assert past.status_code == 400 and "нельзя запланировать на прошедший день" in past.content.decode()
    future = timezone.localdate() + dt.timedelta(days=3)
    assert (
        client.post(
            url, {"kind": "visit", "planned_for": future.isoformat(), "subject": "Аудит склада"}
        ).status_code
        == 302
    )
    assert Touch.objects.filter(account=day[3], planned_for=future, kind="visit").exists()


def test_a_task_names_a_contact_of_its_account_only(client, org, day):
    from orbit.accounts import services as account_services
    from orbit.activities.models import Task

    own = account_services.contact_create(by=org.am_a, account=day[0], full_name="Ирина Закупкина")
    other = account_services.contact_create(by=org.am_a, account=day[1], full_name="Пётр Чужой")
    client.force_login(org.am_a)
    url = reverse("activities:task_create")
    form = {"account": day[0].pk, "title": "Отправить КП", "assignee": org.am_a.pk, "due_on": "2030-01-10"}
    refused = client.post(url, {**form, "contact": other.pk})
    assert refused.status_code == 400 and "contact" in refused.context["form"].errors
    assert client.post(url, {**form, "contact": own.pk}).status_code == 302
    assert Task.objects.get(title="Отправить КП").contact == own
    assert "contact" not in client.get(url).context["form"].fields  # no account: no contact to pick
