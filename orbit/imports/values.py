"""The values of a spreadsheet's cells as Orbit's types: dates and amounts the way Russian offices write them.

Dates: "31.12.2025" (and "31.12.25"), ISO "2025-12-31" (a time after it is dropped), an Excel serial day number
(XLSX stores dates as numbers; a CSV saved from Excel may carry them as text: 46022 = 2025-12-31), and dates
with slashes, which need the format chosen for the import: 12/31/2024 is American, 31/12/2024 British, and
01/02/2024 either — a column is never guessed cell by cell. Amounts: "1 234,56" with normal, no-break or thin
spaces between thousands, a comma or a point before the kopecks (`orbit.revenue.money.parse_amount`).
"""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orbit.common.validators import validate_reasonable_date
from orbit.revenue.money import parse_amount

SLASH_FORMATS = {"mdy": "MM/DD/YYYY", "dmy": "DD/MM/YYYY"}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system (its phantom 29 Feb 1900 included)
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SERIAL = re.compile(r"^\d{5}$")


class ValueProblem(ValueError):
    """A cell's value cannot be read: the message is for the user, in his language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(_("“%(value)s” is not a date that exists.") % {"value": text}) from None
    try:
        validate_reasonable_date(value)
    except ValidationError as exc:
        raise ValueProblem(exc.messages[0]) from None
    return value


def from_serial(number: float) -> dt.date:
    if not 1 <= number < 2958466:  # Excel's own range: 1900-01-01 to 9999-12-31
        raise ValueProblem(_("%(value)s is not an Excel date.") % {"value": number})
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_date(cell, slash_format: str = "") -> dt.date | None:
    """A cell as a date, None when blank. `slash_format` ("mdy" or "dmy") reads dates with slashes."""
    if _blank(cell):
        return None
    if isinstance(cell, dt.datetime):
        return _day(cell.year, cell.month, cell.day, str(cell))  # XLSX datetimes are naive wall-clock values
    if isinstance(cell, dt.date):
        return _day(cell.year, cell.month, cell.day, str(cell))
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return from_serial(cell)
    text = str(cell).strip()
    if match := _DOTTED.match(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000  # "31.12.25": a client base has no dates of the 1920s written this way
        return _day(year, month, day, text)
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _day(year, month, day, text)
    if match := _SLASHED.match(text):
        first, second, year = (int(g) for g in match.groups())
        if slash_format == "mdy":
            return _day(year, first, second, text)
        if slash_format == "dmy":
            return _day(year, second, first, text)
        raise ValueProblem(
            _(
                "“%(value)s” may be month/day or day/month: choose the date format of the file (MM/DD/YYYY or DD/MM/YYYY)."
            )
            % {"value": text}
        )
    if _SERIAL.match(text):
        return from_serial(int(text))
    raise ValueProblem(
        _("“%(value)s” is not a date: write it as 31.12.2025 or 2025-12-31.") % {"value": text}
    )


def parse_number(cell, *, places: int = 2) -> Decimal | None:
    """A cell as an amount, None when blank."""
    if _blank(cell):
        return None
    if isinstance(cell, bool):
        raise ValueProblem(_("“%(value)s” is not a number.") % {"value": cell})
    if isinstance(cell, float):
        cell = Decimal(
            repr(cell)
        )  # the shortest decimal that gives this float back: 0.1, not 0.1000000000000000055
    try:
        return parse_amount(cell if isinstance(cell, Decimal | int) else str(cell), places=places)
    except ValidationError as exc:
        raise ValueProblem(
            _("“%(value)s”: %(reason)s") % {"value": cell, "reason": exc.messages[0]}
        ) from None


# A cell a spreadsheet would run as a formula: "=…", "@…", or "+"/"-" followed by something not a number.
_FORMULA = re.compile(r"^(=|@|[+-][^\d\s.,])")


def parse_text(cell, *, max_length: int) -> str:
    """A cell as text ("" when blank). A formula is refused, not imported: Orbit keeps values, and a formula
    in a name would run in the next spreadsheet the list is exported to."""
    if _blank(cell):
        return ""
    text = str(cell).strip()
    if _FORMULA.match(text):
        raise ValueProblem(
            _("“%(value)s” is a formula, not a value: put its result in the cell.") % {"value": text[:60]}
        )
    if len(text) > max_length:
        raise ValueProblem(
            _("%(length)s characters where at most %(max)s fit.") % {"length": len(text), "max": max_length}
        )
    return text
