"""The SQL functions Orbit's queries use that SQLite (the zero-setup demo's database) lacks or answers in ASCII
only, registered on each of its connections. PostgreSQL has them all; this does nothing there.

- `regexp_replace(text, pattern, replacement[, flags])`: the global search reads a contact's phone as its digits
  (`orbit/search/selectors.py`); without it the demo's search answered 503.
- `lower(text)`: SQLite's lowers ASCII only, so «Анна» was not found by «анна».
"""

import re

from django.db.backends.signals import connection_created


def _regexp_replace(text, pattern, replacement, flags=""):
    if text is None:
        return None
    return re.sub(pattern, replacement, text, count=0 if "g" in (flags or "") else 1)


def _lower(text):
    return text.lower() if isinstance(text, str) else text


def _register(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("regexp_replace", -1, _regexp_replace, deterministic=True)
    connection.connection.create_function("lower", 1, _lower, deterministic=True)


def connect() -> None:
    connection_created.connect(_register, dispatch_uid="orbit.common.sqlite_functions")
