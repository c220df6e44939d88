"""Issue 10, defect 2: when someone leaves an account's team, his open work there moves to the responsible
manager (or is cancelled when nobody can take it), in the same transaction, as a handoff moves it."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from orbit.accounts import team
from orbit.accounts.models import AccountStatus, TeamRole
from orbit.activities import services as activities
from orbit.activities.models import Task, TaskStatus, Touch, TouchStatus
from orbit.requests import services as requests
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, Priority, RequestType
from tests.factories import make_account, make_user


@pytest.fixture
def support(db):
    ensure_defaults()
    return Department.objects.get(code="support")


def _work(org, account, person, support):
    """A planned touch, an open task and a request he executes, all on `account`."""
    today = timezone.localdate()
    touch = Touch.objects.create(account=account, owner=person, planned_for=today + dt.timedelta(days=1))
    task = activities.task_create(by=person, title="Сверка", assignee=person, due_on=today, account=account)
    request = requests.request_create(
        by=org.head,
        account=account,
        request_type=RequestType.QUESTION,
        priority=Priority.NORMAL,
        department=support,
        subject="Вопрос по счёту",
        assignee=person,
    )
    done = Touch.objects.create(
        account=account, owner=person, status=TouchStatus.DONE, happened_at=timezone.now(), duration_minutes=5
    )
    return touch, task, request, done


def test_his_open_work_goes_to_the_responsible_manager(org, support):
    engineer = make_user("engineer", "account_manager")
    account = make_account(org.head, org.am_b)
    seat = team.team_member_add(by=org.am_b, account=account, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    touch, task, request, done = _work(org, account, engineer, support)
    elsewhere = make_account(org.head, engineer)  # his own account: nothing there moves
    own_touch = Touch.objects.create(account=elsewhere, owner=engineer, planned_for=timezone.localdate())

    team.team_member_end(by=org.am_b, member=seat)

    touch.refresh_from_db(), task.refresh_from_db(), request.refresh_from_db(), done.refresh_from_db()
    own_touch.refresh_from_db()
    assert (touch.owner, touch.status) == (org.am_b, TouchStatus.PLANNED)
    assert (task.assignee, task.status) == (org.am_b, TaskStatus.OPEN)
    assert request.assignee == org.am_b
    assert done.owner == engineer  # what he did stays his
    assert own_touch.owner == engineer


def test_nothing_moves_while_he_still_works_the_account(org, support):
    account = make_account(org.head, org.am_a)
    seat = team.team_member_add(by=org.head, account=account, user=org.lead_a, role=TeamRole.SUPPORT_ENGINEER)
    touch = Touch.objects.create(account=account, owner=org.lead_a, planned_for=timezone.localdate())
    team.team_member_end(by=org.head, member=seat)  # he leads am_a: he still works the account
    touch.refresh_from_db()
    assert touch.owner == org.lead_a


def test_with_nobody_to_take_it_his_work_is_cancelled(org, support):
    engineer = make_user("engineer")
    prospect = make_account(org.head, None, status=AccountStatus.PROSPECT)
    type(prospect).objects.filter(pk=prospect.pk).update(created_by=None)  # nobody owns it, nobody brought it
    seat = team.team_member_add(by=org.head, account=prospect, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    touch = Touch.objects.create(account=prospect, owner=engineer, planned_for=timezone.localdate())
    task = Task.objects.create(
        title="Сверка", assignee=engineer, due_on=timezone.localdate(), account=prospect, created_by=org.head
    )
    team.team_member_end(by=org.head, member=seat)
    touch.refresh_from_db(), task.refresh_from_db()
    assert touch.status == TouchStatus.CANCELLED and touch.version == 2
    assert task.status == TaskStatus.CANCELLED


def test_the_move_is_in_the_same_transaction_as_the_seat_ending(org, support, monkeypatch):
    engineer = make_user("engineer")
    account = make_account(org.head, org.am_b)
    seat = team.team_member_add(by=org.am_b, account=account, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    touch = Touch.objects.create(account=account, owner=engineer, planned_for=timezone.localdate())

    def broken(**kwargs):
        raise RuntimeError("the request area failed")

    from orbit.accounts import open_work

    monkeypatch.setattr(open_work, "_releasers", [*open_work._releasers, broken])
    with pytest.raises(RuntimeError), transaction.atomic():
        team.team_member_end(by=org.am_b, member=seat)
    seat.refresh_from_db(), touch.refresh_from_db()
    assert seat.ended_at is None and touch.owner == engineer
