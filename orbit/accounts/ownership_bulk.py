"""Writing many accounts' ownership at once (an import of a whole base) without the per-row guard.

The ownership invariant is guarded in PostgreSQL by two deferred constraint triggers (accounts migration 0003):
at commit, each inserted or changed account or period runs three queries. For a million imported accounts that
is two million queued events and six million queries, most of an import's time. Rows written inside
`checked_together()` are not queued (the triggers' WHEN, evaluated as each row is written, sees the transaction's
setting), and the same invariant is checked once for all of them with set-based SQL when the block ends. Rows
written before or after the block, in the same transaction, keep the per-row guard.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import IntegrityError, connection

SETTING = "orbit.ownership_checked_together"

# The triggers' rules (migration 0003), for a set of accounts: a non-prospect account has exactly one open
# period, an open period's manager is the account's responsible manager, its periods follow without gaps.
BROKEN = """
WITH periods AS (
    SELECT account_id, manager_id, ended_at,
           started_at IS DISTINCT FROM lag(ended_at) OVER w AND row_number() OVER w > 1 AS after_gap
      FROM accounts_ownershipperiod WHERE account_id = ANY(%(ids)s)
    WINDOW w AS (PARTITION BY account_id ORDER BY started_at)
), per_account AS (
    SELECT account_id, count(*) FILTER (WHERE ended_at IS NULL) AS open_count,
           max(manager_id) FILTER (WHERE ended_at IS NULL) AS open_manager, bool_or(after_gap) AS gap
      FROM periods GROUP BY account_id
)
SELECT a.id FROM accounts_account a LEFT JOIN per_account p ON p.account_id = a.id
 WHERE a.id = ANY(%(ids)s) AND (
       (a.status <> 'prospect' AND coalesce(p.open_count, 0) <> 1)
    OR (p.open_count = 1 AND a.responsible_manager_id IS DISTINCT FROM p.open_manager)
    OR coalesce(p.gap, false))
 LIMIT 1
"""


@contextmanager
def checked_together(account_ids: Iterable[int]):
    """Write the accounts' rows and periods inside; their invariant is checked at the end of the block, once.
    IntegrityError (as the trigger's check_violation would be) when an account breaks it."""
    if (
        connection.vendor != "postgresql"
    ):  # SQLite, the demo's database, has no triggers: the services keep it
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [SETTING])
        # On an error the transaction is aborted, and rolling back to a savepoint undoes the setting too.
        yield
        cursor.execute("SELECT set_config(%s, 'off', true)", [SETTING])
        cursor.execute(BROKEN, {"ids": list(account_ids)})
        broken = cursor.fetchone()
    if broken:
        raise IntegrityError(f"account {broken[0]} breaks the ownership invariant (one open period, no gaps)")
