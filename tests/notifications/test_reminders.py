"""Daily reminders: handoff steps due or overdue to their owners, a begun cover to its deputy and owner, once."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from orbit.accounts.models import ChangeReason
from orbit.handoffs import covers
from orbit.handoffs import services as handoffs
from orbit.handoffs.models import HandoffKind, StepKind
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.reminders import send_reminders
from tests.factories import make_account


def today():
    """The local day of the test's clock (not of its import: tests run at fixed clock times)."""
    return timezone.localdate()


def _titles(user, kind):
    return sorted(Notification.objects.filter(recipient=user, kind=kind).values_list("title", flat=True))


def _later(hours=13):
    """The previous run happened `hours` ago (past the 12-hour deduplication window)."""
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(hours=hours))


@pytest.mark.clock
def test_handoff_steps_due_and_overdue_reach_their_owners(org):
    org.am_b.language = "en"
    org.am_b.save()
    account = make_account(org.head, org.am_a, legal_name="ООО «Альфа»")
    handoff = handoffs.handoff_start(
        by=org.am_a,
        account=account,
        to_user=org.am_b,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.VACATION,
        promised="Поставка до 1 марта",
        technical_scope="SSO",
        stakeholders="ЛПР — финансовый директор",
    )
    # Between managers: brief (am_a, due in 2 days), meeting (am_a, in 10), acceptance (am_b, in 14).
    assert send_reminders(today() + dt.timedelta(days=1)).handoff_steps == 0

    assert send_reminders(today() + dt.timedelta(days=2)).handoff_steps == 1
    assert _titles(org.am_a, Kind.HANDOFF_STEP_DUE) == [
        "Передача ООО «Альфа»: «Подготовить бриф» — срок сегодня"
    ]
    assert send_reminders(today() + dt.timedelta(days=2)).handoff_steps == 0  # a second run the same morning

    _later()
    brief_due = (today() + dt.timedelta(days=2)).strftime("%d.%m.%Y")
    assert send_reminders(today() + dt.timedelta(days=10)).handoff_steps == 2
    assert _titles(org.am_a, Kind.HANDOFF_STEP_DUE) == sorted(
        [
            "Передача ООО «Альфа»: «Подготовить бриф» — срок сегодня",
            f"Передача ООО «Альфа»: «Подготовить бриф» просрочен с {brief_due}",
            "Передача ООО «Альфа»: «Совместная встреча с клиентом» — срок сегодня",
        ]
    )
    note = Notification.objects.filter(recipient=org.am_a).order_by("-pk").first()
    assert note.url == f"/handoffs/{handoff.pk}/#step-meeting" and note.account_id == account.pk

    handoffs.step_complete(by=org.am_a, handoff=handoff, kind=StepKind.BRIEF)
    _later()
    assert (
        send_reminders(today() + dt.timedelta(days=14)).handoff_steps == 2
    )  # meeting overdue, acceptance due
    assert _titles(org.am_b, Kind.HANDOFF_STEP_DUE) == [
        "Handoff of ООО «Альфа»: “Accept or reject the account” is due today"
    ]
    assert not Notification.objects.filter(
        title__contains="бриф", created_at__gt=timezone.now() - dt.timedelta(hours=1)
    )


def test_a_cancelled_handoff_reminds_nobody(org):
    account = make_account(org.head, org.am_a)
    handoff = handoffs.handoff_start(
        by=org.am_a,
        account=account,
        to_user=org.am_b,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.VACATION,
    )
    handoffs.handoff_cancel(by=org.am_a, handoff=handoff, comment="Клиент остаётся")
    assert send_reminders(today() + dt.timedelta(days=30)).handoff_steps == 0


@pytest.mark.clock
def test_the_deputy_is_told_once_that_his_cover_began(org):
    current = covers.cover_create(
        by=org.am_a,
        owner=org.am_a,
        deputy=org.am_a1,
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=6),
        reason="vacation",
        note="Ромашке обещали счёт до пятницы",
    )
    covers.cover_create(
        by=org.am_b,
        owner=org.am_b,
        deputy=org.am_a1,
        starts_on=today() + dt.timedelta(days=20),
        ends_on=today() + dt.timedelta(days=25),
        reason="vacation",
    )
    cancelled = covers.cover_create(
        by=org.lead_a,
        owner=org.lead_a,
        deputy=org.am_a,
        starts_on=today(),
        ends_on=today(),
        reason="sick_leave",
    )
    covers.cover_cancel(by=org.lead_a, cover=cancelled)
    # Arranged before this morning's run: the run tells the deputy and the manager away.
    Notification.objects.all().delete()

    assert send_reminders(today()).covers == 2
    told = Notification.objects.get(kind=Kind.COVER_STARTED, recipient=org.am_a1)
    start, end = today().strftime("%d.%m.%Y"), current.ends_on.strftime("%d.%m.%Y")
    assert (told.title, told.body) == (
        f"Вы замещаете Am_A с {start} по {end}",
        "Ромашке обещали счёт до пятницы",
    )
    assert Notification.objects.get(kind=Kind.COVER_STARTED, recipient=org.am_a).title == (
        f"Вас замещает Am_A1 с {start} по {end}"
    )
    for day in range(1, 7):  # every later morning of the cover: nothing new
        _later(hours=24 * day)
        assert send_reminders(today() + dt.timedelta(days=day)).covers == 0


def test_the_command_runs_them_or_hands_them_to_the_worker(org, capsys):
    covers.cover_create(
        by=org.am_a, owner=org.am_a, deputy=org.am_a1, starts_on=today(), ends_on=today(), reason="vacation"
    )
    Notification.objects.all().delete()  # as if arranged before: the run tells the deputy and the owner
    call_command("send_reminders")
    assert "covers: 2" in capsys.readouterr().out
    call_command("send_reminders", "--enqueue")  # the immediate backend of the tests runs it in-line
    assert "Enqueued" in capsys.readouterr().out
    assert Notification.objects.filter(kind=Kind.COVER_STARTED).count() == 2


def test_the_morning_queues_the_analytics_run_and_then_the_managers_kpi_figures(org):
    from orbit.kpi.models import KpiSnapshot

    count = send_reminders(today())
    assert count.analytics_run and count.kpi_refresh  # the test backend runs both at once
    stored = set(KpiSnapshot.objects.values_list("period", flat=True))
    month = today().strftime("%Y-%m")
    assert month in stored and str(today().year) in stored
