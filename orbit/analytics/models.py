"""Client analytics: the stored results of the last computation and what changed between computations.

- `AnalyticsSettings`: one row, the thresholds, window and basis the head sets (Orbit's defaults, not the seeds':
  the seeds give Pareto's 80/20 only — see docs/analytics.md).
- `AnalyticsRun`: one computation, full (every account, nightly or on demand) or incremental (the accounts whose
  invoices or payments changed since the last run). It keeps the settings it ran with, the cut points it found
  (so an incremental run classes the changed accounts against the same boundaries), its progress, and the
  department's figures (`summary`: the Pareto curve, the ABC×XYZ cells, RFM segments, key-account share), which
  the head's dashboard reads instead of the million rows.
- `AccountMetrics`: per account, its figures as of the last run that touched it. Pages, lists and charts of a
  manager or a team read these rows through `visible_to`.
- `SegmentChange`: "moved from A to B", "became dormant", "LTV fell by half" — one row per change per run. The
  dated snapshot of any day is the last metrics plus these changes; the account's history, the changes page,
  the manager's day and the notifications read them.
- `ReactivationCase`: a dormant account in its manager's reactivation queue, until it buys again (reactivated)
  or is given up (lost, with a reason).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orbit.access.querysets import AccountScopedManager
from orbit.accounts.models import Account
from orbit.analytics.rfm import Segment
from orbit.common.models import TrackedModel
from orbit.revenue.models import MONEY

PERCENT = {"max_digits": 5, "decimal_places": 2}


class Basis(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    MARGIN = "margin", _("Margin")


class AnalyticsSettings(models.Model):
    """The one row of settings (pk 1). Every default is Orbit's, the common textbook value, not the seeds'."""

    basis = models.CharField(_("ABC basis"), max_length=8, choices=Basis.choices, default=Basis.REVENUE)
    window_months = models.PositiveSmallIntegerField(_("window, months"), default=12)
    abc_a = models.DecimalField(_("A: up to this share of the total, %"), default=80, **PERCENT)
    abc_b = models.DecimalField(_("B: up to this share of the total, %"), default=95, **PERCENT)
    xyz_x = models.DecimalField(_("X up to, coefficient of variation %"), default=10, **PERCENT)
    xyz_y = models.DecimalField(_("Y up to, coefficient of variation %"), default=25, **PERCENT)
    xyz_min_months = models.PositiveSmallIntegerField(_("XYZ needs at least, months of history"), default=6)
    dormant_multiple = models.DecimalField(
        _("dormant after, × the account's typical interval"), max_digits=4, decimal_places=1, default=3
    )
    dormant_floor_days = models.PositiveSmallIntegerField(_("dormant after at least, days"), default=45)
    dormant_cap_days = models.PositiveSmallIntegerField(_("dormant after at most, days"), default=365)
    ltv_horizon_months = models.PositiveSmallIntegerField(_("LTV horizon, months"), default=12)
    ltv_discount_percent = models.DecimalField(_("annual discount rate, %"), default=15, **PERCENT)
    ltv_drop_percent = models.DecimalField(_("report an LTV fall of at least, %"), default=50, **PERCENT)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("analytics settings")
        verbose_name_plural = _("analytics settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="analytics_settings_one_row"),
            models.CheckConstraint(
                condition=Q(abc_a__gt=0, abc_b__gt=models.F("abc_a"), abc_b__lte=100),
                name="analytics_settings_abc_order",
            ),
            models.CheckConstraint(
                condition=Q(xyz_x__gt=0, xyz_y__gt=models.F("xyz_x")), name="analytics_settings_xyz_order"
            ),
            models.CheckConstraint(
                condition=Q(dormant_cap_days__gte=models.F("dormant_floor_days")),
                name="analytics_settings_dormant_floor_cap",
            ),
        ]

    def __str__(self) -> str:
        return str(_("analytics settings"))

    @classmethod
    def current(cls) -> "AnalyticsSettings":
        return cls.objects.get_or_create(pk=1)[0]


# What a run copies into its params (and the settings page edits).
SETTING_FIELDS = (
    "basis",
    "window_months",
    "abc_a",
    "abc_b",
    "xyz_x",
    "xyz_y",
    "xyz_min_months",
    "dormant_multiple",
    "dormant_floor_days",
    "dormant_cap_days",
    "ltv_horizon_months",
    "ltv_discount_percent",
    "ltv_drop_percent",
)


class RunKind(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", pgettext_lazy("analytics run", "Done")
    FAILED = "failed", _("Failed")


class AnalyticsRun(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices, default=RunKind.FULL)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    as_of = models.DateField(
        _("as of"), help_text="The local day the figures describe (the window ends on it)."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    accounts = models.PositiveIntegerField(_("accounts computed"), default=0)
    changes = models.PositiveIntegerField(_("changes found"), default=0)
    # The newest invoice and payment ids the run saw: the next incremental run takes the accounts of later ones.
    last_invoice_id = models.BigIntegerField(default=0)
    last_payment_id = models.BigIntegerField(default=0)
    # The settings the run used and the boundaries it found (ABC cut totals, RFM breakpoints, LTV parameters).
    params = models.JSONField(default=dict, blank=True)
    # The department's figures for readers who see every account (docs/analytics.md).
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("analytics run")
        verbose_name_plural = _("analytics runs")
        ordering = ["-id"]
        constraints = [
            # One run at a time: a second request while one is queued or running gets that one.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status__in=["queued", "running"]),
                name="analytics_one_run_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.as_of} ({self.status})"

    @property
    def step_label(self):
        from orbit.analytics.compute import STEP_LABELS

        return STEP_LABELS.get(self.step, "")

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at and self.started_at else None

    @property
    def percent(self) -> int:
        return 100 * self.steps_done // self.steps_total if self.steps_total else 0


class AccountMetrics(models.Model):
    """An account's figures as of `as_of` (the run that last computed it). Money in the base currency.
    Empty strings and nulls mean "no figure": no class without revenue history, no RFM score without a purchase
    in the window, no prediction before the first purchase."""

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.CASCADE, related_name="metrics"
    )
    run = models.ForeignKey(AnalyticsRun, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    # The window (settings.window_months whole local months ending with the month of as_of)
    window_revenue = models.DecimalField(_("revenue in the window"), **MONEY)
    window_margin = models.DecimalField(_("margin in the window"), **MONEY)
    abc = models.CharField(_("ABC"), max_length=1, blank=True)
    xyz = models.CharField(_("XYZ"), max_length=1, blank=True)
    cv_percent = models.DecimalField(
        _("coefficient of variation, %"), null=True, blank=True, max_digits=9, decimal_places=2
    )
    # Purchases: days with an invoice (credit notes are not purchases)
    first_purchase_on = models.DateField(_("first purchase"), null=True, blank=True)
    last_purchase_on = models.DateField(_("last purchase"), null=True, blank=True)
    purchase_days = models.PositiveIntegerField(_("purchase days, all time"), default=0)
    window_purchase_days = models.PositiveIntegerField(_("purchase days in the window"), default=0)
    typical_interval_days = models.DecimalField(
        _("typical interval, days"), null=True, blank=True, max_digits=9, decimal_places=1
    )
    dormant_after_days = models.PositiveIntegerField(_("dormant after, days"), null=True, blank=True)
    is_dormant = models.BooleanField(_("dormant"), default=False)
    # RFM over the accounts that bought in the window
    recency = models.PositiveSmallIntegerField(null=True, blank=True)
    frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    monetary = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_segment = models.CharField(_("RFM segment"), max_length=16, choices=Segment.choices, blank=True)
    # LTV: the margin to date, and the BG/NBD + Gamma-Gamma prediction over settings.ltv_horizon_months
    margin_to_date = models.DecimalField(_("margin to date"), **MONEY)
    revenue_to_date = models.DecimalField(_("revenue to date"), **MONEY)
    p_alive = models.DecimalField(
        _("probability alive"), null=True, blank=True, max_digits=5, decimal_places=4
    )
    expected_purchases = models.DecimalField(
        _("expected purchases"), null=True, blank=True, max_digits=10, decimal_places=3
    )
    expected_spend = models.DecimalField(_("expected spend per purchase"), null=True, blank=True, **MONEY)
    clv = models.DecimalField(_("predicted LTV (discounted revenue)"), null=True, blank=True, **MONEY)
    clv_margin = models.DecimalField(_("predicted LTV (discounted margin)"), null=True, blank=True, **MONEY)
    objects = AccountScopedManager("account")

    # Sorting by predicted LTV (largest first, accounts without a prediction last) uses a PostgreSQL index
    # with NULLS LAST, made in migration 0002: SQLite (the demo) has no such index and needs none.

    class Meta:
        verbose_name = _("account figures")
        verbose_name_plural = _("account figures")
        indexes = [
            models.Index(fields=["abc", "xyz"]),
            models.Index(fields=["rfm_segment"]),
            models.Index(models.F("window_revenue").desc(), name="analytics_metrics_revenue"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.as_of}: {self.abc}{self.xyz} {self.rfm_segment}"


class ChangeKind(models.TextChoices):
    ABC = "abc", _("ABC class")
    XYZ = "xyz", _("XYZ class")
    RFM = "rfm", _("RFM segment")
    DORMANT = "dormant", _("Became dormant")
    AWAKE = "awake", _("Bought again")
    LTV_DROP = "ltv_drop", _("LTV fell")


class SegmentChange(models.Model):
    """One change of one account found by one run: `old` → `new` (class letters, segment codes, or for LTV the
    old and new predicted value as decimal strings)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(AnalyticsRun, on_delete=models.CASCADE, related_name="segment_changes")
    on = models.DateField(
        pgettext_lazy("date of a change", "on"), db_column="changed_on"
    )  # ON is an SQL keyword
    kind = models.CharField(_("what changed"), max_length=10, choices=ChangeKind.choices)
    old = models.CharField(_("was"), max_length=32, blank=True)
    new = models.CharField(_("became"), max_length=32, blank=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("segment change")
        verbose_name_plural = _("segment changes")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["account", "-on"]), models.Index(fields=["run", "kind"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind}: {self.old} → {self.new}"


class ReactivationStatus(models.TextChoices):
    OPEN = "open", _("In the queue")
    REACTIVATED = "reactivated", _("Reactivated")
    LOST = "lost", _("Lost")


class ReactivationCase(TrackedModel):
    """A dormant account in the reactivation queue of its manager. Opened by the run that found it dormant;
    closed as reactivated by the run that sees a new purchase, or as lost by the manager with a reason."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("dormant since"))
    last_purchase_on = models.DateField(_("last purchase"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReactivationStatus.choices, default=ReactivationStatus.OPEN
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lost_reason = models.CharField(_("reason"), max_length=300, blank=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("reactivation case")
        verbose_name_plural = _("reactivation cases")
        ordering = ["opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="open"), name="analytics_one_open_case_per_account"
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | ~Q(lost_reason=""), name="analytics_lost_case_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["manager", "status", "opened_on"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.status} since {self.opened_on}"
