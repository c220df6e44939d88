"""What the workload area stores: the head's per-tier overrides of the norms (every change a new row, so the
norms in force at any moment stay on record) and the per-person settings (the hybrid's hunting share).

Demand, capacity and load are computed, never stored (orbit/workload/norms.py, demand.py, capacity.py).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orbit.accounts.models import Tier


class NormOverride(models.Model):
    """The head's figures for one tier from `created_at` on; an empty field keeps the figure from history.

    Append-only: the latest row of a tier is in force; `version` counts the tier's rows, and a change made
    from an older version is refused (someone else changed the norms meanwhile)."""

    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices)
    version = models.PositiveIntegerField(default=1)
    touches_per_month = models.DecimalField(
        _("touches a month"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    touch_minutes = models.DecimalField(
        _("minutes per touch"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    requests_per_month = models.DecimalField(
        _("requests a month"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    request_minutes = models.DecimalField(
        _("minutes per request"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workload norm")
        verbose_name_plural = _("workload norms")
        ordering = ["tier", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "version"], name="workload_norm_tier_version"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} v{self.version}"


class PersonSetting(models.Model):
    """Per person: the share of a hybrid hunter-farmer's time kept for hunting (None = Orbit's default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workload_setting"
    )
    hunting_percent = models.PositiveSmallIntegerField(
        _("share kept for hunting, %"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("workload setting")
        verbose_name_plural = _("workload settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hunting_percent__lte=100), name="workload_hunting_percent_max"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class Rebalance(models.Model):
    """An applied rebalancing proposal: who applied it for which team, and the handoffs it started."""

    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # [{"group": root account id, "accounts": [ids], "from": user id, "to": user id, "handoffs": [ids]}]
    lines = models.JSONField(default=list)

    class Meta:
        verbose_name = _("rebalancing")
        verbose_name_plural = _("rebalancings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.team_id} {self.created_at:%Y-%m-%d}"
