"""Reading real files (tests/imports/files, made by make_files.py): encodings, delimiters, headers, the files
that are not tables, and the values Russian offices write."""

import datetime as dt
import io
import pathlib
import tracemalloc
from decimal import Decimal

import pytest
from django.utils import translation

from orbit.imports.reading import FileProblem, open_table, shape_problem
from orbit.imports.values import ValueProblem, parse_date, parse_number, parse_text

FILES = pathlib.Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(name: str):
    table = open_table(io.BytesIO((FILES / name).read_bytes()), name)
    return table, list(table.rows)


def test_a_windows_1251_export_with_semicolons_and_russian_numbers():
    table, rows = read("accounts_cp1251.csv")
    assert (table.encoding, table.delimiter, table.header_row) == ("cp1251", ";", 1)
    assert table.header == ["Название", "ИНН", "КПП", "Ответственный", "Выручка", "Дата договора"]
    assert [r.number for r in rows] == [2, 3, 4]  # the empty row 5 (";;;;;") is skipped
    first = rows[0].cells
    assert first[0] == "ООО «Ромашка»" and parse_number(first[4]) == Decimal("1234567.89")  # no-break spaces
    assert parse_date(first[5]) == dt.date(2025, 12, 31)
    assert parse_number(rows[1].cells[4]) == Decimal("12500") and parse_number(rows[2].cells[4]) == Decimal(
        "0.5"
    )
    assert table.notes == ["Encoding: Windows-1251; delimiter: semicolon."]


def test_utf8_with_bom_commas_and_a_quoted_line_break():
    table, rows = read("accounts_utf8_bom.csv")
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert table.header[0] == "Account Name"  # the BOM is not part of the first name
    assert rows[0].cells == ["Romashka, LLC", "7707083893", "olga@example.com", "Moscow,\nTverskaya 1"]
    assert [r.number for r in rows] == [2, 3]  # a record with a line break is still one row


def test_tab_delimited():
    table, rows = read("accounts_tab.csv")
    assert (table.encoding, table.delimiter) == ("utf-8", "\t") and rows[0].cells == ["Ромашка", "7707083893"]


def test_a_row_with_another_delimiter_is_named():
    table, rows = read("mixed_delimiters.csv")
    problems = [shape_problem(table, row) for row in rows]
    assert problems == [None, "Row 3 is not split by the header's delimiter: it seems to use “,”.", None]


def test_an_unclosed_quote_names_its_row():
    with pytest.raises(FileProblem) as problem:
        read("broken_row.csv")
    assert problem.value.code == "bad_row"
    assert problem.value.message.startswith("Row 3 cannot be read")


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("empty.csv", "empty", "The file is empty."),
        ("not_a_spreadsheet.xlsx", "not_a_table", "This is not a spreadsheet Orbit can read"),
        ("zip_bomb.xlsx", "zip_bomb", "The XLSX file unpacks to 300 MB"),
        ("ten_thousand_columns.csv", "too_wide", "The table has 10000 columns; Orbit reads at most 500."),
    ],
)
def test_files_that_are_not_client_tables_are_refused_with_a_reason(name, code, message):
    with pytest.raises(FileProblem) as problem:
        read(name)
    assert problem.value.code == code and problem.value.message.startswith(message)


def test_a_header_without_rows_reads_as_an_empty_table():
    table, rows = read("header_only.csv")
    assert table.header[0] == "Название" and rows == []


def test_xlsx_with_a_title_row_a_merged_group_header_and_trailing_empty_cells():
    table, rows = read("merged_header.xlsx")
    assert table.header == [
        "Компания: Название",
        "Компания: ИНН",
        "Контакт: Имя",
        "Контакт: Телефон",
        "Ответственный",
        "Дата договора",
    ]
    assert table.header_row == 4 and [r.number for r in rows] == [5, 6]
    assert parse_date(rows[0].cells[5]) == dt.date(2025, 12, 31)  # a real date cell
    assert parse_date(rows[1].cells[5]) == dt.date(2025, 12, 31)  # an Excel serial day
    assert parse_text(rows[1].cells[1], max_length=12) == "7736207543"  # a number cell read as text
    assert table.notes == ["Sheet: Клиенты."]


def test_dates_in_three_formats_and_the_ambiguous_one():
    _table, rows = read("dates_three_formats.csv")
    cells = [r.cells[1] for r in rows]
    assert [parse_date(c) for c in cells[:3]] == [dt.date(2025, 12, 31)] * 3
    with pytest.raises(ValueProblem) as problem:
        parse_date(cells[3])
    assert "choose the date format of the file" in problem.value.message
    assert parse_date(cells[3], "mdy") == dt.date(2024, 12, 31)
    with pytest.raises(ValueProblem):
        parse_date(cells[3], "dmy")  # month 31
    assert parse_date("01/02/2024", "dmy") == dt.date(2024, 2, 1)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("31.02.2025", "“31.02.2025” is not a date that exists."),
        ("завтра", "“завтра” is not a date: write it as 31.12.2025 or 2025-12-31."),
        (0, "0 is not an Excel date."),
    ],
)
def test_dates_that_are_not(cell, message):
    with pytest.raises(ValueProblem) as problem:
        parse_date(cell)
    assert problem.value.message == message


def test_numbers_and_texts():
    assert (
        parse_number(0.1) == Decimal("0.1") and parse_number(12) == Decimal(12) and parse_number(" ") is None
    )
    assert parse_number("1\u202f000,5") == Decimal("1000.5")  # a thin no-break space
    for wrong in ("1,234.56", "1e5", True):
        with pytest.raises(ValueProblem):
            parse_number(wrong)
    assert parse_text("  Ромашка ", max_length=10) == "Ромашка" and parse_text(None, max_length=1) == ""
    assert (
        parse_text("-5 % скидка", max_length=20) == "-5 % скидка"
    )  # a minus before a digit is not a formula
    with pytest.raises(ValueProblem) as problem:
        parse_text("Очень длинное", max_length=5)
    assert problem.value.message == "13 characters where at most 5 fit."


def test_formulas_are_refused_not_imported():
    _table, rows = read("formulas.csv")
    for row in rows:
        with pytest.raises(ValueProblem) as problem:
            parse_text(row.cells[0], max_length=300)
        assert "is a formula, not a value" in problem.value.message


def test_russian_messages():
    with translation.override("ru"), pytest.raises(FileProblem) as problem:
        read("empty.csv")
    assert problem.value.message == "Файл пустой."


def test_a_large_file_is_read_with_flat_memory(tmp_path):
    """About 60 MB of rows: the reader holds one block and one row, not the file."""
    path = tmp_path / "large.csv"
    line = "ООО «Ромашка и партнёры»;7707083893;770701001;Смирнова Ольга;1 234 567,89;31.12.2025\n"
    with path.open("w", encoding="cp1251") as out:
        out.write("Название;ИНН;КПП;Ответственный;Выручка;Дата\n")
        for _ in range(700_000):
            out.write(line)
    assert path.stat().st_size > 50 * 1024 * 1024
    tracemalloc.start()
    with path.open("rb") as stream:
        table = open_table(stream, "large.csv")
        count = sum(1 for _row in table.rows)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 700_000
    assert peak < 5 * 1024 * 1024  # the file is 60 MB
