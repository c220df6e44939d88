"""Narrow a search by the viewer's visibility keys, so the scope and the text meet in one index.

Migration search/0002 indexes (keys, text) for accounts and contacts; `visibility_keys(user)` lists his
tokens. The condition only helps the planner: callers keep the real scope (`visible_accounts`, `visible_to`),
so results are the same with or without it. PostgreSQL only (the SQLite demo has neither keys nor index).
"""

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from orbit.access.policy import visibility_keys
from orbit.org.models import User

# Exactly the indexed expressions of search/0002 (an index is used only for the same expression).
ACCOUNT_KEYS = (
    "accounts_visibility_keys(accounts_account.id, accounts_account.responsible_manager_id, "
    "accounts_account.status, accounts_account.created_by_id)"
)
CONTACT_KEYS = "accounts_contact.visibility_keys"


def narrowed(qs: QuerySet, user: User, keys_sql: str) -> QuerySet:
    """`qs` with "the row's keys overlap the user's"; unchanged for those who see everything."""
    if connection.vendor != "postgresql":
        return qs
    keys = visibility_keys(user)
    if keys is None:
        return qs
    return qs.filter(RawSQL(f"{keys_sql} && %s::text[]", (keys,), output_field=BooleanField()))
