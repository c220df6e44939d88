"""The handoff (передача клиента): from the hunter to the farmer, or between account managers.

Not a one-line reassignment: a brief, the receiver joining the last stages of the deal, a joint meeting with the
client, the receiver's acceptance or reasoned rejection, and a check-up with the client weeks later. Each step has
an owner and a due date. Responsibility moves only at acceptance, through the ownership service.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orbit.access import policy
from orbit.access.querysets import AccountScopedManager, AccountScopedQuerySet
from orbit.accounts.models import Account, ChangeReason


class HandoffKind(models.TextChoices):
    FROM_SALES = "from_sales", _("From sales to an account manager")
    BETWEEN_MANAGERS = "between_managers", _("Between account managers")


class HandoffStatus(models.TextChoices):
    DRAFT = "draft", _("Brief in progress")
    IN_PROGRESS = "in_progress", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, check-up pending")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (HandoffStatus.DRAFT, HandoffStatus.IN_PROGRESS)


class Handoff(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="handoffs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HandoffKind.choices)
    reason = models.CharField(
        _("reason"), max_length=16, choices=ChangeReason.choices, default=ChangeReason.HANDOFF
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        on_delete=models.PROTECT,
        related_name="handoffs_given",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receiver"),
        on_delete=models.PROTECT,
        related_name="handoffs_received",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=HandoffStatus.choices, default=HandoffStatus.DRAFT
    )
    # The account's status before the handoff, restored if it is rejected or cancelled.
    previous_account_status = models.CharField(max_length=16, editable=False)

    # The brief: what the receiver must know so that he delivers what was sold.
    promised = models.TextField(_("what was promised"), blank=True)
    technical_scope = models.TextField(_("technical scope"), blank=True)
    stakeholders = models.TextField(_("stakeholders and their roles"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    open_commitments = models.TextField(_("open commitments"), blank=True)
    documents = models.TextField(_("documents"), blank=True, help_text=_("Contract numbers, links to files."))

    meeting_at = models.DateTimeField(_("joint meeting with the client"), null=True, blank=True)
    meeting_participants = models.TextField(_("meeting participants"), blank=True)
    meeting_outcome = models.TextField(_("meeting outcome"), blank=True)

    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    checkup_satisfied = models.BooleanField(_("client satisfied"), null=True, blank=True)
    checkup_issues = models.TextField(_("issues found at the check-up"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["draft", "in_progress"]),
                name="handoffs_one_open_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(from_user=models.F("to_user")), name="handoffs_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.to_user}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class StepKind(models.TextChoices):
    BRIEF = "brief", _("Write the brief")
    JOIN_DEAL = "join_deal", _("Receiver joins the last stages of the deal")
    MEETING = "meeting", _("Joint meeting with the client")
    ACCEPTANCE = "acceptance", _("Accept or reject the account")
    CHECKUP = "checkup", _("Check-up with the client")


class HandoffStep(models.Model):
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=16, choices=StepKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="handoff_steps",
    )
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    objects = AccountScopedManager("handoff__account")

    class Meta:
        verbose_name = _("handoff step")
        verbose_name_plural = _("handoff steps")
        ordering = ["handoff_id", "position"]
        constraints = [models.UniqueConstraint(fields=["handoff", "kind"], name="handoffs_step_once")]
        indexes = [models.Index(fields=["owner", "done_at", "due_date"])]

    def __str__(self) -> str:
        return self.get_kind_display()


class CoverReason(models.TextChoices):
    VACATION = "vacation", _("Vacation")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    TRAINING = "training", _("Training or business trip")


class CoverQuerySet(AccountScopedQuerySet):
    def visible_to(self, user, *, include_archived: bool = True):
        """A cover is about people, not one account: those who give, take or arrange it see it (the lead for
        his people; the head and admins all), whatever accounts it lists."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if policy.may_reassign_anything(user) or policy.sees_everything(user):
            return self.all()
        return self.filter(Q(owner=user) | Q(deputy=user) | Q(owner_id__in=policy.led_people(user)))


class Cover(models.Model):
    """A deputy covers a manager's portfolio (or part of it) for dates set in advance.

    During the cover the deputy sees and works the accounts; responsibility and credit stay with the owner, so
    nothing has to be moved back: on the day after `ends_on` the deputy's access ends by itself.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager away"),
        on_delete=models.PROTECT,
        related_name="covers_given",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.PROTECT,
        related_name="covers_taken",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=16, choices=CoverReason.choices)
    whole_portfolio = models.BooleanField(_("the whole portfolio"), default=True)
    accounts = models.ManyToManyField(
        Account, verbose_name=_("accounts covered"), blank=True, related_name="covers"
    )
    note = models.TextField(_("note for the deputy"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[accounts])
    objects = AccountScopedManager("accounts", CoverQuerySet)

    class Meta:
        verbose_name = _("cover")
        verbose_name_plural = _("covers")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="handoffs_cover_dates"
            ),
            models.CheckConstraint(condition=~Q(owner=models.F("deputy")), name="handoffs_cover_not_oneself"),
        ]
        indexes = [models.Index(fields=["deputy", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.deputy} ← {self.owner} ({self.starts_on:%d.%m}–{self.ends_on:%d.%m})"


class BulkMoveStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the background worker")
    RUNNING = "running", _("Moving")
    DONE = "done", _("Done")
    FAILED = "failed", _("Refused: nothing was moved")


class BulkMove(models.Model):
    """A portfolio move run by the background worker, all or nothing; its page shows the progress."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=ChangeReason.choices)
    comment = models.TextField(_("comment"), blank=True)
    plan = models.JSONField(default=dict)  # {"account id": receiver id}
    total = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=BulkMoveStatus.choices, default=BulkMoveStatus.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portfolio move")
        verbose_name_plural = _("portfolio moves")

    def __str__(self) -> str:
        return f"{self.manager}: {self.total}"

    @property
    def is_finished(self) -> bool:
        return self.status in (BulkMoveStatus.DONE, BulkMoveStatus.FAILED)
