from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class VisibilityPolicy(models.Model):
    """The department's visibility settings, set by the head: one row (pk=1), every change on record."""

    managers_see_team = models.BooleanField(
        _("managers see their whole team's accounts"),
        default=False,
        help_text=_("Off: a manager sees the accounts he is responsible for and the prospects he created."),
    )
    leads_see_subteams = models.BooleanField(
        _("team leads see their sub-teams"),
        default=True,
        help_text=_("Off: a lead sees only his own team, not the teams below it."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visibility policy")
        verbose_name_plural = _("visibility policy")

    def __str__(self) -> str:
        return str(_("Visibility policy"))

    @classmethod
    def current(cls) -> "VisibilityPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
