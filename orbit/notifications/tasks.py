"""Background work of notifications: e-mail goes out from the task worker, never from a request."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from orbit.notifications.models import Notification

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """A link in an e-mail must be absolute: ORBIT_BASE_URL (default http://127.0.0.1:8000) + the path."""
    if not path or "://" in path:
        return path
    base = getattr(settings, "ORBIT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def _message(notification: Notification) -> EmailMessage:
    user = notification.recipient
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"n": notification, "link": absolute_url(notification.url), "user": user}
        subject = render_to_string("notifications/email_subject.txt", context).strip()
        body = render_to_string("notifications/email_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])


@task()
def send_notification_email(notification_ids: list[int]) -> int:
    """Sends the e-mails of these notifications that have not gone out yet; stamps `emailed_at`.

    Each notification is claimed before its e-mail goes out: `emailed_at` is stamped by a conditional UPDATE
    committed on its own, so two workers never send one notification twice, and neither does a retry after
    a worker was killed mid-send (issue 16, faults: at most once; a kill between the mark and the send loses
    that one e-mail, the notification itself stays in the user's list). A send that fails takes its mark back,
    so a retry sends only what is left. Returns how many went out.
    """
    failed = []
    sent = 0
    mail = None  # opened at the first claimed notification: nothing to send, no connection to the mail server
    try:
        for pk in sorted(set(notification_ids)):
            with transaction.atomic():
                claimed = (
                    Notification.objects.filter(pk=pk, emailed_at__isnull=True, recipient__is_active=True)
                    .exclude(recipient__email="")
                    .update(emailed_at=timezone.now())
                )
            if not claimed:
                continue  # sent already, being sent by another worker, or nobody to send it to
            notification = Notification.objects.select_related("recipient").get(pk=pk)
            try:
                if mail is None:
                    mail = get_connection()
                    mail.open()
                mail.send_messages([_message(notification)])
            except Exception:
                logger.exception("E-mail of notification %s failed", pk)
                Notification.objects.filter(pk=pk).update(emailed_at=None)
                failed.append(pk)
            else:
                sent += 1
    finally:
        if mail is not None:
            mail.close()
    if failed:
        # The task is marked failed (visible in the admin); the ones that went out stay stamped.
        raise RuntimeError(f"E-mail of notifications {failed} failed")
    return sent
