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
