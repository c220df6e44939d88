"""Reading a client's spreadsheet, row by row, with flat memory whatever its size (issue 15).

What real files look like: CSV from Excel in Windows-1251 with ";" between cells, UTF-8 with or without a
byte-order mark from a CRM's export, "," or tab as the delimiter; XLSX with a title row above the header, a
header spread over two rows under merged group cells, empty rows and columns left at the end. `open_table`
finds the encoding, the delimiter and the header, and gives the rows with their numbers as a spreadsheet shows
them (the first line is row 1), skipping empty ones. It refuses, with a message for the user, what is not a
table: an empty file, a file that is neither CSV nor XLSX, a zip bomb dressed as XLSX, a table of thousands of
columns.

Only three encodings are asked of us (UTF-8, UTF-8 with BOM, Windows-1251), so the detection is by hand: a
BOM, else strict UTF-8 over the first block, else Windows-1251 (which decodes any byte). XLSX is read by
openpyxl in read-only mode, which streams the sheet's XML instead of building it in memory.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024  # enough to tell the encoding and the delimiter of any export seen
DELIMITERS = (";", ",", "\t")
# Orbit's defaults, not the seeds': the widest real export seen has a few hundred columns; an XLSX inflating to
# more than 100 times its size and 200 MB is a zip bomb, not a client base.
MAX_COLUMNS = 500
MAX_INFLATION = 100
MAX_INFLATED_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 10  # a title or notes above the header: the header is the first row that looks like one

Cell = Any  # str from CSV; str, int, float, datetime or None from XLSX


class FileProblem(Exception):
    """The file as a whole cannot be read: the message is for the user, in his language."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the file's first line is 1
    cells: list[Cell]


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    header: list[str]
    header_row: int
    rows: Iterator[Row]
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)  # what was guessed, to show the user


def open_table(stream: IO[bytes], name: str = "") -> Table:
    """The table in `stream` (a binary file, read once, from its start)."""
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise FileProblem(_("The file is empty."), "empty")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(stream)
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")) or b"\x00" in head:
        raise FileProblem(
            _("This is not a spreadsheet Orbit can read: save it as XLSX or CSV and try again."),
            "not_a_table",
        )
    return _open_csv(stream)


# --- CSV -------------------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the block's end is not an error
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    """The delimiter of the header line: the one of ; , tab that splits it into the most cells (outside quotes)."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in DELIMITERS}
    best = max(
        DELIMITERS, key=lambda d: counts[d]
    )  # ties: the order of DELIMITERS, ";" first (Russian Excel)
    return best


def _open_csv(stream: IO[bytes]) -> Table:
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    encoding = detect_encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(text_sample)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    # A record is a spreadsheet row even when a quoted cell holds line breaks: rows are counted, not lines.
    numbered = enumerate(_records(csv.reader(text, delimiter=delimiter, strict=True)), start=1)
    table = _with_header(numbered, "csv")
    table.encoding, table.delimiter = encoding, delimiter
    names = {"utf-8": "UTF-8", "utf-8-sig": _("UTF-8 with BOM"), "cp1251": "Windows-1251"}
    shown = {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}
    table.notes = [
        _("Encoding: %(encoding)s; delimiter: %(delimiter)s.")
        % {"encoding": names[encoding], "delimiter": shown[delimiter]}
    ]
    return table


def _records(reader) -> Iterator[list[str]]:
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 - the number is for the message below
            yield cells
    except csv.Error as exc:
        raise FileProblem(
            _("Row %(row)s cannot be read (%(reason)s): look for a quote that is opened and never closed.")
            % {"row": number + 1, "reason": exc},
            "bad_row",
        ) from exc


# --- XLSX ------------------------------------------------------------------------------------------------


def _check_zip(stream: IO[bytes]) -> None:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        raise FileProblem(
            _("The XLSX file is damaged: open it in Excel and save it again."), "bad_zip"
        ) from None
    packed = sum(i.compress_size for i in archive.infolist()) or 1
    inflated = sum(i.file_size for i in archive.infolist())
    if inflated > MAX_INFLATED_BYTES or (inflated > MAX_INFLATION * packed and inflated > 10 * 1024 * 1024):
        raise FileProblem(
            _("The XLSX file unpacks to %(size)s MB: this is not a client base. Split it or save it as CSV.")
            % {"size": inflated // (1024 * 1024)},
            "zip_bomb",
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise FileProblem(
            _("This is not a spreadsheet Orbit can read: save it as XLSX or CSV and try again."),
            "not_a_table",
        )
    stream.seek(0)


def _open_xlsx(stream: IO[bytes]) -> Table:
    import openpyxl  # only here: CSV imports never need it

    _check_zip(stream)
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook; all mean "cannot read"
        raise FileProblem(
            _("The XLSX file is damaged: open it in Excel and save it again."), "bad_xlsx"
        ) from exc
    sheet = book.worksheets[0]
    if sheet.max_column and sheet.max_column > MAX_COLUMNS * 2:
        # The sheet's declared size: refuse before reading a row (a trailing empty column is trimmed later).
        _too_wide(sheet.max_column)
    numbered = (
        (number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    )
    table = _with_header(numbered, "xlsx")
    table.notes = [_("Sheet: %(sheet)s.") % {"sheet": sheet.title}]
    return table


# --- the header and the rows -----------------------------------------------------------------------------


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _too_wide(columns: int):
    raise FileProblem(
        _(
            "The table has %(columns)s columns; Orbit reads at most %(max)s. Remove the empty or extra columns."
        )
        % {"columns": columns, "max": MAX_COLUMNS},
        "too_wide",
    )


def _trimmed(cells: list[Cell]) -> list[Cell]:
    end = len(cells)
    while end and _blank(cells[end - 1]):
        end -= 1
    return cells[:end]


def _looks_like_header(cells: list[Cell]) -> bool:
    """A header names at least two columns with text, and names are not numbers or dates."""
    filled = [c for c in cells if not _blank(c)]
    return len(filled) >= 2 and all(isinstance(c, str) for c in filled)


def _with_header(numbered: Iterator[tuple[int, list[Cell]]], kind: str) -> Table:
    pending: list[tuple[int, list[Cell]]] = []
    header: list[Cell] | None = None
    header_row = 0
    for number, cells in numbered:
        cells = _trimmed(cells)
        if len(cells) > MAX_COLUMNS:
            _too_wide(len(cells))
        if not cells:
            continue
        if header is None:
            if _looks_like_header(cells):
                header, header_row = cells, number
                pending = []  # a title or notes above the header are not rows
                continue
            pending.append((number, cells))
            if len(pending) >= HEADER_SEARCH_ROWS:
                break
            continue
        pending.append((number, cells))
        break  # one row after the header, to see whether the header goes on under merged cells
    if header is None:
        if not pending:
            raise FileProblem(_("The file has no rows."), "empty")
        raise FileProblem(
            _("No header row found in the first %(rows)s rows: the first row must name the columns.")
            % {"rows": HEADER_SEARCH_ROWS},
            "no_header",
        )
    names = [str(c).strip() if not _blank(c) else "" for c in header]
    if pending and _continues_header(names, pending[0][1]):
        names = _merge_header(names, pending[0][1])
        header_row = pending[0][0]
        pending = []

    def rows() -> Iterator[Row]:
        for number, cells in pending:
            yield Row(number, cells)
        for number, cells in numbered:
            cells = _trimmed(cells)
            if len(cells) > MAX_COLUMNS:
                _too_wide(len(cells))
            if cells:
                yield Row(number, cells)

    return Table(kind=kind, header=names, header_row=header_row, rows=rows())


def _continues_header(top: list[str], below: list[Cell]) -> bool:
    """A group header over merged cells ("Контакт" over "Имя", "Телефон"): the top row has gaps where the row
    below names columns, and the row below is text only."""
    gaps = [i for i, name in enumerate(top) if not name]
    return (
        bool(gaps)
        and _looks_like_header(below)
        and all(i < len(below) and not _blank(below[i]) for i in gaps)
    )


def _merge_header(top: list[str], below: list[Cell]) -> list[str]:
    """Each column's name: the lower row's name under a group ("Контакт: Имя"), or the top's when alone."""
    names, group = [], ""
    for i in range(max(len(top), len(below))):
        upper = top[i] if i < len(top) else ""
        lower = str(below[i]).strip() if i < len(below) and not _blank(below[i]) else ""
        if upper and not lower:
            names.append(upper)
            group = ""
            continue
        group = upper or group
        names.append(f"{group}: {lower}" if group and lower else lower or group)
    return names


def shape_problem(table: Table, row: Row) -> str | None:
    """Why a row does not fit the header's columns, or None: a row with another delimiter than the header's
    comes as one cell; values beyond the last named column have no column to go to."""
    columns = len(table.header)
    if table.delimiter and columns > 1 and len(row.cells) == 1:
        others = [d for d in DELIMITERS if d != table.delimiter and d in str(row.cells[0])]
        if others:
            return _("Row %(row)s is not split by the header's delimiter: it seems to use “%(other)s”.") % {
                "row": row.number,
                "other": others[0].replace("\t", _("tab")),
            }
    if len(row.cells) > columns:
        return _("Row %(row)s has %(cells)s values where the header names %(columns)s columns.") % {
            "row": row.number,
            "cells": len(row.cells),
            "columns": columns,
        }
    return None
