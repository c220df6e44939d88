"""What the accounts app tells the access policy (registered in AccountsConfig.ready): the account model and
its fields, and the account-team seats that widen what a member sees (a global account manager's seat on a
holding's top account opens its subsidiaries too)."""

from orbit.access import registry
from orbit.accounts.models import Account, AccountStatus, AccountTeamMember, TeamRole

HOLDING_DEPTH = 5


def _seats_sql() -> str:
    return (
        f"SELECT 'seat', account_id, NULL, NULL, role FROM {AccountTeamMember._meta.db_table}"
        " WHERE user_id = %(user)s AND ended_at IS NULL"
    )


def _collect_seats(user, rows, grants: registry.Grants) -> None:
    holdings = set()
    for _kind, account_id, _b, _c, role in rows:
        grants.seat_account_ids.add(account_id)
        if role == TeamRole.GLOBAL_ACCOUNT_MANAGER:
            holdings.add(account_id)
    grants.seat_account_ids |= holding_members(holdings)


def holding_members(holdings: set[int]) -> set[int]:
    """All subsidiaries below the holdings a global AM is responsible for (one query per level)."""
    found: set[int] = set()
    frontier = holdings
    for _level in range(HOLDING_DEPTH):
        if not frontier:
            break
        frontier = set(Account.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def register() -> None:
    registry.declare_accounts(registry.AccountShape(model=Account, prospect_status=AccountStatus.PROSPECT))
    registry.register_widening(
        registry.Widening(name="accounts.team", kinds=("seat",), sql=_seats_sql, collect=_collect_seats)
    )
