"""Personal data of contacts (152-FZ, GDPR): the consent log, and the audit of erasures and retention runs.

The audit rows hold no personal data: a contact is named by its id only, the request by its reference
(a number and a date, checked not to carry the contact's name, e-mail or phone).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.access.querysets import AccountScopedManager
from orbit.accounts.models import Contact


class ConsentAction(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent of the person")
    CONTRACT = "contract", _("Performance of a contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")


class ConsentRecord(models.Model):
    """One consent given or withdrawn. Append-only: a change of mind is a new record, never an edit."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="consent_records"
    )
    action = models.CharField(_("consent"), max_length=12, choices=ConsentAction.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasis.choices)
    on_date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    objects = AccountScopedManager("contact__account")

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["contact_id", "on_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.purpose}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The consent log is append-only: record a new entry instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The consent log is append-only: record a new entry instead."))


class ErasureKind(models.TextChoices):
    REQUEST = "request", _("On the person's request")
    RETENTION = "retention", _("Retention period over")


class Erasure(models.Model):
    """Audit of one contact made anonymous: who, when, which contact id, on what request. No personal data.

    The contact is named by id only (not a foreign key): the record is the proof, kept whatever happens to
    the row; `counts` says how many rows of each table were rewritten (numbers only)."""

    contact_id = models.BigIntegerField(_("contact id"), unique=True)
    account_id = models.BigIntegerField(_("account id"))
    kind = models.CharField(_("kind"), max_length=12, choices=ErasureKind.choices)
    reference = models.CharField(_("request reference"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("erased"), default=timezone.now)
    counts = models.JSONField(_("rows rewritten"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"#{self.contact_id} {self.kind} {self.at:%Y-%m-%d}"


class RetentionRun(models.Model):
    """One run of the retention rule (the morning run): the cut-off it used and how many contacts it erased."""

    at = models.DateTimeField(_("run"), default=timezone.now)
    years = models.PositiveSmallIntegerField(_("retention, years"))
    churned_before = models.DateTimeField(_("accounts churned before"))
    erased = models.PositiveIntegerField(_("contacts erased"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.erased}"
