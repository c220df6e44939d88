from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

# Each choice field's {value: lazy label}, made once: the labels stay lazy, so each call still answers in the
# active language. (Orbit's choices are fixed lists, none computed per call.)
_CHOICE_LABELS: dict[models.Field, dict] = {}


class TrackedModel(models.Model):
    """Created/updated stamps, the author, an optimistic-lock version and archiving instead of deletion."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Bumped by every update through a service; a writer holding an older version gets a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def _get_FIELD_display(self, field):
        # Django's own builds a dict of the choices on every call, hashing each lazy label (a translation lookup
        # apiece): a list page of 25 accounts showing status and tier paid a millisecond for it. Same answer.
        labels = _CHOICE_LABELS.get(field)
        if labels is None:
            labels = _CHOICE_LABELS[field] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


def name_field() -> str:
    """The field of a two-language name ("name_ru", "name_en") in the active language."""
    from django.utils.translation import get_language

    return "name_en" if (get_language() or "ru").startswith("en") else "name_ru"


class ReferenceItem(models.Model):
    """A small admin-edited list (industries, regions, segments) with a name in both languages."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["name_ru"]

    def __str__(self) -> str:
        return getattr(self, name_field())


class IdempotencyKey(models.Model):
    """A write that has been done once for a key: a form render's hidden key or an API `Idempotency-Key`.

    The unique (user, key) pair is what makes a replay harmless: of two posts with one key, however close, one
    inserts the row (in the same transaction as the write it guards), the other waits for it and then finds
    the first result (`result_id`) instead of writing a second row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=60, help_text="Which write: e.g. `touch_log`.")
    result_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
