"""A list's saved views: its filters, sort and columns under a name, personal or shared with the team."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """The lists a saved view can belong to; another list adds itself here and to rules.LIST_URLS."""

    ACCOUNTS = "accounts", _("Accounts")


class SavedView(models.Model):
    """A list's filters, sort and columns under a name: the list's query string, applied to what the viewer
    may see (a shared view never widens visibility). Who reads a view: orbit/savedviews/rules.py."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    kind = models.CharField(_("list"), max_length=30, choices=ListKind.choices)
    name = models.CharField(_("name"), max_length=80)
    query = models.TextField(_("query"), blank=True, help_text="The list's query string, without the page.")
    shared = models.BooleanField(_("shared with my team"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "owner", "kind", name="savedviews_name_once_per_owner_and_list"
            )
        ]
        indexes = [models.Index(fields=["kind", "shared"])]

    def __str__(self) -> str:
        return self.name
