"""Writing many new rows fast: ids taken from the table's sequence in one query, then the rows streamed with
PostgreSQL's COPY (what `bulk_create` does with one INSERT, without building a model instance and preparing
every value through the ORM: the import's largest cost after the database's own index work).

Like `bulk_create`, it skips save() and signals: the caller fills what they would. PostgreSQL only (the import
takes the ORM's `bulk_create` on SQLite, the demo's database)."""

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.models.expressions import RawSQL
from psycopg.types.json import Jsonb


def usable() -> bool:
    return connection.vendor == "postgresql"


def json(value):
    """A JSON column's value as COPY takes it (the ORM takes the value itself)."""
    return Jsonb(value) if usable() else value


def values_of(values: list):
    """For `field__in=`: a chunk's thousands of values as one text array parameter on PostgreSQL (`IN (%s, %s, …)`
    with one placeholder each costs the driver more than the database spends on the look-up)."""
    return RawSQL("SELECT unnest(%s::text[])", [[str(v) for v in values]]) if usable() else values


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` ids of the model's table, as its inserts would take them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """The rows (values in the order of `columns`) into the model's table with one COPY."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {table} ({names}) FROM STDIN"
    # Django's own exception classes (IntegrityError…), as its cursor would raise them.
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:  # psycopg's COPY bypasses Django's log: counted like any other statement
        connection.queries_log.append({"sql": sql, "time": "0.000"})


class Statistics:
    """Keeps the planner's statistics of a table that one transaction fills (a first import of a whole base).

    The import looks rows up in the table it writes (by INN, by name). Autovacuum cannot analyze rows that are
    not committed, so the planner keeps believing the table is as small as before and picks a plan that scans
    it once per looked-up value: an import that slows down with every chunk. ANALYZE in the transaction sees
    its own rows; run each time the table has doubled since the last one (~20 times for a million rows, a
    fraction of a second each)."""

    def __init__(self, model: type[models.Model]):
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.written = 0
        self.analyzed = 1000  # below this, any plan is fast (Orbit's default)

    def wrote(self, count: int) -> None:
        self.written += count
        if usable() and self.written >= 2 * self.analyzed:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.table}")
            self.analyzed = self.written
