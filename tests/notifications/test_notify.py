"""notify(): channels per person, each person's language, deduplication, visibility and the commit."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from orbit.notifications import services
from orbit.notifications.kinds import DEFAULT_CHANNELS, Channels, Kind
from orbit.notifications.models import Notification, NotificationPreference
from orbit.notifications.services import notify
from tests.factories import make_account, make_user


@pytest.fixture
def people(org):
    org.am_a.email, org.am_a.language = "am_a@example.com", "ru"
    org.am_a.save()
    org.am_b.email, org.am_b.language = "am_b@example.com", "en"
    org.am_b.save()
    return org


def _rows(kind=None):
    qs = Notification.objects.order_by("recipient__username")
    return list(qs.filter(kind=kind) if kind else qs)


def test_each_recipient_reads_it_in_his_own_language(people, django_capture_on_commit_callbacks):
    title = format_lazy("{kind}: {name}", kind=Kind.SLA_BREACHED.label, name="ООО «Альфа»")
    body = gettext_lazy("A task of mine is due")
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            recipients=[people.am_a, people.am_b], kind=Kind.SLA_BREACHED, title=title, body=body, url="/r/1/"
        )
    assert len(created) == 2
    by_user = {n.recipient.username: n for n in _rows()}
    assert by_user["am_a"].title == "Срок по SLA обращения нарушен, обращение эскалировано мне: ООО «Альфа»"
    assert by_user["am_a"].body == "Подошёл срок моей задачи"
    assert by_user["am_b"].title == "A request's SLA is breached and escalated to me: ООО «Альфа»"
    assert by_user["am_b"].body == "A task of mine is due"
    # The e-mails follow the same languages (the immediate backend ran the task after the commit).
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "[Orbit] A request's SLA is breached and escalated to me: ООО «Альфа»",
        "[Orbit] Срок по SLA обращения нарушен, обращение эскалировано мне: ООО «Альфа»",
    ]
    ru = next(m for m in mail.outbox if m.to == ["am_a@example.com"])
    assert "Здравствуйте, Am_A!" in ru.body and "Открыть в Orbit: http://127.0.0.1:8000/r/1/" in ru.body


def test_defaults_apply_without_a_preference_row(people):
    assert DEFAULT_CHANNELS[Kind.TOUCH_OVERDUE] == Channels(in_app=True, email=False)
    notify(recipients=[people.am_a], kind=Kind.TOUCH_OVERDUE, title="Позвонить в «Альфу»", url="/t/1/")
    [row] = _rows()
    assert (row.in_app, row.emailed_at) == (True, None)
    assert mail.outbox == []


def test_preferences_decide_the_channels(people, django_capture_on_commit_callbacks):
    am_c = make_user("am_c", email="am_c@example.com", language="en")
    services.preferences_save(
        by=people.am_a, user=people.am_a, choices={Kind.TASK_ASSIGNED: Channels(in_app=False, email=True)}
    )
    services.preferences_save(
        by=people.am_b, user=people.am_b, choices={Kind.TASK_ASSIGNED: Channels(in_app=True, email=False)}
    )
    services.preferences_save(by=am_c, user=am_c, choices={Kind.TASK_ASSIGNED: Channels(False, False)})
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            recipients=[people.am_a, people.am_b, am_c],
            kind=Kind.TASK_ASSIGNED,
            title="Task",
            url="/tasks/7/",
        )
    # am_a: e-mail only (a row for the e-mail, never shown); am_b: in-app only; am_c: nothing at all.
    assert {(n.recipient.username, n.in_app) for n in created} == {("am_a", False), ("am_b", True)}
    assert [m.to for m in mail.outbox] == [["am_a@example.com"]]
    emailed = {n.recipient.username: n.emailed_at is not None for n in _rows()}
    assert emailed == {"am_a": True, "am_b": False}


def test_no_email_address_means_in_app_only(people):
    people.am_a.email = ""
    people.am_a.save()
    services.preferences_save(
        by=people.am_a, user=people.am_a, choices={Kind.SLA_WARNING: Channels(in_app=False, email=True)}
    )
    assert notify(recipients=[people.am_a], kind=Kind.SLA_WARNING, title="SLA", url="/r/2/") == []
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_inactive_people_get_nothing(people):
    people.am_b.is_active = False
    people.am_b.save()
    created = notify(recipients=[people.am_a, people.am_b], kind=Kind.TASK_DUE, title="Due", url="/tasks/1/")
    assert [n.recipient_id for n in created] == [people.am_a.pk]


def test_a_person_listed_twice_is_told_once(people):
    created = notify(recipients=[people.am_a, people.am_a], kind=Kind.TASK_DUE, title="Due", url="/tasks/1/")
    assert len(created) == 1


def test_people_who_may_not_see_the_account_get_nothing(people, django_capture_on_commit_callbacks):
    account = make_account(people.head, people.am_a)
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            recipients=[people.am_a, people.am_b, people.lead_a, people.head],
            kind=Kind.REQUEST_ASSIGNED,
            title="Request",
            url="/requests/1/",
            account=account,
        )
    assert {n.recipient.username for n in created} == {"am_a", "lead_a", "head"}
    assert [m.to for m in mail.outbox] == [["am_a@example.com"]]  # the others have no address


def test_the_same_event_is_not_repeated_within_the_window(people, settings):
    settings.ORBIT_NOTIFICATION_DEDUP_WINDOW = dt.timedelta(hours=2)
    first = notify(recipients=[people.am_a], kind=Kind.SLA_BREACHED, title="Breached", url="/requests/5/")
    # The escalation runs again a minute later, now also to the lead: only the lead is new.
    again = notify(
        recipients=[people.am_a, people.lead_a], kind=Kind.SLA_BREACHED, title="Breached", url="/requests/5/"
    )
    assert len(first) == 1 and [n.recipient_id for n in again] == [people.lead_a.pk]
    # Another link, another kind or another title is another event.
    assert (
        len(notify(recipients=[people.am_a], kind=Kind.SLA_BREACHED, title="Breached", url="/requests/6/"))
        == 1
    )
    assert (
        len(notify(recipients=[people.am_a], kind=Kind.SLA_WARNING, title="Breached", url="/requests/5/"))
        == 1
    )
    # Past the window it is told again (59 minutes before the window ends, it is not).
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(hours=1, minutes=1))
    assert (
        notify(recipients=[people.am_a], kind=Kind.SLA_BREACHED, title="Breached", url="/requests/5/") == []
    )
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(hours=2, minutes=1))
    assert (
        len(notify(recipients=[people.am_a], kind=Kind.SLA_BREACHED, title="Breached", url="/requests/5/"))
        == 1
    )
    assert Notification.objects.filter(recipient=people.am_a, url="/requests/5/").count() == 3


def test_events_sharing_a_page_are_told_apart_by_their_title(people):
    # Two tasks assigned on one morning both link to the agenda: both are told; the same one again is not.
    for title in ("New task: call Orlov", "New task: send the contract"):
        assert (
            len(notify(recipients=[people.am_a], kind=Kind.TASK_ASSIGNED, title=title, url="/agenda/")) == 1
        )
    assert (
        notify(
            recipients=[people.am_a], kind=Kind.TASK_ASSIGNED, title="New task: call Orlov", url="/agenda/"
        )
        == []
    )
    assert len(notify(recipients=[people.am_a], kind=Kind.COVER_STARTED, title="Cover 1")) == 1
    assert notify(recipients=[people.am_a], kind=Kind.COVER_STARTED, title="Cover 1") == []


def test_a_zero_window_turns_deduplication_off(people):
    for _ in range(2):
        notify(
            recipients=[people.am_a],
            kind=Kind.REQUEST_COMMENT,
            title="Comment",
            url="/requests/5/",
            dedup_window=dt.timedelta(0),
        )
    assert Notification.objects.count() == 2


def test_email_is_enqueued_only_after_the_commit(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[people.am_a], kind=Kind.TASK_ASSIGNED, title="Task", url="/tasks/1/")
    assert Notification.objects.count() == 1
    assert len(callbacks) == 1 and mail.outbox == []  # nothing goes out before the commit
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["am_a@example.com"]]


def test_a_rolled_back_change_tells_nobody(people):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[people.am_a], kind=Kind.TASK_ASSIGNED, title="Task", url="/tasks/1/")
        raise RuntimeError("the caller's service failed")
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_a_queue_failure_does_not_break_the_caller(
    people, settings, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "orbit.no_such_backend.Backend"}}  # the queue is unreachable
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[people.am_a], kind=Kind.TASK_ASSIGNED, title="Task", url="/tasks/1/")
    assert len(created) == 1 and created[0].emailed_at is None and mail.outbox == []
    assert "Could not enqueue" in caplog.text


def test_unknown_kind_is_refused(people):
    with pytest.raises(ValueError):
        notify(recipients=[people.am_a], kind="party", title="?")


def test_preferences_are_the_persons_own(people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.preferences_save(
            by=people.head, user=people.am_a, choices={Kind.TASK_DUE: Channels(in_app=False, email=False)}
        )
    assert not NotificationPreference.objects.exists()
    services.preferences_save(
        by=people.am_a, user=people.am_a, choices={Kind.TASK_DUE: Channels(False, True)}
    )
    services.preferences_save(by=people.am_a, user=people.am_a, choices={Kind.TASK_DUE: Channels(True, True)})
    prefs = services.preferences_of(people.am_a)
    assert list(prefs) == list(Kind.values)
    assert prefs[Kind.TASK_DUE] == Channels(True, True)
    assert prefs[Kind.TOUCH_OVERDUE] == DEFAULT_CHANNELS[Kind.TOUCH_OVERDUE]
    assert NotificationPreference.objects.filter(user=people.am_a).count() == 1


def test_only_the_recipient_marks_his_notification_read(people):
    from django.core.exceptions import PermissionDenied

    [mine] = notify(recipients=[people.am_a], kind=Kind.TASK_DUE, title="Due", url="/tasks/1/")
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(by=people.am_b, notification=mine)
    mine.refresh_from_db()
    assert mine.read_at is None
    services.notification_mark_read(by=people.am_a, notification=mine)
    mine.refresh_from_db()
    assert mine.read_at is not None
