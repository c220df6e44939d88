"""The bell, the list, marking read, following a link and the settings page: one's own only, in few queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.notifications.kinds import DEFAULT_CHANNELS, Channels, Kind
from orbit.notifications.models import Notification, NotificationPreference
from tests.factories import make_account


def _make(user, n, *, read=0, kind=Kind.TASK_DUE, **fields):
    """n notifications to the user, a minute apart (the last one newest); the first `read` of them read."""
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            title=f"Уведомление {i}",
            url=f"/tasks/{i}/",
            created_at=now - dt.timedelta(minutes=n - i),
            read_at=now if i < read else None,
            **fields,
        )
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


@pytest.fixture
def am(org, client):
    org.am_a.language = "en"  # the pages below are read in English; the bell is checked in Russian too
    org.am_a.save()
    client.force_login(org.am_a)
    return org.am_a


def test_bell_counts_my_unread_only(org, am, client, django_assert_max_num_queries):
    _make(am, 5, read=2)
    _make(org.am_b, 4)  # someone else's
    Notification.objects.create(recipient=am, kind=Kind.TASK_DUE, title="e-mail only", in_app=False)
    with django_assert_max_num_queries(4):  # session, user, access rules, count
        response = client.get(reverse("notifications:bell"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.context["unread"] == 3
    assert 'aria-label="Notifications: 3 unread"' in html and ">3</span>" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_bell_in_russian_and_when_all_is_read(org, am, client):
    am.language = "ru"
    am.save()
    _make(am, 1)
    assert (
        'aria-label="Уведомления: 1 непрочитанное"'
        in client.get(reverse("notifications:bell")).content.decode()
    )
    _make(am, 4)
    assert (
        'aria-label="Уведомления: 5 непрочитанных"'
        in client.get(reverse("notifications:bell")).content.decode()
    )
    Notification.objects.update(read_at=timezone.now())
    html = client.get(reverse("notifications:bell")).content.decode()
    assert 'aria-label="Уведомления: непрочитанных нет"' in html and "bell-count" not in html


def test_every_page_carries_the_bell_that_htmx_loads(am, client):
    html = client.get(reverse("notifications:list")).content.decode()
    assert f'hx-get="{reverse("notifications:bell")}"' in html
    assert 'hx-trigger="load, every 60s"' in html


def test_expired_session_leaves_the_bell_alone(client):
    assert client.get(reverse("notifications:bell"), headers={"HX-Request": "true"}).status_code == 204
    assert client.get(reverse("notifications:bell")).status_code == 302


def test_list_is_newest_first_paginated_and_highlights_unread(
    org, am, client, settings, django_assert_max_num_queries
):
    settings.ORBIT_PAGE_SIZE = 10
    _make(am, 23, read=20)  # 0..19 read, 20..22 unread and newest
    _make(org.am_b, 3)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"))
    page = response.context["page"]
    assert page.paginator.count == 23 and page.paginator.num_pages == 3
    assert [n.title for n in page.object_list][:4] == [
        "Уведомление 22",
        "Уведомление 21",
        "Уведомление 20",
        "Уведомление 19",
    ]
    html = response.content.decode()
    assert html.count('class="notif unread"') == 3 and html.count('class="notif"') == 7
    assert response.context["unread"] == 3
    last = client.get(reverse("notifications:list"), {"page": 3}).context["page"]
    assert [n.title for n in last.object_list] == ["Уведомление 2", "Уведомление 1", "Уведомление 0"]
    unread = client.get(reverse("notifications:list"), {"unread": "1"}).context["page"]
    assert [n.title for n in unread.object_list] == ["Уведомление 22", "Уведомление 21", "Уведомление 20"]


def test_list_query_count_does_not_grow_with_the_page(org, am, client, django_assert_max_num_queries):
    account = make_account(org.head, am)
    _make(am, 25, account=account)
    with django_assert_max_num_queries(6):
        client.get(reverse("notifications:list"))


def test_a_notification_about_an_account_i_no_longer_see_is_hidden(org, am, client):
    account = make_account(org.head, am)
    [about] = _make(am, 1, account=account)
    [general] = _make(am, 1)
    assert {n.pk for n in client.get(reverse("notifications:list")).context["page"].object_list} == {
        about.pk,
        general.pk,
    }
    account_services.account_reassign(by=org.head, account=account, manager=org.am_b, reason="reassignment")
    response = client.get(reverse("notifications:list"))
    assert [n.pk for n in response.context["page"].object_list] == [general.pk]
    assert response.context["unread"] == 1
    assert client.get(reverse("notifications:open", args=[about.pk])).status_code == 404


def test_opening_marks_read_and_follows_the_link(am, client):
    [n] = _make(am, 1)
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response.url == "/tasks/0/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_a_foreign_link_is_never_followed(am, client):
    [n] = _make(am, 1)
    Notification.objects.filter(pk=n.pk).update(url="https://evil.example.com/")
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.url == reverse("notifications:list")


def test_mark_one_read_keeps_the_first_reading_time(am, client):
    [n] = _make(am, 1)
    client.post(reverse("notifications:read", args=[n.pk]))
    n.refresh_from_db()
    first = n.read_at
    assert first is not None
    response = client.post(reverse("notifications:read", args=[n.pk]), {"next": "/notifications/?page=2"})
    assert response.url == "/notifications/?page=2"
    n.refresh_from_db()
    assert n.read_at == first


def test_someone_elses_notification_is_not_found(org, am, client):
    [theirs] = _make(org.am_b, 1)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_mine(org, am, client):
    _make(am, 3, read=1)
    _make(org.am_b, 2)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=am, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=org.am_b, read_at__isnull=True).count() == 2


def test_preferences_page_shows_defaults_and_saves_the_table(am, client):
    response = client.get(reverse("notifications:preferences"))
    html = response.content.decode()
    for kind in Kind:
        channels = DEFAULT_CHANNELS[kind]
        assert (f'name="{kind.value}-email" id="id_{kind.value}-email" checked' in html) == channels.email
    assert "has no e-mail address" in html  # am_a has none yet
    data = {f"{k.value}-in_app": "on" for k in Kind}
    del data[f"{Kind.TASK_DUE.value}-in_app"]
    data[f"{Kind.TASK_DUE.value}-email"] = "on"
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    saved = {p.kind: Channels(p.in_app, p.email) for p in NotificationPreference.objects.filter(user=am)}
    assert len(saved) == len(Kind)
    assert saved[Kind.TASK_DUE] == Channels(in_app=False, email=True)
    assert saved[Kind.SLA_BREACHED] == Channels(in_app=True, email=False)  # unticked: no e-mail


def test_profile_links_to_the_settings(am, client):
    assert reverse("notifications:preferences") in client.get(reverse("org:profile")).content.decode()
