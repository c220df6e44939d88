"""Growing accounts: the sales pipeline (opportunities through configurable stages), the projects a won deal
starts, and the revenue and margin plans per manager and team.

Rules the schema keeps (the services in this app are the only writers):
- A stage belongs to one pipeline; an opportunity's stage is always a stage of its pipeline, and its `status`
  is the stage's outcome (open, won, lost), copied so boards and sums filter on one indexed column.
- Amounts are `numeric` money (2 places). `amount_base` is the amount in the base currency at the rate of the
  day it was last set (`rate`), so the weighted pipeline sums one column; weighted = amount_base × probability.
- Every stage change is a time-stamped row (`OpportunityStageChange`): "has it passed the required step?",
  days in stage and win rates are read from it, and later rules read it set-based.
- An open opportunity's `owner` and a running project's `account_manager` move with the account's
  responsibility (orbit.accounts.open_work); the project manager stays.
- A plan belongs to exactly one person or one team for one month.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orbit.access.querysets import AccountScopedManager
from orbit.accounts.models import Account, Currency
from orbit.common.models import ReferenceItem, TrackedModel, name_field
from orbit.revenue.models import MONEY, RATE, ProductLine

# --- Reference data: pipelines, their stages, reasons for losing -------------------------------------------


class Pipeline(ReferenceItem):
    """A sales process with its own stages: e.g. the hunters' "New business" and the farmers' "Account growth"."""

    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "id"]


class StageOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Stage(models.Model):
    """A step of a pipeline. `probability` is the default chance to win from this stage (the opportunity may
    override it); a `required` stage cannot be skipped on the way to a later open stage or to won."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("code"), max_length=64)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"))
    probability = models.PositiveSmallIntegerField(_("probability, %"))
    required = models.BooleanField(_("cannot be skipped"), default=False)
    outcome = models.CharField(
        _("stage outcome"), max_length=8, choices=StageOutcome.choices, default=StageOutcome.OPEN
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "code"], name="growth_stage_code_per_pipeline"),
            models.UniqueConstraint(
                fields=["pipeline", "position"], name="growth_stage_position_per_pipeline"
            ),
            models.CheckConstraint(condition=Q(probability__lte=100), name="growth_stage_probability_le_100"),
        ]

    def __str__(self) -> str:
        return getattr(self, name_field())


class LostReason(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("reason for losing")
        verbose_name_plural = _("reasons for losing")


# --- Opportunities ----------------------------------------------------------------------------------------


class OpportunityKind(models.TextChoices):
    NEW_BUSINESS = "new", _("New business")
    UPSELL = "upsell", _("Upsell")
    CROSS_SELL = "cross_sell", _("Cross-sell")
    RENEWAL = "renewal", _("Renewal")
    REACTIVATION = "reactivation", _("Reactivation")


class Opportunity(TrackedModel):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="opportunities"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OpportunityKind.choices)
    title = models.CharField(_("opportunity title"), max_length=300)
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=8, choices=StageOutcome.choices, default=StageOutcome.OPEN, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.RUB)
    rate = models.DecimalField(_("rate to the base currency"), default=1, **RATE)
    amount_base = models.DecimalField(_("amount, base currency"), default=0, **MONEY)
    probability = models.PositiveSmallIntegerField(_("probability, %"))
    expected_close_on = models.DateField(_("expected close date"))
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("reason for losing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lost_note = models.CharField(_("why it was lost"), max_length=500, blank=True)
    closed_on = models.DateField(pgettext_lazy("opportunity", "closed"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("in this stage since"))
    description = models.TextField(_("description"), blank=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="growth_opportunity_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="growth_opportunity_probability_le_100"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                name="growth_opportunity_closed_iff_not_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | Q(lost_reason__isnull=False),
                name="growth_opportunity_lost_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "stage"], name="growth_opp_owner_status"),
            models.Index(fields=["pipeline", "status", "stage"], name="growth_opp_pipeline_status"),
            models.Index(fields=["account", "status"], name="growth_opp_account_status"),
            models.Index(
                fields=["account", "product_line"], condition=Q(status="open"), name="growth_opp_open_gap"
            ),
            # The board's columns (a stage's first cards by close date) and the list's default order: an index
            # scan that stops after a page instead of sorting every open opportunity (measured at 600,000 open:
            # 167 ms → 0.2 ms a column).
            models.Index(
                fields=["stage", "expected_close_on", "id"],
                condition=Q(status="open"),
                name="growth_opp_open_stage_close",
            ),
            models.Index(
                fields=["expected_close_on", "id"], condition=Q(status="open"), name="growth_opp_open_close"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def weighted_base(self):
        return self.amount_base * self.probability / 100


class OpportunityStageChange(models.Model):
    """One move of an opportunity (creation included: `from_stage` is empty)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    objects = AccountScopedManager("opportunity__account")

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} -> {self.to_stage_id}"


# --- Projects: what a won deal starts -------------------------------------------------------------------


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("project", "Planned")
    ACTIVE = "active", _("In progress")
    DONE = "done", pgettext_lazy("project", "Done")
    CANCELLED = "cancelled", pgettext_lazy("project", "Cancelled")


RUNNING_PROJECT = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE)


class Project(TrackedModel):
    """A piece of work for the client led by a project manager (on the account team); the account manager is
    told at each stage, so he stays in the loop (the seeds insist on it) and moves with the account."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="projects"
    )
    opportunity = models.OneToOneField(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project",
    )
    name = models.CharField(_("name"), max_length=300)
    project_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project manager"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    description = models.TextField(_("description"), blank=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="growth_project_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "status"], name="growth_project_account_status"),
            models.Index(fields=["project_manager", "status"], name="growth_project_pm_status"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStageStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("project", "Planned")
    ACTIVE = "active", _("In progress")
    DONE = "done", pgettext_lazy("project", "Done")
    SKIPPED = "skipped", _("Skipped")


class ProjectStage(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"))
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStageStatus.choices, default=ProjectStageStatus.PLANNED
    )
    started_at = models.DateTimeField(pgettext_lazy("project", "started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    objects = AccountScopedManager("project__account")

    class Meta:
        verbose_name = _("project stage")
        verbose_name_plural = _("project stages")
        ordering = ["project_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "position"], name="growth_project_stage_position"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="growth_stage_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}.{self.position} {self.name}"


class PlannedWork(models.Model):
    """A visit, installation, training… planned for the client: the project's calendar."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="works")
    stage = models.ForeignKey(
        ProjectStage,
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="works",
    )
    title = models.CharField(_("what"), max_length=300)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who does it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    location = models.CharField(_("where"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    objects = AccountScopedManager("project__account")

    class Meta:
        verbose_name = _("planned work")
        verbose_name_plural = _("planned work")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="growth_work_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["project", "starts_at"], name="growth_work_project_start")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.title}"


# --- Plans --------------------------------------------------------------------------------------------------


class SalesPlan(models.Model):
    """What a manager or a team should bring in a month: revenue and margin, net of VAT, in the base currency.
    Fact is read from the ledger: invoiced (invoice lines by their manager and month) and paid (allocations of
    payments received that month by the payment's manager), see growth.plans."""

    month = models.DateField(_("month"), help_text="The first day of the month.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_plans",
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_plans",
    )
    revenue = models.DecimalField(_("revenue plan"), **MONEY)
    margin = models.DecimalField(_("margin plan"), **MONEY)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="growth_plan_person_or_team",
            ),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="growth_plan_revenue_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="growth_plan_month_first_day"),
            models.UniqueConstraint(
                fields=["user", "month"], condition=Q(user__isnull=False), name="growth_plan_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["team", "month"], condition=Q(team__isnull=False), name="growth_plan_one_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.user_id or ''}{self.team_id or ''}: {self.revenue}"
