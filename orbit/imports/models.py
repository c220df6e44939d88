"""The import history: who imported which file, when, with which mapping, and what it did."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orbit.access.querysets import AccountScopedManager


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    OWNERSHIP = "ownership", _("Ownership history")
    INVOICES = "invoices", _("Invoices")
    PAYMENTS = "payments", _("Payments")
    TOUCHES = "touches", _("Touches")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the background worker")
    RUNNING = "running", _("Importing")
    CHECKED = "checked", _("Checked: nothing imported yet")  # a background preview (a dry run) is done
    COMMITTED = "committed", _("Committed")
    REFUSED = "refused", _("Refused: nothing imported")
    UNDONE = "undone", _("Undone")


class ImportBatch(models.Model):
    kind = models.CharField(_("what"), max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("imported"), auto_now_add=True)
    mapping = models.JSONField(_("mapping"), default=dict)  # header → field key, as applied
    options = models.JSONField(default=dict)  # on duplicates, date format, preset
    counts = models.JSONField(default=dict)  # new, updated, unchanged, failed
    errors = models.JSONField(default=list)  # the row report, as the user saw it
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    # A large file runs in the background (imports/import_background.py): how far it got. While it runs, the live figure
    # is in the "progress" cache (this row is written in the import's own transaction); here when it is done.
    dry_run = models.BooleanField(default=False)  # a background preview: not in the import history
    rows_done = models.PositiveIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} {self.at:%Y-%m-%d %H:%M}"


class ImportedRow(models.Model):
    """What a committed import did to one record, so that it can be undone while nobody has changed it since:
    created it, or updated it from `before` (the fields it changed, with their values before). Every record an
    import brings is an account's (a contact, an invoice, a touch…): `account` scopes it, `target` and
    `object_id` name it."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=40, default="accounts.account")  # the record's model label
    object_id = models.BigIntegerField(null=True, blank=True)
    row = models.PositiveIntegerField()
    action = models.CharField(max_length=8)  # "new" or "updated"
    before = models.JSONField(default=dict)
    version_after = models.PositiveIntegerField(null=True, blank=True)  # for records that have a version
    objects = AccountScopedManager("account")

    class Meta:
        ordering = ["batch_id", "row"]

    def __str__(self) -> str:
        return f"{self.batch_id} row {self.row}: {self.action} {self.account_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the background worker")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired: the file was removed")


class ExportLog(models.Model):
    """Who took which list out, with which filters, and how many rows (an export is audited).

    A list over ORBIT_EXPORT_BACKGROUND_ROWS is written by the background worker: the same row then carries its
    progress (`rows` of `total`), the file under MEDIA_ROOT and its outcome, so the audit and the job are one."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("exported"), auto_now_add=True)
    list_name = models.CharField(_("list"), max_length=60)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    format = models.CharField(_("format"), max_length=8)
    rows = models.PositiveIntegerField(_("rows"), default=0)  # written so far, in the background
    background = models.BooleanField(_("in the background"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.DONE
    )
    total = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)  # counted by the worker
    file = models.CharField(_("file"), max_length=255, blank=True)  # relative to MEDIA_ROOT
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.by} {self.list_name} {self.format} {self.rows}"

    @property
    def is_finished(self) -> bool:
        return self.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING)


class SavedMapping(models.Model):
    """A mapping someone fixed once and named ("1С выгрузка клиентов"), offered to everyone who imports that kind,
    next to the built-in presets: the department's recurring files are mapped once."""

    kind = models.CharField(_("what"), max_length=16, choices=ImportKind.choices)
    name = models.CharField(_("name"), max_length=80)
    mapping = models.JSONField(default=dict)  # header → field key; "" leaves a column out
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="imports_savedmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
