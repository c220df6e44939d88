"""send_notification_email: what goes out, in which language, and that nothing goes out twice."""

import pytest
from django.core import mail

from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.tasks import absolute_url, send_notification_email


@pytest.fixture
def rows(org):
    org.am_a.email, org.am_a.language = "am_a@example.com", "ru"
    org.am_a.save()
    org.am_b.email, org.am_b.language = "am_b@example.com", "en"
    org.am_b.save()
    return [
        Notification.objects.create(
            recipient=user, kind=Kind.SLA_WARNING, title=title, body=body, url="/requests/12/"
        )
        for user, title, body in (
            (org.am_a, "Обращение 12: до нарушения SLA 2 часа", "Клиент ждёт ответа."),
            (org.am_b, "Request 12: 2 hours to the SLA breach", "The client is waiting."),
        )
    ]


def test_sends_each_in_his_language_and_stamps(rows, settings):
    settings.ORBIT_BASE_URL = "https://orbit.example.com/"
    assert send_notification_email.call([n.pk for n in rows]) == 2
    ru, en = sorted(mail.outbox, key=lambda m: m.to[0])
    assert ru.to == ["am_a@example.com"] and ru.subject == "[Orbit] Обращение 12: до нарушения SLA 2 часа"
    assert ru.body.splitlines()[:5] == [
        "Здравствуйте, Am_A!",
        "",
        "Обращение 12: до нарушения SLA 2 часа",
        "",
        "Клиент ждёт ответа.",
    ]
    assert "Открыть в Orbit: https://orbit.example.com/requests/12/" in ru.body
    assert en.subject == "[Orbit] Request 12: 2 hours to the SLA breach"
    assert "Open in Orbit: https://orbit.example.com/requests/12/" in en.body and "Hello, Am_B!" in en.body
    assert all(n.emailed_at is not None for n in Notification.objects.all())


def test_never_sends_twice(rows):
    ids = [n.pk for n in rows]
    assert send_notification_email.call(ids) == 2
    assert send_notification_email.call(ids) == 0  # a retry or a second worker finds nothing left
    assert len(mail.outbox) == 2


def test_skips_people_who_left_or_have_no_address(rows, org):
    org.am_b.is_active = False
    org.am_b.save()
    assert send_notification_email.call([n.pk for n in rows]) == 1
    assert [m.to for m in mail.outbox] == [["am_a@example.com"]]
    assert Notification.objects.get(recipient=org.am_b).emailed_at is None


def test_a_failed_message_fails_the_task_but_keeps_what_went_out(rows, settings, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def flaky(self, messages):
        if messages[0].to == ["am_b@example.com"]:
            raise ConnectionRefusedError("SMTP down")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with pytest.raises(RuntimeError, match="failed"):
        send_notification_email.call([n.pk for n in rows])
    sent = {
        n.recipient.email: n.emailed_at is not None for n in Notification.objects.select_related("recipient")
    }
    assert sent == {"am_a@example.com": True, "am_b@example.com": False}
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    assert send_notification_email.call([n.pk for n in rows]) == 1  # the retry sends only what is left
    assert sorted(m.to[0] for m in mail.outbox) == ["am_a@example.com", "am_b@example.com"]


def test_absolute_links():
    assert absolute_url("/accounts/5/") == "http://127.0.0.1:8000/accounts/5/"
    assert absolute_url("https://elsewhere.example.com/x") == "https://elsewhere.example.com/x"
    assert absolute_url("") == ""
