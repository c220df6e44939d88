"""Taking a list out as CSV or XLSX: streamed row by row, safe to open in a spreadsheet, and on record.

- **Formula injection** (a SuiteCRM CVE, OWASP's "CSV injection"): a text cell beginning with = + - @, a tab
  or a carriage return would run as a formula where the file is opened; it is written with a leading
  apostrophe, which spreadsheets show as text. Numbers, dates and amounts are written as such.
- **CSV** as Russian Excel opens it by double click: UTF-8 with a byte-order mark, ";" between cells, CRLF.
- **XLSX** with openpyxl's write-only mode (rows are not kept in memory), into a temporary file that spills to
  disk past a few megabytes.
- Every export is recorded (`ExportLog`: who, which list, which filters, how many rows), written when the last
  row has gone out.
- A list is a `ListExport`: its columns and the page's own selector read with the page's query string, so the
  same list can be written now (a download) or later by the background worker (`export_background.py`).
"""

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone

from orbit.imports.models import ExportLog

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet runs as a formula


def safe(value):
    """A cell's value as written: texts that a spreadsheet would run are neutralised, numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal | float | dt.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    header: object  # a lazy translation
    value: Callable  # row -> cell value


@dataclass(frozen=True)
class ListExport:
    name: str  # the audit's list name and the address: /exports/<name>/
    title: object  # a lazy translation: the file's name and the sheet's
    columns: list[Column]
    rows: Callable[
        [object, QueryDict], QuerySet | list
    ]  # (user, params) -> the page's rows, filtered, sorted


def count(rows: QuerySet | list) -> int:
    return rows.count() if isinstance(rows, QuerySet) else len(rows)


def longer_than(rows: QuerySet | list, limit: int) -> bool:
    """Whether there are more than `limit` rows, counting no further (a COUNT of a million rows is what the
    list pages' capped paginator avoids too)."""
    if isinstance(rows, QuerySet):
        return rows.order_by()[: limit + 1].count() > limit
    return len(rows) > limit


def each(rows: QuerySet | list) -> Iterable:
    """Rows one by one; a queryset in chunks (iterator()), so a million rows are never held at once."""
    return rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else rows


def _rows(columns: list[Column], items: Iterable) -> Iterator[list]:
    for item in items:
        yield [safe(column.value(item)) for column in columns]


class _Echo:
    def write(self, value):
        return value


def csv_chunks(columns: list[Column], items: Iterable, done: Callable[[int], None]) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode() + writer.writerow([str(c.header) for c in columns]).encode()
    count = 0
    for row in _rows(columns, items):
        count += 1
        yield writer.writerow(["" if v is None else v for v in _csv_values(row)]).encode()
    done(count)


def _csv_values(row: list) -> list:
    """Dates as 31.12.2025 and amounts with a decimal comma: what Russian Excel reads as a date and a number."""
    shown = []
    for value in row:
        if isinstance(value, dt.datetime):
            value = _local(value).strftime("%d.%m.%Y %H:%M")
        elif isinstance(value, dt.date):
            value = value.strftime("%d.%m.%Y")
        elif isinstance(value, Decimal | float):
            value = str(value).replace(".", ",")
        shown.append(value)
    return shown


def xlsx_file(columns: list[Column], items: Iterable, title: str) -> tuple[io.IOBase, int]:
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    count = write_xlsx(spool, columns, items, title)
    spool.seek(0)
    return spool, count


def write_xlsx(target, columns: list[Column], items: Iterable, title: str) -> int:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([str(c.header) for c in columns])
    count = 0
    for row in _rows(columns, items):
        count += 1
        # XLSX has no time zones: a moment is written as the user's local wall-clock time.
        sheet.append([_local(v) if isinstance(v, dt.datetime) else v for v in row])
    book.save(target)
    return count


def write_csv(target, columns: list[Column], items: Iterable) -> int:
    written: list[int] = []
    for chunk in csv_chunks(columns, items, written.append):
        target.write(chunk)
    return written[0]


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def export_response(
    *, by, list_name: str, query: str, fmt: str, columns: list[Column], items: Iterable, file_stem: str
):
    """The export as a download; recorded in ExportLog once its rows are counted."""

    def record(rows: int) -> None:
        ExportLog.objects.create(by=by, list_name=list_name, query=query[:2000], format=fmt, rows=rows)

    if fmt == "xlsx":
        spool, count = xlsx_file(columns, items, file_stem)
        record(count)
        return FileResponse(spool, as_attachment=True, filename=f"{file_stem}.xlsx")
    response = StreamingHttpResponse(
        csv_chunks(columns, items, record), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_stem}.csv"'
    return response
