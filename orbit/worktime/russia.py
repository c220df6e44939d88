"""The official Russian production calendars (five-day week), as entered into the default calendar.

Public holidays are fixed by art. 112 of the Labour Code (TK RF): 1-6 and 8 January (New-Year holidays),
7 January (Christmas), 23 February, 8 March, 1 May, 9 May, 12 June, 4 November. A weekend day that coincides
with a holiday moves to the next working day (art. 112 part 2) unless the government's yearly decree on
transfers of days off moves it elsewhere; the decree also makes some Saturdays working days. The working day
immediately before a holiday is one hour shorter (art. 95).

Only exceptions to the Monday-Friday rule are listed: a weekday that is not worked (HOLIDAY), a weekend day
that is worked (WORKING) and a shortened working day (SHORT).

Sources:
- 2024: Постановление Правительства РФ от 10.08.2023 № 1314 «О переносе выходных дней в 2024 году»
  (248 working days, 1979 hours at 40 h/week). 28 December (a working Saturday) is a full day.
- 2025: Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней в 2025 году»
  (247 working days, 1972 hours). 7 May and 30 December are full days: the next day off is a transfer.
- 2026: Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026 году»
  (247 working days, 1972 hours).
- 2027: the decree on transfers of days off in 2027 (ConsultantPlus document 544706, adopted in September
  2026): Sat 2 Jan -> Fri 5 Nov, Sun 3 Jan -> Fri 31 Dec, Sat 20 Feb -> Mon 22 Feb; 1 May, 9 May and
  12 June fall on weekends and move to the next Monday by art. 112 part 2. Its number and date could not be
  read from the sources at hand; the transfers are as published (the same layout as 2021, whose decree
  of 10.10.2020 № 1648 made the same moves). Short days follow art. 95 as in 2021 (20 Feb, 30 Apr, 11 Jun,
  3 Nov): 247 working days, 1972 hours. Check against the decree's text when at hand.
"""

import datetime as dt
import uuid

HOLIDAY, WORKING, SHORT = "holiday", "working", "short"
DEFAULT_NAME = "Россия (Москва)"
DEFAULT_TIME_ZONE = "Europe/Moscow"

NEW_YEAR = "Новогодние каникулы"
CHRISTMAS = "Рождество Христово"
DEFENDER = "День защитника Отечества"
WOMEN = "Международный женский день"
LABOUR = "Праздник Весны и Труда"
VICTORY = "День Победы"
RUSSIA = "День России"
UNITY = "День народного единства"
PRE = "Предпраздничный день, на 1 час короче"


def _moved(origin: str) -> str:
    return f"Выходной перенесён с {origin}"


def _worked(target: str) -> str:
    return f"Рабочая суббота (выходной перенесён на {target})"


SOURCES = {
    2024: "Постановление Правительства РФ от 10.08.2023 № 1314",
    2025: "Постановление Правительства РФ от 04.10.2024 № 1335",
    2026: "Постановление Правительства РФ от 24.09.2025 № 1466",
    2027: "Постановление Правительства РФ о переносе выходных дней в 2027 году (сентябрь 2026); "
    "сокращённые дни — по ст. 95 ТК РФ",
}

# (month, day, kind, note) per year.
DAYS = {
    2024: [
        (1, 1, HOLIDAY, NEW_YEAR),
        (1, 2, HOLIDAY, NEW_YEAR),
        (1, 3, HOLIDAY, NEW_YEAR),
        (1, 4, HOLIDAY, NEW_YEAR),
        (1, 5, HOLIDAY, NEW_YEAR),
        (1, 8, HOLIDAY, NEW_YEAR),
        (2, 22, SHORT, PRE),
        (2, 23, HOLIDAY, DEFENDER),
        (3, 7, SHORT, PRE),
        (3, 8, HOLIDAY, WOMEN),
        (4, 27, WORKING, _worked("29 апреля")),
        (4, 29, HOLIDAY, _moved("субботы 27 апреля")),
        (4, 30, HOLIDAY, _moved("субботы 2 ноября")),
        (5, 1, HOLIDAY, LABOUR),
        (5, 8, SHORT, PRE),
        (5, 9, HOLIDAY, VICTORY),
        (5, 10, HOLIDAY, _moved("субботы 6 января")),
        (6, 11, SHORT, PRE),
        (6, 12, HOLIDAY, RUSSIA),
        (11, 2, SHORT, "Рабочая суббота, предпраздничный день, на 1 час короче"),
        (11, 4, HOLIDAY, UNITY),
        (12, 28, WORKING, _worked("30 декабря")),
        (12, 30, HOLIDAY, _moved("субботы 28 декабря")),
        (12, 31, HOLIDAY, _moved("воскресенья 7 января")),
    ],
    2025: [
        (1, 1, HOLIDAY, NEW_YEAR),
        (1, 2, HOLIDAY, NEW_YEAR),
        (1, 3, HOLIDAY, NEW_YEAR),
        (1, 6, HOLIDAY, NEW_YEAR),
        (1, 7, HOLIDAY, CHRISTMAS),
        (1, 8, HOLIDAY, NEW_YEAR),
        (3, 7, SHORT, PRE),
        (4, 30, SHORT, PRE),
        (5, 1, HOLIDAY, LABOUR),
        (5, 2, HOLIDAY, _moved("субботы 4 января")),
        (5, 8, HOLIDAY, _moved("воскресенья 23 февраля")),
        (5, 9, HOLIDAY, VICTORY),
        (6, 11, SHORT, PRE),
        (6, 12, HOLIDAY, RUSSIA),
        (6, 13, HOLIDAY, _moved("субботы 8 марта")),
        (11, 1, SHORT, "Рабочая суббота (выходной перенесён на 3 ноября), на 1 час короче"),
        (11, 3, HOLIDAY, _moved("субботы 1 ноября")),
        (11, 4, HOLIDAY, UNITY),
        (12, 31, HOLIDAY, _moved("воскресенья 5 января")),
    ],
    2026: [
        (1, 1, HOLIDAY, NEW_YEAR),
        (1, 2, HOLIDAY, NEW_YEAR),
        (1, 5, HOLIDAY, NEW_YEAR),
        (1, 6, HOLIDAY, NEW_YEAR),
        (1, 7, HOLIDAY, CHRISTMAS),
        (1, 8, HOLIDAY, NEW_YEAR),
        (1, 9, HOLIDAY, _moved("субботы 3 января")),
        (2, 23, HOLIDAY, DEFENDER),
        (3, 9, HOLIDAY, "Выходной перенесён с воскресенья 8 марта (ст. 112 ТК РФ)"),
        (4, 30, SHORT, PRE),
        (5, 1, HOLIDAY, LABOUR),
        (5, 8, SHORT, PRE),
        (5, 11, HOLIDAY, "Выходной перенесён с субботы 9 мая (ст. 112 ТК РФ)"),
        (6, 11, SHORT, PRE),
        (6, 12, HOLIDAY, RUSSIA),
        (11, 3, SHORT, PRE),
        (11, 4, HOLIDAY, UNITY),
        (12, 31, HOLIDAY, _moved("воскресенья 4 января")),
    ],
    2027: [
        (1, 1, HOLIDAY, NEW_YEAR),
        (1, 4, HOLIDAY, NEW_YEAR),
        (1, 5, HOLIDAY, NEW_YEAR),
        (1, 6, HOLIDAY, NEW_YEAR),
        (1, 7, HOLIDAY, CHRISTMAS),
        (1, 8, HOLIDAY, NEW_YEAR),
        (2, 20, SHORT, "Рабочая суббота (выходной перенесён на 22 февраля), на 1 час короче"),
        (2, 22, HOLIDAY, _moved("субботы 20 февраля")),
        (2, 23, HOLIDAY, DEFENDER),
        (3, 8, HOLIDAY, WOMEN),
        (4, 30, SHORT, PRE),
        (5, 3, HOLIDAY, "Выходной перенесён с субботы 1 мая (ст. 112 ТК РФ)"),
        (5, 10, HOLIDAY, "Выходной перенесён с воскресенья 9 мая (ст. 112 ТК РФ)"),
        (6, 11, SHORT, PRE),
        (6, 14, HOLIDAY, "Выходной перенесён с субботы 12 июня (ст. 112 ТК РФ)"),
        (11, 3, SHORT, PRE),
        (11, 4, HOLIDAY, UNITY),
        (11, 5, HOLIDAY, _moved("субботы 2 января")),
        (12, 31, HOLIDAY, _moved("воскресенья 3 января")),
    ],
}

# The fixed public holidays of art. 112 TK RF, offered when a new year is entered.
STATUTORY_HOLIDAYS = [
    (1, 1, NEW_YEAR),
    (1, 2, NEW_YEAR),
    (1, 3, NEW_YEAR),
    (1, 4, NEW_YEAR),
    (1, 5, NEW_YEAR),
    (1, 6, NEW_YEAR),
    (1, 7, CHRISTMAS),
    (1, 8, NEW_YEAR),
    (2, 23, DEFENDER),
    (3, 8, WOMEN),
    (5, 1, LABOUR),
    (5, 9, VICTORY),
    (6, 12, RUSSIA),
    (11, 4, UNITY),
]


def install(WorkCalendar, CalendarYear, CalendarDay):
    """Create (or complete) the default calendar with every year above. Idempotent; used by the data
    migration and by `default_calendar()` when a database has lost its default."""
    calendar, _created = WorkCalendar.objects.get_or_create(
        name=DEFAULT_NAME,
        defaults={
            "time_zone": DEFAULT_TIME_ZONE,
            "day_starts": dt.time(9),
            "day_ends": dt.time(18),
            "working_weekdays": "12345",
            "is_default": not WorkCalendar.objects.filter(is_default=True).exists(),
        },
    )
    have = set(CalendarYear.objects.filter(calendar=calendar).values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [
            CalendarYear(calendar=calendar, year=year, source=SOURCES[year])
            for year in DAYS
            if year not in have
        ]
    )
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(calendar=calendar, date=dt.date(year, month, day), kind=kind, note=note)
            for year, days in DAYS.items()
            if year not in have
            for month, day, kind, note in days
        ]
    )
    WorkCalendar.objects.filter(pk=calendar.pk).update(revision=uuid.uuid4())
    return calendar
