"""The demo's SQLite gets the SQL functions Orbit's queries use (orbit/common/sqlite_functions.py)."""

import sqlite3
from types import SimpleNamespace

from orbit.common import sqlite_functions


def test_sqlite_gets_regexp_replace_and_a_lower_that_knows_cyrillic():
    raw = sqlite3.connect(":memory:")
    sqlite_functions._register(None, SimpleNamespace(vendor="sqlite", connection=raw))
    one = lambda sql: raw.execute(sql).fetchone()[0]  # noqa: E731
    assert one("select regexp_replace('+7 (921) 555-02-12', '[^0-9]', '', 'g')") == "79215550212"
    # Without 'g' only the first match is replaced, as in PostgreSQL.
    assert one("select regexp_replace('a-b-c', '-', '')") == "ab-c"
    assert one("select regexp_replace(NULL, '[^0-9]', '', 'g')") is None
    assert one("select lower('ООО «Анна» ABC')") == "ооо «анна» abc"
    assert one("select lower(NULL)") is None


def test_postgresql_connections_are_left_alone():
    untouched = SimpleNamespace(vendor="postgresql", connection=None)  # nothing would be called on it
    sqlite_functions._register(None, untouched)
