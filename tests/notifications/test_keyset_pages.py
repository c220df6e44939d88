"""The notifications list pages by keyset (orbit/common/keyset.py), newest first with the id breaking ties:
next/previous/first/last walk every notification of one's own once, all of them or the unread only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from tests.factories import make_account
from tests.keyset_walk import assert_deep_pages_cost_as_the_first, cursor, link, walk


@pytest.fixture
def many(org, client, settings):
    """11 of am_a's notifications on pages of 4, made at four moments (ties across the pages' edges), the
    first five read; others' notifications and an e-mail-only one that the list never shows."""
    settings.ORBIT_PAGE_SIZE = 4
    org.am_a.language = "en"
    org.am_a.save()
    client.force_login(org.am_a)
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=org.am_a,
            kind=Kind.TASK_DUE,
            title=f"N{n}",
            created_at=now - dt.timedelta(minutes=n % 4),
            read_at=now if n < 5 else None,
        )
        for n in range(11)
    )
    Notification.objects.bulk_create(
        Notification(recipient=org.am_b, kind=Kind.TASK_DUE, title="theirs", created_at=now) for _ in range(3)
    )
    Notification.objects.create(recipient=org.am_a, kind=Kind.TASK_DUE, title="mail", in_app=False)
    return Notification.objects.filter(recipient=org.am_a, in_app=True)


def _in_order(rows) -> list[int]:
    return sorted(
        rows.values_list("pk", flat=True), key=lambda pk: (-rows.get(pk=pk).created_at.timestamp(), -pk)
    )


def test_next_and_previous_walk_every_notification_once_newest_first(client, many):
    forward = walk(client, "notifications:list", {}, None, "next")
    assert [pk for page in forward for pk in page] == _in_order(many)
    assert [len(page) for page in forward] == [4, 4, 3]
    assert walk(client, "notifications:list", {}, "last", "prev") == forward[::-1]


def test_the_unread_tab_pages_through_the_unread_only(client, many):
    forward = walk(client, "notifications:list", {"unread": "1"}, None, "next")
    assert [pk for page in forward for pk in page] == _in_order(many.filter(read_at__isnull=True))
    assert [len(page) for page in forward] == [4, 2]
    assert walk(client, "notifications:list", {"unread": "1"}, "last", "prev") == forward[::-1]
    response = client.get(reverse("notifications:list"), {"unread": "1"})
    assert link(response, "next").startswith("unread=1&page=")


def test_the_last_page_and_where_a_page_is(client, many):
    first = client.get(reverse("notifications:list"))
    assert "Page 1 of 3" in first.content.decode() and link(first, "last") == "page=last"
    last = client.get(reverse("notifications:list"), {"page": "last"})
    page = last.context["page"]
    assert page.number == 3 and [n.pk for n in page] == _in_order(many)[8:] and link(last, "next") is None
    assert "Page 3 of 3" in last.content.decode()
    old = client.get(reverse("notifications:list"), {"page": "2"}).context["page"]  # an old numbered link
    assert [n.pk for n in old] == _in_order(many)[4:8]


def test_a_tampered_cursor_opens_the_first_page(client, many):
    first = client.get(reverse("notifications:list"))
    token = cursor(first, "next")
    for forged in ["garbage", token[:-3] + "abc", token[3:]]:
        page = client.get(reverse("notifications:list"), {"page": forged}).context["page"]
        assert page.number == 1 and [n.pk for n in page] == _in_order(many)[:4]


def test_a_cursor_never_shows_another_persons_notifications(client, org, many):
    token = cursor(client.get(reverse("notifications:list")), "next")
    client.force_login(org.am_b)
    shown = [n.pk for n in client.get(reverse("notifications:list"), {"page": token}).context["page"]]
    theirs = set(Notification.objects.filter(recipient=org.am_b).values_list("pk", flat=True))
    assert set(shown) <= theirs


def test_a_notification_about_an_unseen_account_stays_hidden_on_every_page(client, org, many):
    hidden = Notification.objects.create(
        recipient=org.am_a, kind=Kind.TASK_DUE, title="about B", account=make_account(org.head, org.am_b)
    )
    pages = walk(client, "notifications:list", {}, None, "next")
    listed = [pk for page in pages for pk in page]
    assert hidden.pk not in listed and sorted(listed) == sorted(
        many.exclude(pk=hidden.pk).values_list("pk", flat=True)
    )


def test_a_deep_page_costs_the_same_queries_as_the_first(client, many, django_assert_max_num_queries):
    assert_deep_pages_cost_as_the_first(
        client, "notifications:list", {}, django_assert_max_num_queries, first_max=8
    )
