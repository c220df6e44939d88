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

    Rows are locked while they are sent (SKIP LOCKED), so two workers never send one notification twice,
    and a retry after a failure sends only what is left. Returns how many went out.
    """
    sent = 0
    failed = []
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk__in=notification_ids, emailed_at__isnull=True)
            .order_by("pk")
        )
        deliverable = [n for n in pending if n.recipient.is_active and n.recipient.email]
        if not deliverable:
            return 0
        done = []
        with get_connection() as connection:
            for notification in deliverable:
                try:
                    connection.send_messages([_message(notification)])
                except Exception:
                    logger.exception("E-mail of notification %s failed", notification.pk)
                    failed.append(notification.pk)
                else:
                    done.append(notification.pk)
        if done:
            sent = Notification.objects.filter(pk__in=done).update(emailed_at=timezone.now())
    if failed:
        # The task is marked failed (visible in the admin); the ones that went out stay stamped.
        raise RuntimeError(f"E-mail of notifications {failed} failed")
    return sent
