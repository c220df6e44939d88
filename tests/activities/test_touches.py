import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from orbit.accounts import ownership
from orbit.accounts import services as account_services
from orbit.activities import services
from orbit.activities.models import Task, Touch, TouchSource, TouchStatus
from tests.clock import local
from tests.factories import make_account


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a, tier="A")


@pytest.mark.clock
def test_logging_a_touch_plans_the_next_by_the_cadence(org, account):
    when = timezone.now() - dt.timedelta(hours=2)
    touch = services.touch_log(
        by=org.am_a, account=account, happened_at=when, duration_minutes=30, outcome="ok"
    )
    assert (touch.status, touch.duration_minutes, touch.owner) == (TouchStatus.DONE, 30, org.am_a)
    planned = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    # tier A: every 30 days (the default rules of the migration)
    assert planned.planned_for == timezone.localtime(when).date() + dt.timedelta(days=30)
    assert (planned.source, planned.owner) == (TouchSource.CADENCE, org.am_a)


@pytest.mark.clock
def test_a_chosen_next_day_beats_the_cadence_and_the_due_planned_touch_is_closed(org, account):
    services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    next_on = timezone.localdate() + dt.timedelta(days=3)
    done = services.touch_log(
        by=org.am_a, account=account, duration_minutes=10, next_on=next_on, next_step="КП"
    )
    assert Touch.objects.filter(account=account).count() == 2  # the planned one became the done one
    planned = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    assert (planned.planned_for, planned.subject, planned.source) == (next_on, "КП", TouchSource.MANUAL)
    assert done.status == TouchStatus.DONE


@pytest.mark.clock
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"duration_minutes": None}, "duration_minutes"),
        ({"duration_minutes": 10, "happened_at": dt.timedelta(days=1)}, "happened_at"),  # from now
        ({"duration_minutes": 10, "next_on": dt.date(2020, 1, 1)}, "next_on"),
    ],
)
def test_bad_touches_are_refused_whole(org, account, fields, field):
    if isinstance(fields.get("happened_at"), dt.timedelta):  # "now" of the test's clock, not of its import
        fields = {**fields, "happened_at": timezone.now() + fields["happened_at"]}
    with pytest.raises(ValidationError) as error:
        services.touch_log(by=org.am_a, account=account, **fields)
    assert field in error.value.message_dict
    assert not Touch.objects.filter(account=account).exists()


def test_contacts_must_belong_to_the_account(org, account):
    other = make_account(org.head, org.am_a)
    stranger = account_services.contact_create(by=org.am_a, account=other, full_name="Чужой Контакт")
    with pytest.raises(ValidationError) as error:
        services.touch_log(by=org.am_a, account=account, duration_minutes=5, contacts=[stranger])
    assert "contacts" in error.value.message_dict
    assert not Touch.objects.exists()


def test_who_may_log(org, account):
    for person in (org.am_b, org.auditor, org.outsider):
        with pytest.raises(PermissionDenied):
            services.touch_log(by=person, account=account, duration_minutes=5)
    services.touch_log(by=org.lead_a, account=account, duration_minutes=5)  # his team's account
    assert Touch.objects.filter(account=account, status=TouchStatus.DONE).count() == 1


@pytest.mark.clock
def test_completing_a_stale_planned_touch_is_a_conflict(org, account):
    planned = services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    services.touch_complete(by=org.am_a, touch=planned, version=planned.version, duration_minutes=5)
    with pytest.raises(ValidationError, match="изменил кто-то другой"):
        services.touch_complete(by=org.lead_a, touch=planned, version=planned.version, duration_minutes=5)
    assert Touch.objects.filter(account=account, status=TouchStatus.DONE).count() == 1


@pytest.mark.clock
def test_reassignment_moves_planned_touches_and_open_tasks(org, account):
    services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate() + dt.timedelta(days=2))
    task = services.task_create(
        by=org.am_a,
        title="Выслать акт сверки",
        assignee=org.am_a,
        due_on=timezone.localdate(),
        account=account,
    )
    ownership.transfer(account=account, manager=org.am_a1, by=org.head, reason="reassignment")
    assert Touch.objects.get(account=account, status=TouchStatus.PLANNED).owner == org.am_a1
    task.refresh_from_db()
    assert task.assignee == org.am_a1


def test_cadence_planning_is_set_based_and_idempotent(org):
    today = dt.date(2026, 11, 23)
    key = make_account(org.head, org.am_a, tier="key")
    never = make_account(org.head, org.am_a, tier="C")
    prospect = make_account(org.head, None, tier="A", status="prospect")
    Touch.objects.create(
        account=key,
        owner=org.am_a,
        status=TouchStatus.DONE,
        happened_at=local(2026, 11, 1, 12),
        duration_minutes=20,
    )
    assert services.plan_cadence_touches(today=today) == 2
    planned = dict(Touch.objects.filter(status=TouchStatus.PLANNED).values_list("account_id", "planned_for"))
    assert planned == {key.pk: dt.date(2026, 11, 15), never.pk: today}  # key: 1 Nov + 14 days, overdue
    assert prospect.pk not in planned
    assert services.plan_cadence_touches(today=today) == 0


def test_task_rules(org, account):
    with pytest.raises(ValidationError) as error:
        services.task_create(
            by=org.am_a, title="x", assignee=org.am_b, due_on=timezone.localdate(), account=account
        )
    assert "assignee" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.task_create(
            by=org.am_a,
            title="x",
            assignee=org.am_a,
            due_on=timezone.localdate(),
            remind_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert "remind_at" in error.value.message_dict
    assert not Task.objects.exists()
    with pytest.raises(PermissionDenied):
        services.task_create(
            by=org.am_b, title="x", assignee=org.am_b, due_on=timezone.localdate(), account=account
        )


def test_a_task_on_a_request_lands_on_the_request_and_its_account(client, org, account):
    from django.urls import reverse

    from orbit.requests import services as request_services
    from orbit.requests.defaults import ensure_defaults
    from orbit.requests.models import Department

    ensure_defaults()
    complaint = request_services.request_create(
        by=org.am_a,
        account=account,
        request_type="complaint",
        priority="normal",
        department=Department.objects.get(code="accounting"),
        subject="Ошибка в счёте",
    )
    client.force_login(org.am_a)
    url = reverse("activities:task_create")
    assert "Ошибка в счёте" in client.get(url, {"request": complaint.pk}).content.decode()
    response = client.post(
        url,
        {
            "request": complaint.pk,
            "title": "Выставить корректировку",
            "assignee": org.am_a.pk,
            "due_on": "2030-01-10",
        },
    )
    assert response.status_code == 302 and response.url == reverse("requests:detail", args=[complaint.pk])
    task = Task.objects.get()
    assert (task.request, task.account) == (complaint, account)
    assert "Выставить корректировку" in client.get(response.url).content.decode()
    client.force_login(org.am_b)  # cannot see the account: the request is not found
    assert client.get(url, {"request": complaint.pk}).status_code == 404


def test_task_reminder_tells_the_assignee_once_unless_closed_or_moved(org, account):
    from orbit.activities.reminders import remind_task
    from orbit.notifications.models import Notification

    remind_at = timezone.now() + dt.timedelta(hours=2)
    task = services.task_create(
        by=org.lead_a,
        title="Позвонить ЛПР",
        assignee=org.am_a,
        due_on=timezone.localdate(),
        account=account,
        remind_at=remind_at,
    )
    assert Notification.objects.filter(recipient=org.am_a, kind="task_assigned").count() == 1
    assert remind_task.call(task.pk, remind_at.isoformat()) is True
    assert Notification.objects.filter(recipient=org.am_a, kind="task_due").count() == 1
    moved = remind_at + dt.timedelta(days=1)
    Task.objects.filter(pk=task.pk).update(remind_at=moved)
    assert remind_task.call(task.pk, remind_at.isoformat()) is False  # the old reminder is stale
    services.task_complete(by=org.am_a, task=Task.objects.get(pk=task.pk))
    assert remind_task.call(task.pk, moved.isoformat()) is False  # done: nothing to remind


def test_the_reminder_is_queued_for_its_moment(org, account, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from tests.worker import use_database_tasks

    use_database_tasks(settings)
    remind_at = timezone.now() + dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_create(
            by=org.am_a, title="Сверка", assignee=org.am_a, due_on=timezone.localdate(), remind_at=remind_at
        )
    queued = DBTaskResult.objects.get(task_path="orbit.activities.reminders.remind_task")
    assert queued.run_after == remind_at


# --- the asked next touch is planned or the answer says why (issue 10, defect 4) ---------------------------


def test_an_asked_next_touch_moves_the_cadence_one_instead_of_being_dropped(org, account):
    first = services.touch_log(by=org.am_a, account=account, duration_minutes=10)
    automatic = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    assert automatic.source == TouchSource.CADENCE and first.next_plan.planned == automatic
    next_on = timezone.localdate() + dt.timedelta(days=2)
    done = services.touch_log(
        by=org.am_a, account=account, duration_minutes=5, next_on=next_on, next_step="КП"
    )
    planned = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    assert planned.pk == automatic.pk
    assert (planned.planned_for, planned.subject, planned.source) == (next_on, "КП", TouchSource.MANUAL)
    assert done.next_plan.moved_from == automatic.planned_for
    assert "перенесено" in done.next_plan.message


def test_an_asked_next_touch_is_planned_beside_a_hand_planned_one_which_is_named(org, account):
    later = timezone.localdate() + dt.timedelta(days=10)
    kept = services.touch_plan(by=org.am_a, account=account, planned_for=later, subject="Подписать договор")
    next_on = timezone.localdate() + dt.timedelta(days=3)
    done = services.touch_log(
        by=org.am_a, account=account, duration_minutes=5, next_on=next_on, next_step="КП"
    )
    planned = set(
        Touch.objects.filter(account=account, status=TouchStatus.PLANNED).values_list(
            "planned_for", "subject"
        )
    )
    assert planned == {(later, "Подписать договор"), (next_on, "КП")}
    assert done.next_plan.existing == kept
    assert (
        "Подписать договор" in done.next_plan.message and later.strftime("%d.%m.%Y") in done.next_plan.message
    )


def test_the_same_day_already_planned_is_not_doubled_and_the_answer_says_so(org, account):
    day = timezone.localdate() + dt.timedelta(days=4)
    services.touch_plan(by=org.am_a, account=account, planned_for=day, subject="Звонок")
    done = services.touch_log(by=org.am_a, account=account, duration_minutes=5, next_on=day)
    assert Touch.objects.filter(account=account, status=TouchStatus.PLANNED).count() == 1
    assert done.next_plan.planned is None and done.next_plan.message


def test_the_touch_form_says_what_became_of_the_next_touch(client, org, account):
    later = timezone.localdate() + dt.timedelta(days=10)
    services.touch_plan(by=org.am_a, account=account, planned_for=later, subject="Подписать договор")
    next_on = timezone.localdate() + dt.timedelta(days=3)
    client.force_login(org.am_a)
    response = client.post(
        f"/agenda/accounts/{account.pk}/touch/",
        {"kind": "call", "duration_minutes": 5, "next_on": next_on.isoformat(), "next_step": "КП"},
        follow=True,
    )
    assert response.status_code == 200
    text = [str(m) for m in response.context["messages"]]
    assert any("Подписать договор" in m for m in text), text
    assert Touch.objects.filter(account=account, status=TouchStatus.PLANNED, planned_for=next_on).exists()
