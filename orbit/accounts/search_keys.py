"""Narrow a search by the viewer's visibility keys, so the scope and the text meet in one index.

Migration accounts 0016 indexes (keys, text) for accounts and contacts; `visibility_keys(user)` lists his
tokens. The condition only helps the planner: callers keep the real scope (`visible_accounts`, `visible_to`),
so results are the same with or without it. PostgreSQL only (the SQLite demo has neither keys nor index).
"""

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from orbit.access.policy import visibility_keys
from orbit.org.models import User

# Exactly the indexed expressions of accounts 0016 (an index is used only for the same expression).
ACCOUNT_KEYS = (
    "accounts_visibility_keys(accounts_account.id, accounts_account.responsible_manager_id, "
    "accounts_account.status, accounts_account.created_by_id)"
)
CONTACT_KEYS = "accounts_contact.visibility_keys"

# Orbit's default: the keys narrow a search for a viewer of at most this many managers' portfolios (a team).
# A wider scope — the bench's division lead: 71 managers, 14% of a million accounts — holds so many of the
# matches that PostgreSQL finds them by the text alone sooner than the index unions his managers' keys
# (70–100 ms for that union under load, whatever the text; the text alone: a few ms for a rare word, 40–50 ms
# for the list's «дон»). Measured in bench/README.md, "Issue 17".
KEYS_MAX_MANAGERS = 20


def narrowed(qs: QuerySet, user: User, keys_sql: str) -> QuerySet:
    """`qs` with "the row's keys overlap the user's"; unchanged for those who see everything, and for those
    whose keys name more than KEYS_MAX_MANAGERS managers."""
    if connection.vendor != "postgresql":
        return qs
    keys = visibility_keys(user)
    if keys is None:
        return qs
    if sum(key.startswith("m") for key in keys) > KEYS_MAX_MANAGERS:
        return qs
    return qs.filter(RawSQL(f"{keys_sql} && %s::text[]", (keys,), output_field=BooleanField()))
