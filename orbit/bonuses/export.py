"""A statement as an XLSX workbook (openpyxl). Text that a spreadsheet would take for a formula (starting with
=, +, -, @, a tab or a carriage return) is written as text, never as a formula (CSV/formula injection)."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from orbit.bonuses.statements import Statement
from orbit.imports.exporting import FORMULA_STARTS


def _put(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # a string, whatever it starts with: openpyxl would store "=…" as a formula


def statement_xlsx(statement: Statement, currency: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{statement.month:%Y-%m}"
    status = _("closed") if statement.closed else _("provisional")
    head = [
        (_("Person"), statement.person_name),
        (_("Month"), f"{statement.month:%m.%Y}"),
        (_("Status"), status),
        (_("Rules in force from"), statement.rule_label or "—"),
        (_("Plan"), statement.plan),
        (_("Fact (bonus base)"), statement.fact),
        (_("Currency"), currency),
    ]
    for n, (label, value) in enumerate(head, start=1):
        _put(sheet, n, 1, label)
        _put(sheet, n, 2, value)
    columns = [
        _("Line"),
        _("Account"),
        _("Invoice"),
        _("Payment"),
        _("Received"),
        _("Allocation"),
        _("Kind of sale"),
        _("Share, %"),
        _("Base"),
        _("Rate, %"),
        _("Amount"),
        _("Note"),
    ]
    top = len(head) + 2
    for column, label in enumerate(columns, start=1):
        _put(sheet, top, column, label)
    row = top
    for line in statement.lines:
        row += 1
        values: list = [
            line.kind_label,
            line.account_name,
            line.invoice_number,
            line.payment_id,
            line.received_on,
            line.allocation_amount,
            line.sale_kind_label,
            line.share,
            line.base,
            line.rate,
            line.amount,
            line.note,
        ]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
        sheet.cell(row=row, column=5).number_format = "DD.MM.YYYY"
    _put(sheet, row + 1, 1, _("Total"))
    _put(sheet, row + 1, 11, statement.total)
    for column in range(6, 12):
        for cells in sheet.iter_rows(min_row=top + 1, max_row=row + 1, min_col=column, max_col=column):
            for cell in cells:
                if column != 7:
                    cell.number_format = "#,##0.00"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
