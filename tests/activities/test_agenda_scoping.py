"""Defect 2 of issue 10: the agenda (`?person=`) and the iCal feed read through the visibility policy, not by
owner. A manager removed from an account team, and his lead who never saw that account, do not see its name."""

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from orbit.accounts import team
from orbit.accounts.models import AccountTeamMember, TeamRole
from orbit.activities import services
from orbit.activities.models import CalendarFeed, Touch
from tests.factories import make_account

SECRET = "ООО «Секретный клиент»"


@pytest.fixture
def seat(org):
    """am_a (team A, lead_a) sits on the team of an account of team B's am_b, with a touch and a task there."""
    account = make_account(org.head, org.am_b, legal_name=SECRET)
    member = team.team_member_add(by=org.head, account=account, user=org.am_a, role=TeamRole.SUPPORT_ENGINEER)
    today = timezone.localdate()
    Touch.objects.create(account=account, owner=org.am_a, planned_for=today, subject="Созвон")
    services.task_create(by=org.am_a, title="Сверка", assignee=org.am_a, due_on=today, account=account)
    return member


def _left_behind(member):
    """The seat ends without its work moving (data written before the move existed)."""
    AccountTeamMember.objects.filter(pk=member.pk).update(ended_at=timezone.now())


def _feed(client, user) -> str:
    raw = "t" * 40
    CalendarFeed.objects.create(user=user, token_hash=CalendarFeed.hash(raw))
    response = client.get(reverse("activities:ical", args=[raw]))
    assert response.status_code == 200
    return " ".join(str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT"))


def test_the_member_sees_the_account_on_his_day_while_he_sits_on_its_team(client, org, seat):
    client.force_login(org.am_a)
    assert SECRET in client.get(reverse("activities:agenda")).content.decode()


def test_his_lead_who_never_saw_the_account_does_not_see_its_name(client, org, seat):
    client.force_login(org.lead_a)
    page = client.get(reverse("activities:agenda"), {"person": org.am_a.pk})
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    team_page = client.get(reverse("activities:agenda"))
    assert SECRET not in team_page.content.decode()


def test_a_manager_removed_from_the_team_no_longer_sees_its_name_on_his_day(client, org, seat):
    _left_behind(seat)
    client.force_login(org.am_a)
    page = client.get(reverse("activities:agenda")).content.decode()
    assert SECRET not in page
    client.force_login(org.lead_a)
    assert SECRET not in client.get(reverse("activities:agenda"), {"person": org.am_a.pk}).content.decode()


def test_the_ical_feed_reads_through_the_policy(client, org, seat):
    assert "Секретный клиент" in _feed(client, org.am_a)
    _left_behind(seat)
    CalendarFeed.objects.filter(user=org.am_a).delete()
    assert "Секретный клиент" not in _feed(client, org.am_a)
