"""Values of a list page's query string: a value that is not one (a typed link, a stale bookmark) is ignored like
an empty filter — the list shows, it never fails."""

import datetime as dt


def int_param(value: str | None) -> int | None:
    """A positive id; short enough for the database's integer."""
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def date_param(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
