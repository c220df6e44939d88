"""The requests list (filters, sorting, SLA filters, htmx, query count), the request page, the create form,
the account card's section, the timeline, and what moves with responsibility."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from orbit.accounts import ownership
from orbit.accounts.models import ChangeReason
from orbit.requests import selectors, services
from orbit.requests.models import Department, Priority, Request, RequestStatus, RequestType
from tests.factories import make_account
from tests.requests.conftest import msk

MONDAY_10 = msk(2026, 11, 23, 10, 0)


def _new(
    org,
    account,
    clock,
    *,
    by=None,
    priority=Priority.NORMAL,
    request_type=RequestType.QUESTION,
    dept="support",
    at=MONDAY_10,
    **kw,
):
    clock.set(at)
    return services.request_create(
        by=by or account.responsible_manager,
        account=account,
        request_type=request_type,
        priority=priority,
        department=Department.objects.get(code=dept),
        subject=kw.pop("subject", "Вопрос"),
        **kw,
    )


@pytest.fixture
def spread(org, clock):
    """Requests on accounts of both teams: a critical incident, a complaint to legal, a low question."""
    acct_a = make_account(org.head, org.am_a, legal_name="ООО «Альфа»")
    acct_b = make_account(org.head, org.am_b, legal_name="ООО «Бета»")
    return {
        "incident": _new(org, acct_a, clock, priority=Priority.CRITICAL, request_type=RequestType.INCIDENT),
        "complaint": _new(
            org, acct_a, clock, priority=Priority.HIGH, request_type=RequestType.COMPLAINT, dept="legal"
        ),
        "question": _new(org, acct_b, clock, priority=Priority.LOW),
    }


def _listed(client, **params):
    response = client.get(reverse("requests:list"), params)
    assert response.status_code == 200
    return [r.pk for r in response.context["page"].object_list]


def test_each_person_lists_the_requests_of_the_accounts_he_sees(org, spread, client, clock):
    ids = {k: r.pk for k, r in spread.items()}
    expected = {
        "head": {ids["incident"], ids["complaint"], ids["question"]},
        "auditor": {ids["incident"], ids["complaint"], ids["question"]},
        "lead_a": {ids["incident"], ids["complaint"]},
        "am_a": {ids["incident"], ids["complaint"]},
        "am_b": {ids["question"]},
        "am_a1": set(),
        "outsider": set(),
    }
    for persona, visible in expected.items():
        client.force_login(getattr(org, persona))
        assert set(_listed(client)) == visible, persona
        for key, pk in ids.items():
            status = client.get(reverse("requests:detail", args=[pk])).status_code
            assert status == (200 if pk in visible else 404), (persona, key)


def test_filters_and_sorting(org, spread, client, clock):
    client.force_login(org.head)
    ids = {k: r.pk for k, r in spread.items()}
    assert _listed(client, type="complaint") == [ids["complaint"]]
    assert _listed(client, priority="critical") == [ids["incident"]]
    legal = Department.objects.get(code="legal").pk
    assert _listed(client, department=legal) == [ids["complaint"]]
    assert _listed(client, sort="-priority") == [ids["incident"], ids["complaint"], ids["question"]]
    assert _listed(client, sort="due") == [ids["incident"], ids["complaint"], ids["question"]]
    services.request_change_status(
        by=org.am_a, request=spread["complaint"], status="in_progress", version=None
    )
    assert _listed(client, status="in_progress") == [ids["complaint"]]
    assert _listed(client, account=spread["question"].account_id) == [ids["question"]]
    client.force_login(org.am_a)
    assert set(_listed(client, mine="1")) == {ids["incident"], ids["complaint"]}


def test_overdue_and_near_breach_filters(org, spread, client, clock):
    # Mon 10:00 + critical 1 h answer / high 4 h answer / low 16 h answer.
    client.force_login(org.head)
    ids = {k: r.pk for k, r in spread.items()}
    clock.set(msk(2026, 11, 23, 11, 30))  # the incident's answer is overdue; the complaint's due in 2.5 h
    assert _listed(client, sla="overdue") == [ids["incident"]]
    assert set(_listed(client, sla="near")) == {ids["incident"], ids["complaint"]}
    # Answering stops the first-response clock: the incident's resolution (18:00) is 6.5 h away.
    services.request_comment(by=org.lead_a, request=spread["incident"], text="Занимаемся.")
    assert _listed(client, sla="overdue") == []
    assert _listed(client, sla="near") == [ids["complaint"]]
    # Waiting for the client stops the clocks altogether.
    services.request_change_status(
        by=org.am_a, request=spread["complaint"], status="in_progress", version=None
    )
    services.request_change_status(
        by=org.am_a, request=spread["complaint"], status="waiting_client", version=None
    )
    assert _listed(client, sla="near") == []


def test_open_requests_near_breach_for_the_agenda(org, spread, clock):
    clock.set(msk(2026, 11, 23, 11, 30))
    ids = {k: r.pk for k, r in spread.items()}
    assert [r.pk for r in selectors.open_requests_near_breach(org.am_a, 4)] == [
        ids["incident"],
        ids["complaint"],
    ]
    assert [r.pk for r in selectors.open_requests_near_breach(org.am_a, 1)] == [ids["incident"]]
    assert [r.sla_state for r in selectors.open_requests_near_breach(org.am_a, 4)] == ["overdue", "warning"]
    assert [r.pk for r in selectors.open_requests_near_breach(org.lead_a, 4)] == [
        ids["incident"],
        ids["complaint"],
    ]
    assert selectors.open_requests_near_breach(org.am_b, 4) == []
    # Low question: 16 h to answer from Mon 10:00 -> Tue 17:00; within 16 business hours of Mon 11:30 it is.
    assert [r.pk for r in selectors.open_requests_near_breach(org.am_b, 16)] == [ids["question"]]
    assert selectors.open_requests_near_breach(org.outsider, 100) == []


def test_list_page_runs_a_fixed_number_of_queries(org, client, clock, django_assert_max_num_queries):
    accounts = [make_account(org.head, m) for m in (org.am_a, org.am_a1, org.am_b) for _ in range(3)]
    for n, account in enumerate(accounts * 4):
        _new(
            org,
            account,
            clock,
            by=org.head,
            priority=list(Priority.values)[n % 4],
            assignee=org.head if n % 2 else None,
        )
    assert Request.objects.count() == 36
    for persona in ("head", "lead_a"):
        client.force_login(getattr(org, persona))
        with django_assert_max_num_queries(12):
            response = client.get(reverse("requests:list"), {"sla": "near"})
        with django_assert_max_num_queries(12):
            response = client.get(reverse("requests:list"), {"sort": "-priority"}, HTTP_HX_REQUEST="true")
        assert response.templates[0].name == "requests/_results.html"
        assert len(response.context["page"].object_list) == (36 if persona == "head" else 24)


def test_request_page_shows_the_clock(org, spread, client, clock):
    client.force_login(org.am_a)
    clock.set(msk(2026, 11, 23, 10, 15))
    response = client.get(reverse("requests:detail", args=[spread["incident"].pk]))
    assert float(response.context["hours_left"]) == 0.8
    assert response.context["item"].sla_state == "ok"
    clock.set(msk(2026, 11, 24, 9, 30))
    response = client.get(reverse("requests:detail", args=[spread["incident"].pk]))
    assert float(response.context["hours_left"]) == -7.5
    assert response.context["item"].sla_state == "overdue"
    page = response.content.decode()
    assert "sla-overdue" in page and "До первого ответа" in page


def test_the_auditor_reads_but_may_not_act(org, spread, client):
    client.force_login(org.auditor)
    pk = spread["incident"].pk
    page = client.get(reverse("requests:detail", args=[pk]))
    assert page.status_code == 200 and page.context["may_work"] is False
    assert client.post(reverse("requests:comment", args=[pk]), {"text": "x"}).status_code == 403
    assert client.post(reverse("requests:status", args=[pk]), {"status": "in_progress"}).status_code == 403
    assert client.get(reverse("requests:create")).status_code == 403
    assert not Request.objects.get(pk=pk).comments.exists()


def test_create_form_from_the_account_card(org, client, clock):
    account = make_account(org.head, org.am_a)
    client.force_login(org.am_a)
    card = client.get(reverse("requests:account_panel", args=[account.pk])).content.decode()
    assert f"{reverse('requests:create')}?account={account.pk}" in card
    form = client.get(reverse("requests:create"), {"account": account.pk})
    assert form.status_code == 200 and form.context["account"] == account
    clock.set(MONDAY_10)
    response = client.post(
        reverse("requests:create"),
        {
            "account": account.pk,
            "request_type": "complaint",
            "priority": "high",
            "department": Department.objects.get(code="logistics").pk,
            "subject": "Опоздала поставка",
            "description": "На два дня.",
        },
    )
    created = Request.objects.get()
    assert response.status_code == 302 and response.url == reverse("requests:detail", args=[created.pk])
    assert created.manager == org.am_a and created.received_at == MONDAY_10
    assert created.first_response_due == msk(2026, 11, 23, 14, 0)
    # Someone else's account: the form refuses it like an unknown one.
    other = make_account(org.head, org.am_b)
    response = client.post(
        reverse("requests:create"),
        {"account": other.pk, "request_type": "question", "priority": "low", "department": 1, "subject": "x"},
    )
    assert response.status_code == 200 and "account" in response.context["form"].errors
    assert client.get(reverse("requests:create"), {"account": other.pk}).status_code == 404
    assert Request.objects.count() == 1


def test_requests_are_on_the_account_timeline(org, clock):
    from orbit.accounts.history import account_timeline

    account = make_account(org.head, org.am_a)
    request = _new(org, account, clock, subject="Нужен акт")
    clock.set(MONDAY_10 + dt.timedelta(hours=2))
    services.request_change_status(by=org.am_a, request=request, status="in_progress", version=None)
    services.request_change_status(by=org.am_a, request=request, status="resolved", version=None)
    with translation.override("en"):
        events = account_timeline(account, kind="request")
    assert [e.title for e in events] == [
        f"Request №{request.pk} resolved",
        f"Request №{request.pk}: Нужен акт",
    ]
    assert events[0].changes[0].new == "SLA met"


def test_open_requests_follow_the_account_to_its_new_manager(org, clock):
    account = make_account(org.head, org.am_a)
    open_one = _new(org, account, clock)
    done = _new(org, account, clock)
    services.request_change_status(by=org.am_a, request=done, status="in_progress", version=None)
    services.request_change_status(by=org.am_a, request=done, status="resolved", version=None)
    ownership.transfer(account=account, manager=org.am_a1, by=org.head, reason=ChangeReason.REASSIGNMENT)
    assert Request.objects.get(pk=open_one.pk).manager == org.am_a1
    assert Request.objects.get(pk=done.pk).manager == org.am_a  # history stays with who handled it
    assert Request.objects.get(pk=done.pk).status == RequestStatus.RESOLVED
