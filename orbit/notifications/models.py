"""Notifications: what Orbit told whom, when it was read and when it went out by e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.access import policy
from orbit.access.querysets import AccountScopedManager, AccountScopedQuerySet
from orbit.notifications.kinds import Kind


class NotificationQuerySet(AccountScopedQuerySet):
    def visible_to(self, user, *, include_archived: bool = True):
        """A person only ever sees his own notifications, and only about accounts he may still see: one about an
        account handed to another team is hidden with the account (its title may name the client)."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        mine = self.filter(recipient=user)
        if policy.sees_everything(user):
            return mine
        return mine.filter(Q(account__isnull=True) | policy.account_scope(user, "account"))


class Notification(models.Model):
    """One message to one person, stored in his own language at the moment it was sent.

    `in_app` is false for a person who wants this kind by e-mail only: the row then exists for the e-mail
    task and for deduplication, and never shows in the bell or the list.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    in_app = models.BooleanField(_("shown in Orbit"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    objects = AccountScopedManager("account", NotificationQuerySet)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list (newest first) and the deduplication window, per person.
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
            # The bell: "my unread" counts only the few unread rows.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notif_recipient_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A person's choice of channels for one kind; without a row, the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    in_app = models.BooleanField(_("in Orbit"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_preference_user_kind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"
