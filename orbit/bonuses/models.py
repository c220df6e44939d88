"""Bonus rules versioned by month, and the closed months' frozen statements (docs/managers-bonuses.md).

A rule version is in force from `valid_from` (a month's first day) to `valid_until` (the first day of its last
month, inclusive) or, when that is empty, to the month before the next version. Each version holds one rule per
role (account manager, key account manager, sales manager, team lead). A month is open (its statements are
computed from the ledger, "provisional") until the head closes it; closing stores every statement and line
(`ClosedStatement`, `ClosedLine`), which are never recomputed until the head reopens the month with a reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orbit.org.models import Role
from orbit.revenue.models import MONEY, PERCENT

# The roles a rule is written for, in the order a person's rule is chosen when he has several of them.
RULE_ROLES = (Role.TEAM_LEAD, Role.KEY_ACCOUNT_MANAGER, Role.ACCOUNT_MANAGER, Role.SALES_MANAGER)
ROLE_CHOICES = [(role.value, role.label) for role in RULE_ROLES]


class Base(models.TextChoices):
    REVENUE = "revenue", _("Paid revenue")
    MARGIN = "margin", _("Paid margin")


class RuleVersion(models.Model):
    valid_from = models.DateField(_("valid from"), help_text=_("The first month the rules are in force."))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last month; empty: until the next version."),
    )
    hunter_months = models.PositiveSmallIntegerField(
        _("hunter's months"),
        default=3,
        help_text=_("Months after a completed handoff from sales during which the hunter shares the bonus."),
    )
    hunter_share = models.DecimalField(_("hunter's share, %"), default=50, **PERCENT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("bonus rule version")
        verbose_name_plural = _("bonus rule versions")
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["valid_from"], name="bonuses_version_one_per_month"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="bonuses_version_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m}"


class RoleRule(models.Model):
    """One role's rule in a version: a fixed part, percentages of the paid base by kind of sale
    (`percents`: {sale kind: "2.50"}), a threshold and a cap in % of plan, an accelerator for the part above
    100 % of plan, and a cap on the variable pay a month in money."""

    rule_version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="rules")
    role = models.CharField(_("role"), max_length=32, choices=ROLE_CHOICES)
    fixed = models.DecimalField(_("fixed part a month"), default=0, **MONEY)
    base = models.CharField(_("paid on"), max_length=10, choices=Base.choices, default=Base.REVENUE)
    percents = models.JSONField(_("percentages by kind of sale"), default=dict)
    threshold_percent = models.DecimalField(_("threshold, percent of plan"), default=0, **PERCENT)
    accelerator = models.DecimalField(_("accelerator above plan"), max_digits=5, decimal_places=2, default=1)
    cap_percent = models.DecimalField(
        _("cap, percent of plan"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    cap_amount = models.DecimalField(_("cap on variable pay a month"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("role rule")
        verbose_name_plural = _("role rules")
        constraints = [
            models.UniqueConstraint(fields=["rule_version", "role"], name="bonuses_rule_one_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.rule_version} {self.role}"


class MonthClose(models.Model):
    month = models.DateField(_("month"), unique=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"))

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthReopen(models.Model):
    """A closed month opened again by the head: who, when, why, and what the statements summed to."""

    month = models.DateField(_("month"))
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(_("reopened"))
    reason = models.TextField(_("reason"))
    closed_at = models.DateTimeField(_("had been closed"))
    total_before = models.DecimalField(_("total before"), **MONEY)

    class Meta:
        verbose_name = _("reopened month")
        verbose_name_plural = _("reopened months")
        ordering = ["-reopened_at"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ClosedStatement(models.Model):
    """A person's statement of a closed month as it was when the month was closed."""

    month = models.DateField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, blank=True)
    rule_version = models.ForeignKey(
        RuleVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_label = models.CharField(max_length=60, blank=True)
    base = models.CharField(max_length=10, blank=True)
    plan = models.DecimalField(null=True, blank=True, **MONEY)
    fact = models.DecimalField(default=0, **MONEY)
    fixed = models.DecimalField(default=0, **MONEY)
    variable = models.DecimalField(default=0, **MONEY)
    total = models.DecimalField(default=0, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "person"], name="bonuses_closed_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.person_id}: {self.total}"


class ClosedLine(models.Model):
    """A line of a closed statement: a record of pay, kept as it was. `account_id`, `allocation_id`,
    `payment_id`, `invoice_id` are plain numbers, not links: the allocation may be released later (that is what
    the clawback compares with), and the line is read with its statement, people-scoped (a manager's own pay
    lists the accounts it was earned on, also those that have moved on since), never per account."""

    statement = models.ForeignKey(ClosedStatement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16)
    account_id = models.BigIntegerField(null=True, blank=True)
    account_name = models.CharField(max_length=300, blank=True)
    invoice_id = models.BigIntegerField(null=True, blank=True)
    invoice_number = models.CharField(max_length=60, blank=True)
    payment_id = models.BigIntegerField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    allocation_id = models.BigIntegerField(null=True, blank=True)
    allocation_amount = models.DecimalField(null=True, blank=True, **MONEY)
    paid_base = models.DecimalField(null=True, blank=True, **MONEY)
    base_kind = models.CharField(max_length=10, blank=True)
    sale_kind = models.CharField(max_length=20, blank=True)
    share = models.DecimalField(null=True, blank=True, **PERCENT)
    base = models.DecimalField(null=True, blank=True, **MONEY)
    rate = models.DecimalField(null=True, blank=True, max_digits=7, decimal_places=4)
    amount = models.DecimalField(**MONEY)
    rule_version = models.ForeignKey(
        RuleVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["statement_id", "position"]
        indexes = [models.Index(fields=["allocation_id"])]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.position}: {self.amount}"
