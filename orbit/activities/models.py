"""Touches (касания), the cadence that plans them, tasks, and the secret iCal feed of a person's day."""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orbit.access.querysets import AccountScopedManager, AccountScopedQuerySet
from orbit.accounts.models import Account, AccountStatus, Contact, Segment, Tier
from orbit.common.models import TrackedModel

MAX_TOUCH_MINUTES = 24 * 60


class TouchKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Message")


class TouchStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TouchSource(models.TextChoices):
    MANUAL = "manual", _("Manual")
    CADENCE = "cadence", _("Cadence")


class Touch(TrackedModel):
    """A call, meeting, visit, letter or message: planned for a day, then done (with hours of work) or cancelled."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="touches"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="touches"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TouchKind.choices, default=TouchKind.CALL)
    status = models.CharField(
        _("status"), max_length=16, choices=TouchStatus.choices, default=TouchStatus.PLANNED
    )
    source = models.CharField(
        _("source"), max_length=16, choices=TouchSource.choices, default=TouchSource.MANUAL
    )
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    happened_at = models.DateTimeField(_("happened at"), null=True, blank=True)
    # Hours of work feed margin per hour: minutes, 1 to 24 h, only on a done touch.
    duration_minutes = models.PositiveIntegerField(
        _("duration, minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TOUCH_MINUTES)],
    )
    contacts = models.ManyToManyField(Contact, verbose_name=_("contacts"), blank=True, related_name="touches")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[contacts])
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("touch")
        verbose_name_plural = _("touches")
        indexes = [
            # The agenda: a person's planned touches by day; the card: an account's touches by time.
            models.Index(fields=["owner", "status", "planned_for"], name="touch_agenda"),
            models.Index(fields=["account", "status", "happened_at"], name="touch_account_done"),
            models.Index(fields=["owner", "status", "happened_at"], name="touch_owner_done"),  # done today
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | models.Q(happened_at__isnull=False, duration_minutes__isnull=False),
                name="touch_done_has_time_and_duration",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="planned") | models.Q(planned_for__isnull=False),
                name="touch_planned_has_day",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=1, duration_minutes__lte=MAX_TOUCH_MINUTES),
                name="touch_duration_within_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.account}"

    @property
    def day(self):
        return timezone.localtime(self.happened_at).date() if self.happened_at else self.planned_for


class CadencePolicy(models.Model):
    """How often accounts must be touched. Empty criteria match any value; the most specific rule wins."""

    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices, blank=True)
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices, blank=True)
    interval_days = models.PositiveSmallIntegerField(
        _("every, days"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cadence policy")
        verbose_name_plural = _("cadence policies")
        constraints = [
            # One active rule per combination: two rules for the same accounts would contradict each other.
            models.UniqueConstraint(
                fields=["tier", "segment", "status"],
                condition=models.Q(is_active=True),
                nulls_distinct=False,
                name="cadence_one_active_rule_per_criteria",
            )
        ]

    def __str__(self) -> str:
        return str(_("every %(days)s days") % {"days": self.interval_days})

    @property
    def specificity(self) -> int:
        return (4 if self.tier else 0) + (2 if self.segment_id else 0) + (1 if self.status else 0)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskQuerySet(AccountScopedQuerySet):
    def also_visible(self, user) -> Q:
        # A task without an account is private: its assignee's and its author's only (not the head's, not the
        # lead's). One on an account is read through the account like everything else: its assignee had to be
        # able to work the account (task_create), and one who no longer sees the account no longer sees its
        # name on his tasks.
        return Q(account__isnull=True) & (Q(assignee=user) | Q(created_by=user))


class Task(TrackedModel):
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="tasks"
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    request = models.ForeignKey(
        "requests.Request",
        verbose_name=_("request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    due_on = models.DateField(_("due"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountScopedManager("account", TaskQuerySet)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assignee", "status", "due_on"], name="task_agenda")]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A person's secret iCal address. Only a hash is kept: the address is shown once, like an API token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"iCal · {self.user}"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
