"""Status flow, concurrent edits, comments and the first response, assignment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from orbit.accounts import team
from orbit.accounts.models import TeamRole
from orbit.common.errors import ConflictError
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.org.models import User
from orbit.requests import services
from orbit.requests.models import Priority, Request, RequestStatus, RequestType
from tests.factories import make_user
from tests.requests.conftest import msk


@pytest.fixture
def request_(org, account, support, clock):
    clock.set(msk(2026, 11, 23, 10, 0))
    return services.request_create(
        by=org.am_a,
        account=account,
        request_type=RequestType.COMPLAINT,
        priority=Priority.HIGH,
        department=support,
        subject="Пришла не та партия",
        description="Вместо 200 коробок пришло 180.",
    )


def _move(org, request, status, **kwargs):
    if status == "resolved":
        kwargs.setdefault("comment", "Решено.")  # the fixture's request is a complaint: it says how
    return services.request_change_status(
        by=org.am_a, request=request, status=status, version=kwargs.pop("version", None), **kwargs
    )


def test_the_full_flow_with_a_reopening(org, request_, clock):
    assert request_.status == RequestStatus.NEW and request_.manager == org.am_a
    clock.set(msk(2026, 11, 23, 11, 0))
    r = _move(org, request_, "in_progress")
    clock.set(msk(2026, 11, 23, 15, 0))
    r = _move(org, r, "resolved", comment="Довезли 20 коробок.")
    assert r.resolved_at == msk(2026, 11, 23, 15, 0)
    # The manager registered it himself: his own moves are no answer from the company (the page's hint).
    assert r.first_responded_at is None
    with pytest.raises(ValidationError) as error:
        _move(org, r, "in_progress")
    assert list(error.value.message_dict) == ["comment"]  # a reopening says why
    r = _move(org, r, "in_progress", comment="Клиент пересчитал: не хватает ещё 5 коробок.")
    assert r.resolved_at is None and r.comments.count() == 2
    r = _move(org, r, "resolved", comment="Довезли ещё 5.")
    r = _move(org, r, "closed")
    assert r.closed_at is not None
    rows = list(r.history.order_by("history_date", "history_id").values_list("status", "history_user_id"))
    # Created + five changes, each attributed; reopened, the first response nobody but the registrar has given
    # is overdue, and its escalation is saved too (by the SLA check, no user).
    assert rows == [
        ("new", org.am_a.pk),
        ("in_progress", org.am_a.pk),
        ("resolved", org.am_a.pk),
        ("in_progress", org.am_a.pk),
        ("in_progress", None),
        ("resolved", org.am_a.pk),
        ("closed", org.am_a.pk),
    ]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), "resolved"),
        ((), "closed"),
        (("in_progress",), "new"),
        (("in_progress", "resolved", "closed"), "in_progress"),
    ],
)
def test_impossible_transitions_are_refused(org, request_, path, target):
    r = request_
    for step in path:
        r = _move(org, r, step)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _move(org, r, target)
    assert list(error.value.message_dict) == ["status"]
    assert Request.objects.get(pk=r.pk).status == r.status


def test_a_concurrent_change_is_a_conflict_not_an_overwrite(org, request_):
    seen = request_.version
    _move(org, request_, "in_progress", version=seen)  # someone else moved it first
    with translation.override("en"), pytest.raises(ConflictError) as error:
        services.request_change_status(by=org.lead_a, request=request_, status="in_progress", version=seen)
    assert "Someone else changed this request" in error.value.messages[0]
    assert "In progress" in error.value.messages[0]
    with pytest.raises(ConflictError):
        services.request_assign(by=org.lead_a, request=request_, assignee=org.lead_a, version=seen)
    fresh = Request.objects.get(pk=request_.pk)
    assert fresh.status == RequestStatus.IN_PROGRESS and fresh.assignee is None and fresh.version == seen + 1


def test_the_status_page_answers_a_conflict_with_409(org, request_, client):
    client.force_login(org.lead_a)
    url = reverse("requests:status", args=[request_.pk])
    assert client.post(url, {"status": "in_progress", "version": request_.version}).status_code == 302
    response = client.post(url, {"status": "waiting_client", "version": request_.version})
    assert response.status_code == 409
    assert Request.objects.get(pk=request_.pk).status == RequestStatus.IN_PROGRESS


def test_the_first_comment_of_someone_else_is_the_first_response(org, request_, clock):
    clock.set(msk(2026, 11, 23, 10, 20))
    services.request_comment(by=org.am_a, request=request_, text="Уточняю у склада.")
    request_.refresh_from_db()
    assert request_.first_responded_at is None  # the manager who registered it talks to himself
    clock.set(msk(2026, 11, 23, 12, 40))
    services.request_comment(by=org.lead_a, request=request_, text="Склад подтвердил недовоз.")
    clock.set(msk(2026, 11, 23, 13, 0))
    services.request_comment(by=org.lead_a, request=request_, text="Отправляем 20 коробок.")
    request_.refresh_from_db()
    assert request_.first_responded_at == msk(2026, 11, 23, 12, 40)
    # The manager is told of the lead's comments; nobody of his own.
    assert Notification.objects.filter(kind=Kind.REQUEST_COMMENT, recipient=org.am_a).count() == 2
    assert not Notification.objects.filter(kind=Kind.REQUEST_COMMENT, recipient=org.lead_a).exists()


def test_time_spent_is_logged_with_a_comment_within_a_day(org, request_):
    logged = services.request_comment(
        by=org.lead_a, request=request_, text="Разобрал накладные.", minutes_spent=90
    )
    assert logged.minutes_spent == 90
    assert services.request_comment(by=org.lead_a, request=request_, text="Без учёта").minutes_spent is None
    for wrong in (0, 24 * 60 + 1):
        with translation.override("en"), pytest.raises(ValidationError) as error:
            services.request_comment(by=org.lead_a, request=request_, text="x", minutes_spent=wrong)
        assert error.value.message_dict["minutes_spent"] == [
            "Time spent is from 1 minute to 1440 minutes (a day)."
        ]
    assert list(request_.comments.values_list("minutes_spent", flat=True)) == [90, None]


def test_assignment_needs_someone_who_sees_the_account(org, request_):
    engineer = make_user("engineer")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_assign(by=org.am_a, request=request_, assignee=engineer, version=None)
    assert error.value.message_dict["assignee"][0].startswith("Engineer cannot see this account.")
    team.team_member_add(by=org.head, account=request_.account, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    engineer = User.objects.get(pk=engineer.pk)  # a fresh instance: what he may see is read once per instance
    r = services.request_assign(by=org.am_a, request=request_, assignee=engineer, version=None)
    assert r.assignee == engineer
    assert Notification.objects.filter(kind=Kind.REQUEST_ASSIGNED, recipient=engineer).count() == 1
    # The executor works the request: comments and moves it.
    services.request_comment(by=engineer, request=r, text="Принял.")
    services.request_change_status(by=engineer, request=r, status="in_progress", version=None)


def test_creation_tells_the_manager_and_the_executor(org, account, support, clock):
    clock.set(msk(2026, 11, 23, 10, 0))
    r = services.request_create(
        by=org.lead_a,
        account=account,
        request_type=RequestType.DOCUMENTS,
        priority=Priority.LOW,
        department=support,
        subject="Акт сверки за III квартал",
        assignee=org.am_a,
    )
    assert r.manager == org.am_a and r.created_by == org.lead_a
    told = Notification.objects.filter(kind=Kind.REQUEST_ASSIGNED)
    assert list(told.values_list("recipient__username", flat=True)) == ["am_a"]  # manager and executor: once


def test_bad_input_is_refused_field_by_field(org, account, support, clock):
    clock.set(msk(2026, 11, 23, 10, 0))
    other = services_contact(org)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_create(
            by=org.am_a,
            account=account,
            request_type="gossip",
            priority=Priority.LOW,
            department=support,
            subject="  ",
            contact=other,
            received_at=msk(2026, 11, 24, 10, 0),
        )
    assert set(error.value.message_dict) == {"request_type", "subject", "contact", "received_at"}
    assert not Request.objects.exists()


def services_contact(org):
    from orbit.accounts import services as account_services
    from tests.factories import make_account

    elsewhere = make_account(org.head, org.am_b)
    return account_services.contact_create(by=org.head, account=elsewhere, full_name="Чужой Контакт")


@pytest.mark.parametrize("persona", ["auditor", "am_b", "lead_b", "outsider"])
def test_those_who_may_not_work_the_account_change_nothing(org, request_, persona):
    user = getattr(org, persona)
    for action in (
        lambda: services.request_comment(by=user, request=request_, text="x"),
        lambda: services.request_change_status(by=user, request=request_, status="in_progress", version=None),
        lambda: services.request_assign(by=user, request=request_, assignee=None, version=None),
    ):
        with pytest.raises(PermissionDenied):
            action()
    fresh = Request.objects.get(pk=request_.pk)
    assert fresh.status == RequestStatus.NEW and fresh.version == request_.version
    assert not fresh.comments.exists()


def test_the_manager_hears_of_moves_others_make(org, request_):
    r = services.request_change_status(by=org.lead_a, request=request_, status="in_progress", version=None)
    services.request_change_status(by=org.am_a, request=r, status="waiting_client", version=None)
    told = Notification.objects.filter(kind=Kind.REQUEST_COMMENT)
    assert list(told.values_list("recipient__username", flat=True)) == ["am_a"]  # not of his own move
    assert told.get().title == f"Обращение №{r.pk} теперь «В работе» (Lead_A)"


def test_each_recipient_reads_the_notification_in_his_own_language(org, account, support, clock):
    org.am_a.language = "en"
    org.am_a.save()
    org.lead_a.language = "ru"
    org.lead_a.save()
    with translation.override("ru"):
        r = services.request_create(
            by=org.head,
            account=account,
            request_type=RequestType.COMPLAINT,
            priority=Priority.HIGH,
            department=support,
            subject="Брак",
            assignee=org.lead_a,
        )
    titles = dict(
        Notification.objects.filter(kind=Kind.REQUEST_ASSIGNED).values_list("recipient__username", "title")
    )
    assert titles == {
        "am_a": f"Request №{r.pk} (Complaint): Брак",
        "lead_a": f"Обращение №{r.pk} (Претензия): Брак",
    }


def test_a_new_priority_brings_its_rule_and_new_due_times(org, request_, clock):
    # High (4 h / 16 h) received Mon 23 Nov 2026 10:00 -> answer 14:00, resolution Tue 17:00.
    assert request_.first_response_due == msk(2026, 11, 23, 14, 0)
    old_due = request_.first_response_due.isoformat()
    clock.set(msk(2026, 11, 23, 10, 30))
    r = services.request_update(
        by=org.am_a, request=request_, version=request_.version, priority=Priority.CRITICAL
    )
    assert r.sla_policy.priority == Priority.CRITICAL
    assert (r.first_response_due, r.resolution_due) == (msk(2026, 11, 23, 11, 0), msk(2026, 11, 23, 18, 0))
    clock.set(msk(2026, 11, 23, 11, 5))
    from orbit.requests import sla
    from orbit.requests.tasks import check_sla

    assert check_sla.enqueue(r.pk, sla.FIRST_RESPONSE, sla.BREACH, old_due).return_value == "stale"
    new_due = r.first_response_due.isoformat()
    assert (
        check_sla.enqueue(r.pk, sla.FIRST_RESPONSE, sla.BREACH, new_due).return_value
        == "escalated to the lead"
    )
    # A second editor holding the old version gets a conflict and changes nothing.
    with pytest.raises(ConflictError):
        services.request_update(by=org.lead_a, request=r, version=request_.version, subject="Другое")
    assert Request.objects.get(pk=r.pk).subject == "Пришла не та партия"


def test_the_edit_page_saves_and_refuses_a_stale_version(org, request_, client):
    client.force_login(org.am_a)
    url = reverse("requests:edit", args=[request_.pk])
    form = {
        "request_type": "complaint",
        "priority": "low",
        "department": request_.department_id,
        "subject": "Недовоз 20 коробок",
        "description": "",
        "version": request_.version,
    }
    assert client.post(url, form).status_code == 302
    assert Request.objects.get(pk=request_.pk).priority == "low"
    response = client.post(url, {**form, "priority": "critical"})
    assert response.status_code == 409
    assert Request.objects.get(pk=request_.pk).priority == "low"


# --- the first response, the complaint's resolution, the timeline (issue 10, defect 7) ----------------------


def _friday_complaint(org, account, support, clock):
    # Friday 27 Nov 2026, 16:00 Moscow; high priority: first response in 4 business hours, resolution in 16
    # (Orbit's default rules), working day 9:00-18:00 (the default calendar).
    clock.set(msk(2026, 11, 27, 16, 0))
    return services.request_create(
        by=org.am_a,
        account=account,
        request_type=RequestType.COMPLAINT,
        priority=Priority.HIGH,
        department=support,
        subject="Недовоз",
    )


def test_the_registrar_s_own_status_changes_are_no_first_response(org, account, support, clock):
    from orbit.requests import sla

    r = _friday_complaint(org, account, support, clock)
    # By hand: Fri 16:00-18:00 is 2 h, Mon 30 Nov 9:00-11:00 the other 2 h.
    assert r.first_response_due == msk(2026, 11, 30, 11, 0)
    # Fri 2 h + Mon 9 h + Tue 1 Dec 9:00-14:00 5 h = 16 h.
    assert r.resolution_due == msk(2026, 12, 1, 14, 0)
    clock.set(msk(2026, 11, 27, 16, 10))
    r = _move(org, r, "in_progress")
    clock.set(msk(2026, 11, 30, 10, 0))
    r = _move(org, r, "waiting_client", comment="Записал, что клиент пришлёт накладную.")
    r.refresh_from_db()
    assert r.first_responded_at is None  # the registrar's own moves and notes
    r = _move(org, r, "in_progress")
    # Fri 2 h + Mon 1 h spent; the 0 h paused 10:00-10:00 moves nothing: 1 business hour left at 10:00.
    assert sla.business_hours_left(r, msk(2026, 11, 30, 10, 0)) == 1
    clock.set(msk(2026, 11, 30, 10, 30))
    services.request_change_status(
        by=org.lead_a, request=r, status="waiting_client", version=None, comment="Пришлите фото накладной."
    )
    r.refresh_from_db()
    assert r.first_responded_at == msk(2026, 11, 30, 10, 30)  # 3.5 business hours after it came in: met


def test_someone_else_resolving_is_the_first_response(org, account, support, clock):
    r = _friday_complaint(org, account, support, clock)
    _move(org, r, "in_progress")
    clock.set(msk(2026, 11, 30, 12, 0))
    r = services.request_change_status(
        by=org.lead_a, request=r, status="resolved", version=None, comment="Довезли 20 коробок."
    )
    assert r.first_responded_at == msk(2026, 11, 30, 12, 0)  # 5 business hours: late by one
    assert r.first_responded_at > r.first_response_due


def test_resolving_a_complaint_needs_how_it_was_resolved(org, account, support, clock, client):
    r = _friday_complaint(org, account, support, clock)
    r = _move(org, r, "in_progress")
    for language, text in (("ru", "Опишите, как решена претензия"), ("en", "Describe how the complaint")):
        with translation.override(language), pytest.raises(ValidationError) as error:
            _move(org, r, "resolved", comment="  ")
        assert error.value.message_dict["comment"][0].startswith(text)
    client.force_login(org.am_a)
    response = client.post(
        reverse("requests:status", args=[r.pk]), {"status": "resolved", "version": r.version, "comment": ""}
    )
    assert response.status_code == 400
    assert "Опишите, как решена претензия" in response.content.decode()
    assert Request.objects.get(pk=r.pk).status == RequestStatus.IN_PROGRESS


def test_status_changes_are_on_the_request_s_timeline(org, account, support, clock, client):
    r = _friday_complaint(org, account, support, clock)
    r = _move(org, r, "in_progress")
    services.request_comment(by=org.lead_a, request=r, text="Склад подтвердил.")
    r = services.request_change_status(
        by=org.lead_a, request=r, status="resolved", version=None, comment="Довезли."
    )
    client.force_login(org.am_a)
    html = client.get(reverse("requests:detail", args=[r.pk])).content.decode()
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    order = [
        timeline.index("Статус: Новое → В работе"),
        timeline.index("Склад подтвердил."),
        timeline.index("Статус: В работе → Решено"),
        timeline.index("Довезли."),
    ]
    assert order == sorted(order)
    assert f'id="status-{r.version}"' in timeline  # the link of the status notification lands here
