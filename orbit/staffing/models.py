"""Manager profiles (issue 14): the competencies the head lists, every assessment of a person's level as a dated
row (the profile shows the latest and the trend), the lead's written assessments and the training taken.

No path to an account: a profile is about a person; who reads it is decided in `orbit/staffing/permissions.py`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orbit.common.models import ReferenceItem


class Competency(ReferenceItem):
    """One competency of the department's list (negotiation, product knowledge...), edited by the head."""

    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["position", "name_ru"]


class CompetencyAssessment(models.Model):
    """A person's level in a competency as assessed by his lead (or the head) on a day: never edited, a new
    assessment is a new row, so the history is the trend."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="competency_assessments",
    )
    competency = models.ForeignKey(
        Competency, verbose_name=_("competency"), on_delete=models.PROTECT, related_name="assessments"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("competency assessment")
        verbose_name_plural = _("competency assessments")
        ordering = ["competency", "assessed_on", "created_at"]
        indexes = [
            models.Index(fields=["person", "competency", "assessed_on"], name="staffing_assess_person")
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.level} ({self.assessed_on})"


class LeadAssessment(models.Model):
    """The lead's written assessment of a person, with its date (a new one is a new row)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="lead_assessments",
    )
    text = models.TextField(_("assessment"))
    written_on = models.DateField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead's assessment")
        verbose_name_plural = _("lead's assessments")
        ordering = ["-written_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.person} ({self.written_on})"


class Training(models.Model):
    """A course a person took or is taking."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="trainings"
    )
    course = models.CharField(_("course"), max_length=300)
    provider = models.CharField(_("provider"), max_length=300, blank=True)
    started_on = models.DateField(pgettext_lazy("training", "started"))
    finished_on = models.DateField(pgettext_lazy("training", "finished"), null=True, blank=True)
    certificate = models.CharField(_("certificate"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return self.course
