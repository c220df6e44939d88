"""The handoff page's steps (issue 10, defect 6): a refused step answers 400 on the page itself, with its
reason once and its block open; Accept waits for the earlier steps; the start form offers the right people."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from orbit.accounts.models import AccountStatus, ChangeReason
from orbit.handoffs import services
from orbit.handoffs.models import Handoff, HandoffKind, HandoffStatus, StepKind
from tests.factories import make_account


@pytest.fixture
def won(org):
    return make_account(org.sales, None, status=AccountStatus.PROSPECT, legal_name="ООО «Выигранный»")


@pytest.fixture
def handoff(org, won):
    return services.handoff_start(
        by=org.sales, account=won, to_user=org.am_a, kind=HandoffKind.FROM_SALES, promised="Поставка"
    )


def _as(client, user):
    client.force_login(user)
    return client


def test_a_brief_that_lacks_fields_names_them_once_and_marks_each(client, org, handoff):
    response = _as(client, org.sales).post(f"/handoffs/{handoff.pk}/steps/brief/")
    assert response.status_code == 400
    html = response.content.decode()
    summary = (
        "Заполните бриф, прежде чем отмечать его выполненным: "
        "Технический объём работ, Заинтересованные лица и их роли."
    )
    assert html.count(summary) == 1
    assert html.count("Технический объём работ") == 2  # named once, besides the field's own label
    marked = re.findall(r'<div class="field has-error[^"]*">\s*<label for="id_(\w+)"', html)
    assert marked == ["technical_scope", "stakeholders"]
    assert html.count("Обязательно для завершения брифа.") == 2
    assert "msg-error" not in html  # no flash message repeating it
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.DRAFT


def test_a_meeting_refused_keeps_its_block_open_with_the_error(client, org, handoff):
    met = timezone.localtime() + dt.timedelta(days=1)
    response = _as(client, org.sales).post(
        f"/handoffs/{handoff.pk}/steps/meeting/",
        {"meeting_at": met.strftime("%Y-%m-%dT%H:%M"), "meeting_outcome": "Познакомились"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<details class="action" open><summary>Отметить встречу', html)
    assert "Отметить встречу можно только после того, как она состоялась." in html


def test_a_cancellation_without_a_reason_stays_open_with_its_reason(client, org, handoff):
    response = _as(client, org.sales).post(f"/handoffs/{handoff.pk}/cancel/", {"comment": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<details class="action" id="cancel-handoff" open>' in html
    assert "Укажите причину" in html
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.DRAFT


def test_accept_is_disabled_until_the_earlier_steps_are_done_and_refused_with_400(client, org, handoff):
    page = _as(client, org.am_a).get(f"/handoffs/{handoff.pk}/").content.decode()
    button = re.search(r'<button[^>]*formaction="/handoffs/\d+/accept/"[^>]*>', page).group(0)
    assert "disabled" in button
    assert "Принятие ждёт:" in page

    response = client.post(f"/handoffs/{handoff.pk}/accept/", {"comment": "Беру"})
    assert response.status_code == 400
    assert "Сначала выполните этапы" in response.content.decode()
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.DRAFT

    services.handoff_update_brief(
        by=org.sales, handoff=handoff, version=None, technical_scope="SSO", stakeholders="ЛПР"
    )
    services.step_complete(by=org.sales, handoff=handoff, kind=StepKind.BRIEF)
    services.step_complete(by=org.am_a, handoff=handoff, kind=StepKind.JOIN_DEAL)
    services.step_complete(
        by=org.sales,
        handoff=handoff,
        kind=StepKind.MEETING,
        meeting_at=timezone.now() - dt.timedelta(hours=1),
        meeting_outcome="Познакомились",
    )
    page = client.get(f"/handoffs/{handoff.pk}/").content.decode()
    button = re.search(r'<button[^>]*formaction="/handoffs/\d+/accept/"[^>]*>', page).group(0)
    assert "disabled" not in button


def test_the_start_form_never_offers_the_owner_as_his_own_receiver(client, org):
    account = make_account(org.head, org.am_a)
    form = _as(client, org.am_a).get(f"/handoffs/new/{account.pk}/").context["form"]
    receivers = set(form.fields["to_user"].queryset)
    assert org.am_a not in receivers and org.am_b in receivers
    # An active client of an account manager moves between managers, for a reason other than "handoff".
    assert form.fields["kind"].initial == HandoffKind.BETWEEN_MANAGERS
    assert form.fields["reason"].initial == ChangeReason.REASSIGNMENT


def test_the_start_form_for_a_won_prospect_defaults_to_sales(client, org, won):
    form = _as(client, org.sales).get(f"/handoffs/new/{won.pk}/").context["form"]
    assert form.fields["kind"].initial == HandoffKind.FROM_SALES
    assert form.fields["reason"].initial == ChangeReason.HANDOFF
    assert org.sales not in set(form.fields["to_user"].queryset)


def test_a_dormant_account_is_not_offered_as_coming_from_sales(client, org):
    account = make_account(org.head, org.am_a, status=AccountStatus.DORMANT)
    form = _as(client, org.am_a).get(f"/handoffs/new/{account.pk}/").context["form"]
    assert [value for value, _label in form.fields["kind"].choices] == [HandoffKind.BETWEEN_MANAGERS]


def test_a_refused_start_answers_400(client, org):
    account = make_account(org.head, org.am_a)
    response = _as(client, org.am_a).post(
        f"/handoffs/new/{account.pk}/",
        {"to_user": org.am_b.pk, "kind": HandoffKind.BETWEEN_MANAGERS, "reason": ChangeReason.HANDOFF},
    )
    assert response.status_code == 400
    assert not Handoff.objects.filter(account=account).exists()
