from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedRanking(models.Model):
    """A contest ranking of a period as the head published it: a stored snapshot (figures as they were then),
    visible to every manager. Publishing the same period again stores a new snapshot; the latest is shown."""

    period = models.CharField(_("period"), max_length=8)  # "2026-11", "2026-Q4", "2026"
    basis = models.CharField(_("basis"), max_length=32, default="paid_plan_then_margin_per_hour")
    rows = models.JSONField(default=list)  # [{person, name, rank, ...}] in rank order; money as strings
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("published ranking")
        verbose_name_plural = _("published rankings")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["period", "-published_at"])]

    def __str__(self) -> str:
        return f"{self.period} {self.published_at:%Y-%m-%d}"


class KpiSnapshot(models.Model):
    """Every manager's raw KPI figures of one period as computed at `computed_at` (orbit/kpi/snapshots.py): the
    page reads them while they are fresh instead of recomputing a million accounts' figures per request. Holds
    totals per person only; who may see which person is decided when the page is read."""

    period = models.CharField(_("period"), max_length=8, unique=True)
    computed_at = models.DateTimeField(_("computed"))
    as_of = models.DateField()
    seconds = models.FloatField(default=0)  # how long the computation took
    rows = models.JSONField(default=dict)
    team_plans = models.JSONField(default=dict)
    facts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")

    def __str__(self) -> str:
        return f"{self.period} {self.computed_at:%Y-%m-%d %H:%M}"
