"""Handoffs and covers tell the people concerned (issue 10, defect 5): who, in which language, never twice."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from orbit.accounts.models import ChangeReason
from orbit.handoffs import covers
from orbit.handoffs import services as handoffs
from orbit.handoffs.models import HandoffKind, StepKind
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.reminders import send_reminders
from tests.factories import make_account

TODAY = timezone.localdate()


def _told(kind):
    """{username: [titles]} of one kind."""
    found: dict[str, list[str]] = {}
    for username, title in Notification.objects.filter(kind=kind).values_list("recipient__username", "title"):
        found.setdefault(username, []).append(title)
    return found


def _english(user, email=None):
    user.language = "en"
    user.email = email or f"{user.username}@example.com"
    user.save()


@pytest.fixture
def handoff(org, django_capture_on_commit_callbacks):
    _english(org.am_b)
    account = make_account(org.head, org.am_a, legal_name="ООО «Альфа»", short_name="Альфа")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task is enqueued after the commit
        return handoffs.handoff_start(
            by=org.am_a,
            account=account,
            to_user=org.am_b,
            kind=HandoffKind.BETWEEN_MANAGERS,
            reason=ChangeReason.VACATION,
            promised="Поставка до 1 марта",
            technical_scope="SSO",
            stakeholders="ЛПР — финансовый директор",
        )


def test_starting_tells_the_receiver_in_his_language_not_the_giver_who_did_it(org, handoff):
    # lead_b does not see the account before his report accepts it (the visibility policy): not told of it.
    assert _told(Kind.HANDOFF_STARTED) == {"am_b": ["Am_A hands Альфа over to Am_B"]}
    [letter] = mail.outbox  # e-mail is on by default for this kind
    assert letter.to == ["am_b@example.com"] and "Am_A hands Альфа over to Am_B" in letter.subject
    assert Notification.objects.get(kind=Kind.HANDOFF_STARTED).url == f"/handoffs/{handoff.pk}/"


def test_a_lead_starting_it_tells_the_giver_to_write_the_brief(org):
    account = make_account(org.head, org.am_a, legal_name="ООО «Бета»", short_name="Бета")
    handoffs.handoff_start(
        by=org.lead_a,
        account=account,
        to_user=org.am_a1,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.OVERLOAD,
    )
    told = _told(Kind.HANDOFF_STARTED)
    assert told["am_a"] == [
        "Lead_A начал(а) передачу вашего аккаунта Бета, принимает Am_A1: подготовьте бриф"
    ]
    # am_a1's lead is lead_a (team A1 has none, team A above it does), who started it himself.
    assert set(told) == {"am_a", "am_a1"}


def test_each_step_tells_the_other_side(org, handoff):
    handoffs.step_complete(by=org.am_a, handoff=handoff, kind=StepKind.BRIEF)
    handoffs.step_complete(
        by=org.am_a,
        handoff=handoff,
        kind=StepKind.MEETING,
        meeting_at=timezone.now() - dt.timedelta(hours=2),
        meeting_outcome="Познакомились",
    )
    assert _told(Kind.HANDOFF_STEP_DONE) == {
        "am_b": [
            "Handoff of Альфа: Am_A has done “Joint meeting with the client”",
            "Handoff of Альфа: Am_A has done “Write the brief”",
        ]
    }
    urls = set(Notification.objects.filter(kind=Kind.HANDOFF_STEP_DONE).values_list("url", flat=True))
    assert urls == {f"/handoffs/{handoff.pk}/#step-brief", f"/handoffs/{handoff.pk}/#step-meeting"}


def test_acceptance_tells_the_giver_and_the_new_lead(org, handoff):
    handoffs.step_complete(by=org.am_a, handoff=handoff, kind=StepKind.BRIEF)
    handoffs.step_complete(
        by=org.am_a,
        handoff=handoff,
        kind=StepKind.MEETING,
        meeting_at=timezone.now() - dt.timedelta(hours=2),
        meeting_outcome="Познакомились",
    )
    handoffs.handoff_accept(by=org.am_b, handoff=handoff, comment="Беру")
    assert _told(Kind.HANDOFF_DECIDED) == {
        "am_a": ["Am_B принял(а) аккаунт Альфа"],
        "lead_b": ["Am_B принял(а) аккаунт Альфа"],  # his team holds it now; lead_a no longer sees it
    }
    # The giver no longer sees the account: told without its link, pointing to his handoffs.
    giver = Notification.objects.get(kind=Kind.HANDOFF_DECIDED, recipient=org.am_a)
    assert giver.account_id is None and giver.url.startswith("/handoffs/?view=mine")


def test_rejection_and_cancellation(org, handoff):
    handoffs.handoff_reject(by=org.am_b, handoff=handoff, comment="Нет времени")
    assert set(_told(Kind.HANDOFF_DECIDED)) == {"am_a", "lead_a"}  # the account stays in team A
    assert (
        Notification.objects.filter(kind=Kind.HANDOFF_DECIDED, recipient=org.am_a).get().body == "Нет времени"
    )

    Notification.objects.all().delete()
    again = handoffs.handoff_start(
        by=org.am_a,
        account=handoff.account,
        to_user=org.am_b,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.VACATION,
    )
    handoffs.handoff_cancel(by=org.am_a, handoff=again, comment="Клиент остаётся у меня")
    assert _told(Kind.HANDOFF_DECIDED) == {"am_b": ["The handoff of Альфа to Am_B was cancelled"]}
    assert Notification.objects.get(kind=Kind.HANDOFF_DECIDED).body == "Клиент остаётся у меня"


def test_a_cover_is_told_when_arranged_when_it_begins_and_when_it_ends_once_each(org):
    _english(org.am_a1)
    start, end = TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=5)
    cover = covers.cover_create(
        by=org.lead_a, owner=org.am_a, deputy=org.am_a1, starts_on=start, ends_on=end, reason="vacation"
    )
    s, e = start.strftime("%d.%m.%Y"), end.strftime("%d.%m.%Y")
    assert _told(Kind.COVER_ARRANGED) == {
        "am_a1": [f"You will cover Am_A from {start:%m/%d/%Y} to {end:%m/%d/%Y}"],
        "am_a": [f"Вас будет замещать Am_A1 с {s} по {e}"],
    }
    for day in (TODAY, start - dt.timedelta(days=1)):
        assert send_reminders(day).covers == 0

    assert send_reminders(start).covers == 2
    assert send_reminders(start).covers == 0  # the morning run run twice
    for day in range(1, 3):
        Notification.objects.update(created_at=timezone.now() - dt.timedelta(days=day))
        assert send_reminders(start + dt.timedelta(days=day)).covers == 0
    assert _told(Kind.COVER_STARTED) == {
        "am_a1": [f"You cover Am_A from {start:%m/%d/%Y} to {end:%m/%d/%Y}"],
        "am_a": [f"Вас замещает Am_A1 с {s} по {e}"],
    }

    assert send_reminders(end).covers_ended == 0
    after = end + dt.timedelta(days=1)
    assert send_reminders(after).covers_ended == 2
    assert send_reminders(after).covers_ended == 0
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    assert send_reminders(after + dt.timedelta(days=1)).covers_ended == 0
    ended = {n.recipient.username: n for n in Notification.objects.filter(kind=Kind.COVER_ENDED)}
    assert set(ended) == {"am_a", "am_a1"}
    assert ended["am_a"].url == f"/handoffs/covers/{cover.pk}/summary/"
    assert ended["am_a1"].title == f"Your cover of Am_A ended on {end:%m/%d/%Y}: his accounts are his again"


def test_a_cover_starting_today_is_told_at_once_and_its_cancellation_too(org):
    cover = covers.cover_create(
        by=org.am_a, owner=org.am_a, deputy=org.am_a1, starts_on=TODAY, ends_on=TODAY, reason="sick_leave"
    )
    assert set(_told(Kind.COVER_STARTED)) == {"am_a", "am_a1"}
    assert not _told(Kind.COVER_ARRANGED)
    assert send_reminders(TODAY).covers == 0
    covers.cover_cancel(by=org.am_a, cover=cover)
    assert set(_told(Kind.COVER_ARRANGED)) == {"am_a1"}  # the manager cancelled it himself
    assert send_reminders(TODAY + dt.timedelta(days=1)).covers_ended == 0  # a cancelled cover never ends
