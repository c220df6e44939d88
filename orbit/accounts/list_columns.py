"""The account list's columns the user chooses (`?cols=last_touch&cols=next_touch…`; the default set when the
query has none), each drawn when `shown`: its header in templates/accounts/_results.html, its cell by
accounts/list_rows.py.

The column choice lives in the query string, so a saved view, a bookmark and the export keep it. The name
column is always there: it is the row's link.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ListColumn:
    key: str  # its value in ?cols=
    label: str | Promise
    default: bool = True  # shown when the query chooses no columns
    pulse: bool = False  # reads the account's pulse (the list then joins it)


COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("inn", _("INN")),
    ListColumn("status", _("Status")),
    ListColumn("tier", _("Tier")),
    ListColumn("segment", _("Segment / region")),
    ListColumn("manager", _("Responsible manager")),
    ListColumn("last_touch", _("Last touch"), pulse=True),
    ListColumn("next_touch", _("Next touch"), pulse=True),
    ListColumn("open_requests", _("Open requests"), pulse=True),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT = tuple(column.key for column in COLUMNS if column.default)


def chosen(keys: list[str], *, given: bool) -> tuple[str, ...]:
    """The columns to show, in the list's own order: those asked for, or the default set when none was asked
    for (`given` False, or nothing known among them)."""
    wanted = {key for key in keys if key in BY_KEY}
    if not given or not wanted:
        return DEFAULT
    return tuple(column.key for column in COLUMNS if column.key in wanted)


def shown(keys: tuple[str, ...]) -> dict[str, bool]:
    """Which columns the table draws ({% if shown.inn %}… for a header, shown["inn"] for a cell). Every key is
    there, False when not shown: the template language takes a missing key through an exception."""
    return {column.key: column.key in keys for column in COLUMNS}


def needs_pulse(keys: tuple[str, ...]) -> bool:
    return any(BY_KEY[key].pulse for key in keys)
