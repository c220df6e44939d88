"""Importing touches: the calls, meetings and letters of the old CRM's history, as done touches (issue 15).

Rules:
- The account: by INN (+KPP) or by name among the accounts the importer sees (`account_ref.py`); he must be
  allowed to work it (log touches on it: its manager, his lead, a deputy, the account team, the head).
- When: a date and time as the person's local time ("31.12.2025 14:30", "2025-12-31T14:30", an Excel date),
  or a date with the time in a column of its own; a date alone is 00:00 of that day. A touch in the future, or
  more than ten years ago, is refused as the touch form refuses it.
- Who: anyone active, found by the name the export writes (`People.find`); logged minutes are his work (hours,
  KPIs, bonuses), so only he, his lead, the head or an admin may import touches on his name.
- Duration in minutes (or "1:30"), 1 minute to 24 hours: a done touch always has one.
- Written through `activities.services.touch_record_past`: unlike logging a touch today, it closes no planned
  touch and plans no next one.
- A status column (Orbit's own export has one) may say what else a row is: only done touches are history.
  A planned or cancelled touch is skipped with a warning and counted as unchanged: a planned touch cannot be
  written on another person's name (`touch_plan` plans for the one who plans), a day already past cannot be
  planned at all, and Orbit's cadence plans every worked account's next touch by itself; a cancelled one never
  happened. No status column: every row is a done touch.
- A duplicate is a done touch of the same account, moment, person and channel: update (the filled cells that
  differ: duration, subject, outcome) or skip, as the importer chooses; the same touch twice in the file is a
  row error naming the first row.
"""

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.access import policy
from orbit.activities import services
from orbit.activities.models import Touch, TouchKind, TouchStatus
from orbit.imports import records, touches_undo
from orbit.imports.account_ref import COMPANY, INN, KPP, AccountFinder, has_account_column
from orbit.imports.engine import (
    SKIP,
    Kind,
    People,
    Report,
    Row,
    RowFailed,
    choice_words,
    import_file,
    word,
)
from orbit.imports.mapping import Field
from orbit.imports.reading import Table
from orbit.imports.records import each_row, no_columns_for
from orbit.imports.values import ValueProblem, from_serial, parse_date, parse_number, parse_text
from orbit.org.models import User

# Labels are the touch's own field names: an export of touches with these headers imports back.
TOUCH_FIELDS = (
    Field(INN, _lazy("INN"), ("инн", "inn", "инн компании", "account inn", "inn c")),
    Field(KPP, _lazy("KPP"), ("кпп", "kpp", "kpp c")),
    Field(
        COMPANY,
        _lazy("account"),
        ("компания", "название компании", "клиент", "контрагент", "company", "account name", "account"),
    ),
    Field(
        "happened_at",
        _lazy("happened at"),
        (
            "дата",
            "дата и время",
            "когда",
            "дата касания",
            "дата звонка",
            "дата встречи",
            "дата начала",
            "date",
            "date time",
            "datetime",
            "activity date",
            "start",
        ),
        required=True,
    ),
    Field("time", _lazy("time of day"), ("время", "время начала", "time", "start time")),
    Field(
        "kind",
        _lazy("kind"),
        (
            "тип",
            "канал",
            "вид",
            "тип касания",
            "тип дела",
            "тип активности",
            "type",
            "channel",
            "activity type",
        ),
        required=True,
    ),
    Field(
        "owner",
        _lazy("manager"),
        ("ответственный", "менеджер", "кто", "сотрудник", "исполнитель", "owner", "assigned to", "user"),
        required=True,
    ),
    Field(
        "duration_minutes",
        _lazy("duration, minutes"),
        (
            "длительность",
            "длительность мин",
            "продолжительность",
            "минут",
            "duration",
            "minutes",
            "duration min",
        ),
        required=True,
    ),
    Field("subject", _lazy("subject"), ("тема", "subject", "название дела")),
    Field("status", _lazy("status"), ("статус", "состояние", "status", "state")),
    Field(
        "outcome",
        _lazy("outcome"),
        ("результат", "итог", "комментарий", "описание", "result", "summary", "comments", "description"),
    ),
)

KIND_SYNONYMS = {
    "звонок": TouchKind.CALL,
    "телефон": TouchKind.CALL,
    "исходящий звонок": TouchKind.CALL,
    "входящий звонок": TouchKind.CALL,
    "phone call": TouchKind.CALL,
    "встреча": TouchKind.MEETING,
    "визит": TouchKind.VISIT,
    "выезд": TouchKind.VISIT,
    "письмо": TouchKind.EMAIL,
    "email": TouchKind.EMAIL,
    "e mail": TouchKind.EMAIL,
    "почта": TouchKind.EMAIL,
    "сообщение": TouchKind.MESSAGE,
    "чат": TouchKind.MESSAGE,
    "мессенджер": TouchKind.MESSAGE,
}
FIELD_OF_SERVICE = {"happened_at": "happened_at", "duration_minutes": "duration_minutes", "kind": "kind"}
STATUS_SYNONYMS = {
    "выполнено": TouchStatus.DONE,
    "выполнен": TouchStatus.DONE,
    "завершено": TouchStatus.DONE,
    "completed": TouchStatus.DONE,
    "запланировано": TouchStatus.PLANNED,
    "отменено": TouchStatus.CANCELLED,
    "canceled": TouchStatus.CANCELLED,
}
UPDATABLE = ("duration_minutes", "subject", "outcome")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")
_MOMENT = re.compile(r"^(\S+?)(?:[ T]+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})$")


@functools.cache
def _kind_words() -> dict[str, str]:
    return choice_words(TouchKind.choices, KIND_SYNONYMS)


@functools.cache
def _status_words() -> dict[str, str]:
    return choice_words(TouchStatus.choices, STATUS_SYNONYMS)


def _not_history(row: Row) -> bool:
    """A planned or cancelled touch (the status column says so): warned about and left out, not imported."""
    status = row.read(
        "status",
        word(
            _status_words(),
            _("“%(value)s” is not a touch's status: write сделано, запланировано or отменено."),
        ),
    )
    if status == TouchStatus.PLANNED:
        row.warn(
            "status",
            _(
                "A planned touch is not history: not imported. Orbit's cadence plans the next touches; "
                "plan this one on My day if it is still due."
            ),
        )
    elif status == TouchStatus.CANCELLED:
        row.warn("status", _("A cancelled touch did not happen: not imported."))
    return status in (TouchStatus.PLANNED, TouchStatus.CANCELLED)


def parse_time(cell) -> dt.time | None:
    """A time of day: "14:30", "14:30:00", an XLSX time, or Excel's fraction of a day."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, dt.datetime):
        return cell.time()
    if isinstance(cell, dt.time):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool) and 0 <= cell < 1:
        seconds = round(cell * 86400)
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    match = _TIME.match(str(cell).strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return dt.time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    raise ValueProblem(_("“%(value)s” is not a time of day: write it as 14:30.") % {"value": cell})


def parse_moment(cell, time_cell=None) -> dt.datetime | None:
    """When a touch happened, as an aware datetime of Orbit's local time; None when blank."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    clock = parse_time(time_cell)
    if isinstance(cell, dt.datetime):  # XLSX keeps the wall clock without a zone
        day, clock = parse_date(cell), clock or cell.time()
    elif isinstance(cell, int | float) and not isinstance(cell, bool):
        day = from_serial(cell)
        clock = clock or parse_time(cell % 1)
    elif isinstance(cell, dt.date):
        day = parse_date(cell)
    else:
        text = str(cell).strip()
        match = _MOMENT.match(text)
        if match is None:
            raise ValueProblem(
                _("“%(value)s” is not a date and time: write it as 31.12.2025 14:30.") % {"value": text}
            )
        day = parse_date(match.group(1))
        if match.group(2):
            clock = clock or parse_time(match.group(2))
    assert day is not None  # a filled cell is a date or a ValueProblem
    return timezone.make_aware(dt.datetime.combine(day, clock or dt.time(0, 0)))


def parse_minutes(cell) -> int | None:
    """Whole minutes: "45", "45,0", or hours and minutes "1:30"."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, str) and (match := _HOURS.match(cell.strip())):
        return int(match.group(1)) * 60 + int(match.group(2))
    try:
        number = parse_number(cell)
    except ValueProblem:
        number = None
    if number is None or number != number.to_integral_value() or number < Decimal(0):
        raise ValueProblem(_("“%(value)s” is not a number of minutes.") % {"value": cell})
    return int(number)


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    if no_columns_for(table, report, [] if has_account_column(columns) else [_("the account's INN or name")]):
        return
    finder, people, seen = AccountFinder(by), People(), {}
    each_row(table, columns, report, lambda row: _one(by, row, finder, people, seen, on_duplicate))


def _one(by: User, row: Row, finder: AccountFinder, people: People, seen: dict, on_duplicate: str):
    if _not_history(row):
        return None, "unchanged"
    if row.errors:  # an unreadable status: the row is not read further
        raise RowFailed
    account = finder.for_row(row)
    moment = row.require(
        "happened_at",
        lambda c: parse_moment(c, row.values.get("time")),
        _("Say when the touch happened."),
    )
    kind = row.require(
        "kind",
        word(
            _kind_words(),
            _("“%(value)s” is not a kind of touch: write звонок, встреча, визит, письмо or сообщение."),
        ),
        _("Say what kind of touch it was: звонок, встреча, визит, письмо or сообщение."),
    )
    name = row.require("owner", lambda c: parse_text(c, max_length=200), _("Say who had the touch."), "")
    owner = row.read("owner", lambda _c: people.find(name)) if name else None
    minutes = row.require("duration_minutes", parse_minutes, _("How long did it take? At least one minute."))
    fields: dict[str, Any] = {
        "duration_minutes": minutes,
        "subject": row.read("subject", lambda c: parse_text(c, max_length=200), ""),
        "outcome": row.read("outcome", lambda c: parse_text(c, max_length=10_000), ""),
    }
    if row.errors or account is None:
        raise RowFailed
    if not policy.can_work_account(by, account):
        row.fail(INN if row.headers.get(INN) else COMPANY, _("You may not log touches on this account."))
        raise RowFailed
    if not services.may_log_for(by, owner):
        row.fail("owner", _("You may not log touches on %(name)s's name.") % {"name": owner})
        raise RowFailed
    key = (account.pk, moment, owner.pk, kind)
    if key in seen:
        row.fail("happened_at", _("The same touch is in row %(row)s.") % {"row": seen[key]})
        raise RowFailed
    seen[key] = row.number
    existing = (
        Touch.objects.visible_to(by)
        .filter(account=account, owner=owner, kind=kind, happened_at=moment, status=TouchStatus.DONE)
        .first()
    )
    try:
        if existing is None:
            touch = services.touch_record_past(
                by=by, account=account, owner=owner, kind=kind, happened_at=moment, **fields
            )
            return touch, "new"
        if on_duplicate == SKIP:
            return existing, "unchanged"
        changes = {k: fields[k] for k in UPDATABLE if fields[k] and fields[k] != getattr(existing, k)}
        if not changes:
            return existing, "unchanged"
        row.before.update({k: getattr(existing, k) for k in changes})
        return services.touch_amend_done(by=by, touch=existing, version=None, **changes), "updated"
    except (ValidationError, PermissionDenied) as exc:
        row.service_errors(exc, FIELD_OF_SERVICE, fallback="happened_at")
        raise RowFailed from None


KIND = Kind(
    name="touches",
    label=_lazy("Touches"),
    fields=TOUCH_FIELDS,
    presets={},
    may_import=policy.can_create_account,
    run=_run,
    remember=records.remember(Touch, "activities.touch"),
    undo=touches_undo.undo_touches,
)


def import_touches(**options) -> Report:
    """Import touches (`engine.import_file`'s options)."""
    return import_file(KIND, **options)
