import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from orbit.accounts import ownership
from orbit.accounts.models import Account, AccountStatus, AccountTeamMember, ChangeReason, TeamRole
from orbit.handoffs import services
from orbit.handoffs.models import Handoff, HandoffKind, HandoffStatus, StepKind
from tests.factories import make_account, make_user

BRIEF = {
    "promised": "Поставка 200 лицензий до 1 марта",
    "technical_scope": "SSO, интеграция с 1С",
    "stakeholders": "ЛПР — финансовый директор; пользователи — бухгалтерия",
    "risks": "Сжатые сроки",
}


@pytest.fixture
def won(org):
    """A prospect the salesman created and won."""
    return make_account(org.sales, None, status=AccountStatus.PROSPECT, legal_name="ООО «Выигранный»")


def _walk_to_acceptance(org, account, receiver):
    handoff = services.handoff_start(
        by=org.sales, account=account, to_user=receiver, kind=HandoffKind.FROM_SALES, **BRIEF
    )
    services.step_complete(by=org.sales, handoff=handoff, kind=StepKind.BRIEF)
    services.step_complete(by=receiver, handoff=handoff, kind=StepKind.JOIN_DEAL, note="Был на двух встречах")
    services.step_complete(
        by=org.sales,
        handoff=handoff,
        kind=StepKind.MEETING,
        meeting_at=timezone.now() - dt.timedelta(hours=2),
        meeting_participants="Иванов, Петров",
        meeting_outcome="Клиент знает нового менеджера",
    )
    return handoff


def _assert_intact(account, owner):
    account.refresh_from_db()
    assert account.responsible_manager == owner
    assert ownership.check_invariant(account) == []


@pytest.mark.clock
def test_whole_handoff_from_sales_to_farmer(org, won):
    handoff = _walk_to_acceptance(org, won, org.am_a)
    won.refresh_from_db()
    assert (
        won.status == AccountStatus.HANDOFF and won.responsible_manager == org.sales
    )  # hunter holds it until then
    services.handoff_accept(by=org.am_a, handoff=handoff, comment="Бриф понятен")
    won.refresh_from_db()
    assert (won.status, won.responsible_manager) == (AccountStatus.ACTIVE, org.am_a)
    periods = list(won.ownership_periods.order_by("started_at"))
    assert [(p.manager, p.reason) for p in periods] == [
        (org.sales, ChangeReason.INITIAL),
        (org.am_a, ChangeReason.HANDOFF),
    ]
    hunter = AccountTeamMember.objects.get(account=won, role=TeamRole.SALES_MANAGER)
    assert hunter.user == org.sales and hunter.started_at == periods[1].started_at
    handoff.refresh_from_db()
    checkup = handoff.steps.get(kind=StepKind.CHECKUP)
    assert (handoff.status, checkup.owner) == (HandoffStatus.ACCEPTED, org.am_a)
    assert checkup.due_date == timezone.localdate() + dt.timedelta(weeks=4)
    services.checkup_record(by=org.am_a, handoff=handoff, satisfied=False, issues="Не настроен SSO")
    handoff.refresh_from_db()
    assert (handoff.status, handoff.checkup_satisfied) == (HandoffStatus.COMPLETED, False)
    assert ownership.check_invariant(won) == []


def test_receiver_sees_the_account_during_the_handoff(org, won):
    from orbit.access.policy import visible_accounts

    services.handoff_start(by=org.sales, account=won, to_user=org.am_a, kind=HandoffKind.FROM_SALES, **BRIEF)
    fresh = type(org.am_a).objects.get(pk=org.am_a.pk)
    assert visible_accounts(fresh).filter(pk=won.pk).exists()


@pytest.mark.parametrize("receiver", ["no_role", "inactive", "oneself"])
def test_bad_receivers_are_refused_and_nothing_moves(org, won, receiver):
    target = {
        "no_role": org.outsider,
        "inactive": make_user("gone", "account_manager", is_active=False),
        "oneself": org.sales,
    }[receiver]
    if receiver == "oneself":
        org.sales.roles.create(role="account_manager")
        org.sales._access_context = None
    with pytest.raises(ValidationError) as error:
        services.handoff_start(
            by=org.sales, account=won, to_user=target, kind=HandoffKind.FROM_SALES, **BRIEF
        )
    assert "to_user" in error.value.message_dict
    won.refresh_from_db()
    assert won.status == AccountStatus.PROSPECT and not Handoff.objects.exists()


def test_second_open_handoff_is_refused(org, won):
    services.handoff_start(by=org.sales, account=won, to_user=org.am_a, kind=HandoffKind.FROM_SALES, **BRIEF)
    with pytest.raises(ValidationError):
        services.handoff_start(
            by=org.sales, account=won, to_user=org.am_b, kind=HandoffKind.FROM_SALES, **BRIEF
        )
    assert Handoff.objects.count() == 1


def test_only_the_receiver_accepts_and_only_after_the_steps(org, won):
    handoff = services.handoff_start(
        by=org.sales, account=won, to_user=org.am_a, kind=HandoffKind.FROM_SALES, **BRIEF
    )
    with pytest.raises(ValidationError):  # the brief, deal and meeting are not done yet
        services.handoff_accept(by=org.am_a, handoff=handoff)
    handoff = _walk_to_acceptance(org, make_account(org.sales, None, status=AccountStatus.PROSPECT), org.am_a)
    for intruder in (org.sales, org.head, org.am_b):
        with pytest.raises(PermissionDenied):
            services.handoff_accept(by=intruder, handoff=handoff)
    _assert_intact(handoff.account, org.sales)


def test_brief_must_say_what_was_promised_before_it_goes_out(org, won):
    handoff = services.handoff_start(by=org.sales, account=won, to_user=org.am_a, kind=HandoffKind.FROM_SALES)
    with pytest.raises(ValidationError) as error:
        services.step_complete(by=org.sales, handoff=handoff, kind=StepKind.BRIEF)
    assert {"promised", "technical_scope", "stakeholders"} <= set(error.value.message_dict)


@pytest.mark.clock
def test_meeting_in_the_future_is_refused(org, won):
    handoff = services.handoff_start(
        by=org.sales, account=won, to_user=org.am_a, kind=HandoffKind.FROM_SALES, **BRIEF
    )
    with pytest.raises(ValidationError) as error:
        services.step_complete(
            by=org.sales,
            handoff=handoff,
            kind=StepKind.MEETING,
            meeting_at=timezone.now() + dt.timedelta(days=1),
            meeting_outcome="Будет",
        )
    assert "meeting_at" in error.value.message_dict


def test_reject_needs_a_reason_and_returns_the_account(org, won):
    handoff = _walk_to_acceptance(org, won, org.am_a)
    with pytest.raises(ValidationError):
        services.handoff_reject(by=org.am_a, handoff=handoff, comment=" ")
    services.handoff_reject(by=org.am_a, handoff=handoff, comment="Нет компетенций по 1С")
    won.refresh_from_db()
    assert won.status == AccountStatus.PROSPECT
    _assert_intact(won, org.sales)
    with pytest.raises(ValidationError):  # decided once
        services.handoff_accept(by=org.am_a, handoff=handoff)


def test_cancel_by_the_giver_with_a_reason(org, won):
    handoff = services.handoff_start(
        by=org.sales, account=won, to_user=org.am_a, kind=HandoffKind.FROM_SALES, **BRIEF
    )
    with pytest.raises(PermissionDenied):
        services.handoff_cancel(by=org.am_a, handoff=handoff, comment="Не хочу")
    services.handoff_cancel(by=org.sales, handoff=handoff, comment="Клиент отложил проект")
    assert Handoff.objects.get().status == HandoffStatus.CANCELLED


def test_between_managers_vacation_handoff_skips_the_deal(org):
    account = make_account(org.head, org.am_a)
    handoff = services.handoff_start(
        by=org.lead_a,
        account=account,
        to_user=org.am_a1,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.VACATION,
        **BRIEF,
    )
    assert [s.kind for s in handoff.steps.all()] == [StepKind.BRIEF, StepKind.MEETING, StepKind.ACCEPTANCE]
    services.step_complete(by=org.am_a, handoff=handoff, kind=StepKind.BRIEF)
    services.step_complete(
        by=org.am_a,
        handoff=handoff,
        kind=StepKind.MEETING,
        meeting_at=timezone.now() - dt.timedelta(minutes=5),
        meeting_outcome="Представлен",
    )
    services.handoff_accept(by=org.am_a1, handoff=handoff)
    account.refresh_from_db()
    assert account.responsible_manager == org.am_a1
    assert account.ownership_periods.get(ended_at__isnull=True).reason == ChangeReason.VACATION


def test_a_manager_cannot_hand_over_someone_elses_account(org):
    account = make_account(org.head, org.am_b)
    with pytest.raises(PermissionDenied):
        services.handoff_start(
            by=org.am_a,
            account=account,
            to_user=org.am_a1,
            kind=HandoffKind.BETWEEN_MANAGERS,
            reason=ChangeReason.OVERLOAD,
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_move_responsibility_once(org, won):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    handoff = _walk_to_acceptance(org, won, org.am_a)
    outcomes = []

    def accept():
        try:
            services.handoff_accept(by=type(org.am_a).objects.get(pk=org.am_a.pk), handoff=handoff)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    account = Account.objects.get(pk=won.pk)
    assert account.ownership_periods.count() == 2
    assert ownership.check_invariant(account) == []
