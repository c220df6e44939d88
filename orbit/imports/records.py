"""The row loop and the undo record shared by the kinds whose records hang off an account (contacts, touches):
each row in a savepoint, its errors and outcome on the report, and after a commit one ImportedRow per record
created or changed (`target`, `object_id`, its account, its version after the import)."""

from collections.abc import Callable

from django.db import models, transaction
from django.utils.translation import gettext as _

from orbit.imports.engine import Report, Row, RowError, RowFailed, readable_rows
from orbit.imports.models import ImportedRow
from orbit.imports.reading import Table


def no_columns_for(table: Table, report: Report, missing: list[str]) -> bool:
    """Report the fields the header has no column for (on the header row); True when some are missing."""
    if missing:
        message = _("No column for: %(fields)s. Map it and try again.") % {"fields": ", ".join(missing)}
        report.errors.append(RowError(table.header_row, "", "", message))
        report.failed = 1
    return bool(missing)


def each_row(
    table: Table,
    columns: dict[int, str],
    report: Report,
    one: Callable[[Row], tuple[models.Model | None, str]],
) -> None:
    """Run `one` on every row in a savepoint (a failed row leaves nothing behind); it returns the record (None
    for a row left out) and "new", "updated" or "unchanged", or raises RowFailed with its reasons on the row.
    The row's warnings go to the report whatever its outcome."""
    for row in readable_rows(table, columns, report):
        try:
            with transaction.atomic():
                record, outcome = one(row)
        except RowFailed:
            record, outcome = None, "failed"
        report.errors.extend(row.errors)
        report.warn(row.warnings)
        report.count(outcome)
        if record is not None and outcome in ("new", "updated"):
            report.touched[record.pk] = (row.number, outcome, row.before, record.account_id)  # type: ignore[attr-defined]


def remember(model: type[models.Model], target: str) -> Callable[[Report], None]:
    """A kind's `remember`: what the import did to each record of `model`, for its undo. `report.touched` maps a
    record's id to (row, "new"/"updated", values before, account id); a model with a version keeps the one the
    import left, so that the undo sees a later change."""
    versioned = any(f.name == "version" for f in model._meta.concrete_fields)

    def keep(report: Report) -> None:
        versions = (
            dict(model._default_manager.filter(pk__in=report.touched).values_list("pk", "version"))
            if versioned
            else {}
        )
        ImportedRow.objects.bulk_create(
            ImportedRow(
                batch_id=report.batch_id,
                account_id=account_id,
                target=target,
                object_id=pk,
                row=row,
                action=action,
                before=before,
                version_after=versions.get(pk),
            )
            for pk, (row, action, before, account_id) in report.touched.items()
        )

    return keep
