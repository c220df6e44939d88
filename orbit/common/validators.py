"""Validators for Russian tax identifiers and contact details.

INN (ИНН) checksums follow the Federal Tax Service algorithm: a 10-digit INN (organisation) has one control
digit, a 12-digit INN (individual entrepreneur) has two. KPP (КПП) has no control digit: it is checked for its
format NNNNPPNNN, where PP may hold Latin capitals since 2013.
"""

import datetime as dt
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Orbit's own bounds for a date that a person or a client types (not a number from the seeds): wide enough for
# any real history or plan, narrow enough that date arithmetic (a day more, a time zone) never overflows.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP_RE = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def _control_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(inn: str) -> bool:
    if not inn.isdigit() or inn == "0" * len(inn):
        return False
    if len(inn) == 10:
        return _control_digit(inn, _INN10_WEIGHTS) == int(inn[9])
    if len(inn) == 12:
        return _control_digit(inn, _INN12_WEIGHTS_1) == int(inn[10]) and _control_digit(
            inn, _INN12_WEIGHTS_2
        ) == int(inn[11])
    return False


def inn_with_control(prefix: str) -> str:
    """Complete a 9- or 10-digit prefix into a valid 10- or 12-digit INN (used by the demo generator)."""
    if len(prefix) == 9:
        return prefix + str(_control_digit(prefix, _INN10_WEIGHTS))
    if len(prefix) == 10:
        first = prefix + str(_control_digit(prefix, _INN12_WEIGHTS_1))
        return first + str(_control_digit(first, _INN12_WEIGHTS_2))
    raise ValueError("prefix must have 9 or 10 digits")


def validate_inn(value: str) -> None:
    if not value.isdigit() or len(value) not in (10, 12):
        raise ValidationError(
            _("INN must have 10 digits (organisation) or 12 digits (entrepreneur)."), code="inn_length"
        )
    if not inn_is_valid(value):
        raise ValidationError(
            _("INN %(inn)s fails the checksum: check for a typo."), code="inn_checksum", params={"inn": value}
        )


def validate_kpp(value: str) -> None:
    if not _KPP_RE.match(value):
        raise ValidationError(
            _("KPP must have 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits."),
            code="kpp_format",
        )


def normalize_phone(value: str) -> str:
    """Return the phone in E.164 form (+74951234567); Russian numbers may be typed as 8 (495) 123-45-67."""
    try:
        number = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a phone number such as +7 495 123-45-67."), code="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a phone number such as +7 495 123-45-67."), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_reasonable_date(value: dt.date | dt.datetime | None) -> None:
    """Refuse a date outside Orbit's bounds (year 1, 9999): a clear message instead of an overflow."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not (EARLIEST_DATE <= day <= LATEST_DATE):
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
