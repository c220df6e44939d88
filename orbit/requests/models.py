"""Requests and complaints (обращения, претензии): what the client asks of the company, within an SLA.

The account manager is the client's one window: he registers what the client asks, a department acts, and the
SLA (first response and resolution, in business hours of a working calendar) is watched by background tasks
that warn him and escalate to his team lead, then to the head of department.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orbit.access.querysets import AccountScopedManager
from orbit.accounts.models import Account, Contact
from orbit.common.models import ReferenceItem, TrackedModel

MAX_WORK_MINUTES = 24 * 60  # one entry is at most a day's work, as a touch's duration


class Department(ReferenceItem):
    """The department that must act on a request: support, accounting, legal, logistics, production…"""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class RequestType(models.TextChoices):
    QUESTION = "question", _("Question")
    CHANGE_OF_TERMS = "change_of_terms", _("Change of terms")
    COMPLAINT = "complaint", _("Complaint")
    INCIDENT = "incident", _("Incident")
    DOCUMENTS = "documents", _("Request for documents")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CLIENT = "waiting_client", _("Waiting for the client")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# new → in_progress → waiting_client → resolved → closed; the client answers (waiting → in progress);
# a resolution the client does not accept is reopened (resolved → in progress).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.NEW: (RequestStatus.IN_PROGRESS,),
    RequestStatus.IN_PROGRESS: (RequestStatus.WAITING_CLIENT, RequestStatus.RESOLVED),
    RequestStatus.WAITING_CLIENT: (RequestStatus.IN_PROGRESS, RequestStatus.RESOLVED),
    RequestStatus.RESOLVED: (RequestStatus.CLOSED, RequestStatus.IN_PROGRESS),
    RequestStatus.CLOSED: (),
}
# What the buttons that make each move say.
ACTIONS = {
    RequestStatus.IN_PROGRESS: _("Take into work"),
    RequestStatus.WAITING_CLIENT: _("Wait for the client"),
    RequestStatus.RESOLVED: _("Mark resolved"),
    RequestStatus.CLOSED: _("Close"),
}
REOPEN = _("Reopen")
# The SLA clock runs in these; it is paused while the company waits for the client.
RUNNING_STATUSES = (RequestStatus.NEW, RequestStatus.IN_PROGRESS)
OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.IN_PROGRESS, RequestStatus.WAITING_CLIENT)


class Escalation(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    TEAM_LEAD = 1, _("Escalated to the team lead")
    HEAD = 2, _("Escalated to the head of department")


def _hours(value) -> str:
    return format(value.normalize(), "f") if value is not None else "—"


class SlaPolicy(models.Model):
    """Hours allowed for the first response and the resolution of a kind of request.

    A blank type or priority means "any". The most specific active rule wins: exact type and priority, then
    type with any priority, then any type with the priority, then any and any. Two active rules with the same
    type and priority would both claim the same requests: the service refuses them (and the database too).
    """

    request_type = models.CharField(
        _("request type"),
        max_length=20,
        choices=RequestType.choices,
        blank=True,
        help_text=_("Blank: any type."),
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=Priority.choices,
        blank=True,
        help_text=_("Blank: any priority."),
    )
    first_response_hours = models.DecimalField(
        _("first response, business hours"), max_digits=6, decimal_places=2
    )
    resolution_hours = models.DecimalField(_("resolution, business hours"), max_digits=6, decimal_places=2)
    calendar = models.ForeignKey(
        "worktime.WorkCalendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Blank: the default calendar."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["request_type", "priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "priority"],
                condition=Q(active=True),
                name="requests_sla_one_active_rule",
            ),
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0)
                & Q(resolution_hours__gte=models.F("first_response_hours")),
                name="requests_sla_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        kind = self.get_request_type_display() if self.request_type else _("any type")
        priority = self.get_priority_display() if self.priority else _("any priority")
        return f"{kind} / {priority}: {_hours(self.first_response_hours)} / {_hours(self.resolution_hours)}"

    @property
    def specificity(self) -> int:
        return (2 if self.request_type else 0) + (1 if self.priority else 0)


class Request(TrackedModel):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="requests"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    request_type = models.CharField(_("type"), max_length=20, choices=RequestType.choices)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="requests"
    )
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    # The account's responsible manager when the request came in: he is informed of everything about it.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.PROTECT,
        related_name="managed_requests",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    received_at = models.DateTimeField(_("received"))
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # While waiting for the client the clock stops; on resuming the due times move by the business time paused.
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_hours = models.DecimalField(max_digits=8, decimal_places=2, default=0, editable=False)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # Warnings already sent, for the due time they were sent for (a moved due time gets a new warning).
    first_response_warned_for = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_for = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-received_at"]),
            # The list's default order, newest first (-received_at, -id), and its keyset pages' row comparison
            # (received_at, id) < (…): read backwards, for whoever sees many accounts' requests.
            models.Index(fields=["received_at", "id"], name="requests_request_received"),
            models.Index(fields=["status", "resolution_due"]),
            models.Index(fields=["manager", "status"]),
            models.Index(fields=["assignee", "status"]),
        ]

    def __str__(self) -> str:
        return f"№{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("requests:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())


class RequestComment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    # Time the author spent on the request for this step: with touch durations it makes the hours of work that
    # margin per hour and the workload norms are computed from.
    minutes_spent = models.PositiveIntegerField(
        _("time spent, minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WORK_MINUTES)],
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    objects = AccountScopedManager("request__account")

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_spent__isnull=True)
                | Q(minutes_spent__gte=1, minutes_spent__lte=MAX_WORK_MINUTES),
                name="requests_comment_minutes_within_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random: the client's file name is kept in `original_name` and never reaches the disk.
    import uuid

    return f"requests/{instance.request_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    content_type = models.CharField(_("content type"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    objects = AccountScopedManager("request__account")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
