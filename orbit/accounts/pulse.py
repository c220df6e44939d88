"""The account's pulse (AccountPulse): last touch, next planned touch, open requests — what the account list
sorts its work columns by, one indexed row per account instead of aggregating touches per request.

The figures live in higher areas (activities, requests), which the accounts area does not import: each
registers, in its AppConfig.ready, a function that recomputes its own columns of the pulse for some accounts
(or for all of them). The services that change touches and requests call `refresh` in their transaction; the
morning run calls `rebuild` for anything that slipped (a row written by hand, a bug since fixed).
"""

from collections.abc import Callable, Iterable

from django.db import connection

from orbit.accounts.models import AccountPulse

# refresher(account_ids) -> rows it changed; account_ids None: every account (then it writes only wrong rows).
_refreshers: list[Callable[[list[int] | None], int]] = []

CHUNK = 5000  # accounts per refresh statement (keeps the IN list and each statement's locks small)


def register(refresher: Callable[[list[int] | None], int]) -> Callable[[list[int] | None], int]:
    _refreshers.append(refresher)
    return refresher


def refresh(account_ids: Iterable[int]) -> None:
    """Bring the pulse of these accounts up to date; call inside the transaction that changed their work."""
    ids = sorted({pk for pk in account_ids if pk is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for refresher in _refreshers:
            refresher(chunk)


def rebuild() -> int:
    """Recompute every account's pulse, set-based; returns the rows it had to correct (added ones included).

    On PostgreSQL the table is locked against writers first (SHARE ROW EXCLUSIVE, readers go on), as the
    receivables' rebuild does: a service's refresh waits for it, so neither overwrites the other's fresher row.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {AccountPulse._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    added = _add_missing()
    return added + sum(refresher(None) for refresher in _refreshers)


def _add_missing() -> int:
    """Rows for accounts that have none (the insert trigger adds them; this is the morning's check)."""
    table, accounts = AccountPulse._meta.db_table, AccountPulse._meta.get_field("account").related_model
    ignore = "" if connection.vendor == "postgresql" else "OR IGNORE "
    conflict = " ON CONFLICT DO NOTHING" if connection.vendor == "postgresql" else ""
    sql = (  # table names from the models: no user input
        f"INSERT {ignore}INTO {table} (account_id) SELECT a.id FROM {accounts._meta.db_table} a "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} p WHERE p.account_id = a.id){conflict}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return max(cursor.rowcount, 0)
