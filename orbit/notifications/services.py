"""Telling people things: other areas call `notify`; people mark what they read and choose their channels.

    from orbit.notifications.kinds import Kind
    from orbit.notifications.services import notify

    notify(
        recipients=[request.assignee],
        kind=Kind.REQUEST_ASSIGNED,
        title=format_lazy(_("Request {number} is yours"), number=request.number),
        url=request.get_absolute_url(),
        account=request.account,
    )

Call it inside your service's transaction: the rows are written with your change, and the e-mail task is
enqueued only after the commit, so a rolled-back change tells nobody anything.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from orbit.access.policy import can_view_account
from orbit.accounts.models import Account
from orbit.notifications.kinds import DEFAULT_CHANNELS, Channels, Kind
from orbit.notifications.models import Notification, NotificationPreference
from orbit.org.models import User

logger = logging.getLogger(__name__)

# The same event (kind, link and title) to the same person within this window is not repeated: an escalation
# that runs every few minutes tells the lead once. Override with the ORBIT_NOTIFICATION_DEDUP_WINDOW setting.
DEFAULT_DEDUP_WINDOW = dt.timedelta(hours=12)

_TITLE_MAX = Notification._meta.get_field("title").max_length
_URL_MAX: int = Notification._meta.get_field("url").max_length  # type: ignore[assignment]  # a CharField's


def default_dedup_window() -> dt.timedelta:
    return getattr(settings, "ORBIT_NOTIFICATION_DEDUP_WINDOW", DEFAULT_DEDUP_WINDOW)


def channels_for(users: Iterable[User], kind: str) -> dict[int, Channels]:
    """Each person's channels for one kind: his own choice where he made one, else the kind's default."""
    ids = [u.pk for u in users]
    default = DEFAULT_CHANNELS[kind]
    chosen = {
        user_id: Channels(in_app=in_app, email=email)
        for user_id, in_app, email in NotificationPreference.objects.filter(
            user_id__in=ids, kind=kind
        ).values_list("user_id", "in_app", "email")
    }
    return {user_id: chosen.get(user_id, default) for user_id in ids}


def _render(text: str | Promise, language: str) -> str:
    """A lazy string (gettext_lazy, format_lazy) in the given language; a plain string as it is."""
    with translation.override(language):
        return str(text)


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str | Promise,
    body: str | Promise = "",
    url: str = "",
    account: Account | None = None,
    dedup_window: dt.timedelta | None = None,
) -> list[Notification]:
    """Tell each recipient, in his own language, on the channels he chose for this kind.

    - Inactive people, and people who may not see `account`, get nothing.
    - The same event — same kind, `url` and title (in the recipient's language) — to the same person within
      the dedup window (default: the ORBIT_NOTIFICATION_DEDUP_WINDOW setting, 12 hours) is not repeated.
      The title is part of the key because several events may share one page (two tasks both link to the
      agenda); give each comment its own anchor (`...#comment-12`), or pass `dedup_window=timedelta(0)`
      when every call counts.
    - In-app rows are bulk-created now; e-mail goes out from a background task enqueued after the commit.
      A failure to enqueue is logged and never breaks the caller.

    Returns the notifications created (including e-mail-only ones, whose `in_app` is false).
    """
    if kind not in DEFAULT_CHANNELS:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    if len(url) > _URL_MAX:
        raise ValueError(f"A notification link is at most {_URL_MAX} characters")
    window = default_dedup_window() if dedup_window is None else dedup_window
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if account is not None:
        people = {pk: u for pk, u in people.items() if can_view_account(u, account)}
    if not people:
        return []
    wanted = channels_for(people.values(), kind)
    now = timezone.now()
    rows, emailed = [], set()
    for pk, user in people.items():
        channels = wanted[pk]
        if channels.email and user.email:
            emailed.add(pk)
        elif not channels.in_app:
            continue
        language = user.language or settings.LANGUAGE_CODE
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                title=_render(title, language)[:_TITLE_MAX],
                body=_render(body, language),
                url=url,
                account=account,
                in_app=channels.in_app,
                created_at=now,
                emailed_at=None,
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        if window:
            # Two escalation runs at once must not both find "not told yet": the second waits here until the
            # first one's transaction ends, then sees its rows.
            _lock_event(kind, url)
            rows = _drop_repeats(rows, kind=kind, url=url, since=now - window)
            if not rows:
                return []
        created = Notification.objects.bulk_create(rows)
        to_email = [n.pk for n in created if n.recipient_id in emailed]
        if to_email:
            transaction.on_commit(lambda: _enqueue_email(to_email), robust=True)
    return created


def _lock_event(kind: str, key: str) -> None:
    """A transaction-scoped lock on one event (PostgreSQL; SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"orbit.notify:{kind}:{key}"])


def _drop_repeats(rows: list[Notification], *, kind: str, url: str, since: dt.datetime) -> list[Notification]:
    recent = Notification.objects.filter(
        recipient_id__in=[n.recipient_id for n in rows], kind=kind, created_at__gte=since
    )
    told = set(recent.filter(url=url).values_list("recipient_id", "title"))
    return [n for n in rows if (n.recipient_id, n.title) not in told]


def _enqueue_email(notification_ids: list[int]) -> None:
    from orbit.notifications.tasks import send_notification_email

    try:
        send_notification_email.enqueue(notification_ids)
    except Exception:  # the request that caused it must not fail because the queue did
        logger.exception("Could not enqueue e-mail for notifications %s", notification_ids)


# --- the person's own notifications -----------------------------------------------------------------------


def _own(user: User, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionDenied(_("This is someone else's notification."))


def notification_mark_read(*, by: User, notification: Notification) -> Notification:
    _own(by, notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_all_read(*, by: User) -> int:
    """Marks every unread notification of the person as read; returns how many."""
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_save(
    *, by: User, user: User, choices: Mapping[str, Channels]
) -> list[NotificationPreference]:
    """Stores a person's channels for the kinds given; only the person himself chooses them."""
    if by.pk != user.pk:
        raise PermissionDenied(_("Only the person himself chooses his notifications."))
    unknown = sorted(set(choices) - set(Kind.values))
    if unknown:
        raise ValidationError(_("Unknown notification kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)})
    rows = [
        NotificationPreference(user=user, kind=kind, in_app=bool(c.in_app), email=bool(c.email))
        for kind, c in choices.items()
    ]
    return NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["in_app", "email"],
    )


def preferences_of(user: User) -> dict[str, Channels]:
    """Every kind with the person's channels (his choice or the default), in the order of Kind."""
    chosen = {
        kind: Channels(in_app, email)
        for kind, in_app, email in user.notification_preferences.values_list("kind", "in_app", "email")
    }
    return {kind: chosen.get(kind, DEFAULT_CHANNELS[kind]) for kind in Kind.values}
