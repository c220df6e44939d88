"""Narrow a search by the viewer's visibility keys, so the scope and the text meet in one index.

Migration accounts 0015 indexes (keys, text) for accounts and contacts; `visibility_keys(user)` lists his
tokens. The condition only helps the planner: callers keep the real scope (`visible_accounts`, `visible_to`),
so results are the same with or without it. PostgreSQL only (the SQLite demo has neither keys nor index).
"""

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from orbit.access.policy import visibility_keys
from orbit.org.models import User

# Exactly the indexed expressions of accounts 0015 (an index is used only for the same expression).
ACCOUNT_KEYS = (
    "accounts_visibility_keys(accounts_account.id, accounts_account.responsible_manager_id, "
    "accounts_account.status, accounts_account.created_by_id)"
)
CONTACT_KEYS = "accounts_contact.visibility_keys"


def narrowed(qs: QuerySet, user: User, keys_sql: str, *, max_managers: int | None = None) -> QuerySet:
    """`qs` with "the row's keys overlap the user's"; unchanged for those who see everything, and for those
    whose keys name more than `max_managers` managers (see the contacts' search for why)."""
    if connection.vendor != "postgresql":
        return qs
    keys = visibility_keys(user)
    if keys is None:
        return qs
    if max_managers is not None and sum(key.startswith("m") for key in keys) > max_managers:
        return qs
    return qs.filter(RawSQL(f"{keys_sql} && %s::text[]", (keys,), output_field=BooleanField()))
