"""Reading notifications: a person only ever sees his own, and only about accounts he may still see."""

from django.db.models import QuerySet
from django.http import Http404

from orbit.notifications.models import Notification
from orbit.org.models import User

# The list's order, newest first, the id breaking ties: what a keyset page's cursor holds. The index
# notif_recipient_recent (recipient, -created_at) walks it for one person.
LIST_ORDER = ("-created_at", "-id")


def my_notifications(user: User) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first.

    A notification about an account he no longer sees (it was handed to another team) is hidden with the
    account: its title may name the client.
    """
    return Notification.objects.visible_to(user).filter(in_app=True).order_by(*LIST_ORDER)


def my_unread(user: User) -> QuerySet[Notification]:
    return my_notifications(user).filter(read_at__isnull=True)


def unread_count(user: User) -> int:
    return my_unread(user).count()


def notification_get(user: User, pk: int) -> Notification:
    """One of the person's own notifications; anyone else's is not found (404), never forbidden."""
    try:
        return my_notifications(user).get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
