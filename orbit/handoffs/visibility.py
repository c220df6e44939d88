"""What the handoffs app tells the access policy (registered in HandoffsConfig.ready): the receiver of an open
handoff sees the account he is about to take; a deputy sees, today, the portfolio (or the accounts) he covers."""

from orbit.access import registry
from orbit.handoffs.models import OPEN_STATUSES, Cover, Handoff


def _receiver_sql() -> str:
    statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)  # fixed choice values, not user input
    return (
        f"SELECT 'receiver', account_id, NULL, NULL, NULL FROM {Handoff._meta.db_table}"
        f" WHERE to_user_id = %(user)s AND status IN ({statuses})"
    )


def _collect_receiver(user, rows, grants: registry.Grants) -> None:
    grants.seat_account_ids.update(account_id for _kind, account_id, *_rest in rows)


def _cover_sql() -> str:
    return (
        "SELECT 'cover', id, owner_id, CASE WHEN whole_portfolio THEN 1 ELSE 0 END, NULL"
        f" FROM {Cover._meta.db_table} WHERE deputy_id = %(user)s AND cancelled_at IS NULL"
        " AND starts_on <= %(today)s AND ends_on >= %(today)s"
    )


def _collect_covers(user, rows, grants: registry.Grants) -> None:
    partial = set()
    for _kind, cover_id, owner_id, whole, _text in rows:
        if whole:
            grants.covered_owner_ids.add(owner_id)
        else:
            partial.add(cover_id)
    if partial:
        grants.covered_account_ids |= set(
            Cover.accounts.through.objects.filter(cover_id__in=partial).values_list("account_id", flat=True)
        )


def register() -> None:
    registry.register_widening(
        registry.Widening(
            name="handoffs.receiver", kinds=("receiver",), sql=_receiver_sql, collect=_collect_receiver
        )
    )
    registry.register_widening(
        registry.Widening(name="handoffs.cover", kinds=("cover",), sql=_cover_sql, collect=_collect_covers)
    )
