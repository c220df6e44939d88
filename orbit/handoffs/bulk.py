"""Bulk reassignment of a portfolio (a manager leaves or is overloaded): propose, adjust, execute at once.

The proposal keeps holdings together, gives key accounts only to key account managers, and fills the receivers
with the least load first, load being a weight per tier (a key account needs far more hours than a C client).
Execution is all-or-nothing: one transaction, every account through the ownership service.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.access.policy import visible_accounts
from orbit.accounts import ownership
from orbit.accounts.models import Account, ChangeReason, Tier
from orbit.handoffs.models import OPEN_STATUSES, Handoff
from orbit.org.models import Role, User

BULK_REASONS = (
    ChangeReason.DEPARTURE,
    ChangeReason.OVERLOAD,
    ChangeReason.VACATION,
    ChangeReason.REASSIGNMENT,
)


@dataclass
class Line:
    account: Account
    receiver: User
    group: int  # accounts of one holding share a group and move together


def tier_weight(tier: str) -> float:
    return settings.ORBIT_TIER_WEIGHTS.get(tier, 1)


def portfolio(by: User, manager: User):
    return (
        visible_accounts(by)
        .filter(responsible_manager=manager)
        .only(
            "id", "legal_name", "short_name", "inn", "tier", "parent_id", "status", "responsible_manager_id"
        )
        .order_by("sort_name", "id")
    )


def _groups(accounts: list[Account]) -> dict[int, list[Account]]:
    """Holding members that are in the portfolio stay together: grouped by their top ancestor within it."""
    by_id = {a.pk: a for a in accounts}

    def root(account: Account) -> int:
        seen = set()
        while account.parent_id in by_id and account.pk not in seen:
            seen.add(account.pk)
            account = by_id[account.parent_id]
        return account.pk

    groups: dict[int, list[Account]] = defaultdict(list)
    for account in accounts:
        groups[root(account)].append(account)
    return groups


def current_load(receivers: list[User]) -> dict[int, float]:
    load = {r.pk: 0.0 for r in receivers}
    rows = (
        Account.objects.filter(responsible_manager__in=receivers, archived_at__isnull=True)
        .values("responsible_manager_id", "tier")
        .annotate(n=Count("id"))
    )
    for row in rows:
        load[row["responsible_manager_id"]] += row["n"] * tier_weight(row["tier"])
    return load


def propose(*, by: User, manager: User, receivers: list[User]) -> list[Line]:
    if not receivers:
        raise ValidationError({"receivers": _("Choose at least one receiver.")})
    if manager in receivers:
        raise ValidationError({"receivers": _("The manager whose accounts move cannot receive them.")})
    accounts = list(portfolio(by, manager))
    load = current_load(receivers)
    kams = [r for r in receivers if r.has_role(Role.KEY_ACCOUNT_MANAGER)]
    lines: list[Line] = []
    groups = sorted(_groups(accounts).items(), key=lambda g: -sum(tier_weight(a.tier) for a in g[1]))
    for group_id, members in groups:
        weight = sum(tier_weight(a.tier) for a in members)
        has_key = any(a.tier == Tier.KEY for a in members)
        eligible = kams if has_key and kams else receivers
        receiver = min(eligible, key=lambda r: (load[r.pk], r.pk))
        load[receiver.pk] += weight
        lines.extend(Line(a, receiver, group_id) for a in members)
    return lines


@transaction.atomic
def execute(*, by: User, manager: User, plan: dict[int, User], reason: str, comment: str = "") -> int:
    """Move every account of the plan {account id: receiver}; refuse everything if any one move is refused."""
    if reason not in BULK_REASONS:
        raise ValidationError({"reason": _("Choose why the portfolio moves.")})
    accounts = {a.pk: a for a in portfolio(by, manager).filter(pk__in=plan)}
    missing = set(plan) - set(accounts)
    if missing:
        raise ValidationError(
            _("%(n)s of the accounts are no longer this manager's or not yours to move; reload the proposal.")
            % {"n": len(missing)}
        )
    busy = set(
        Handoff.objects.filter(account_id__in=plan, status__in=OPEN_STATUSES).values_list(
            "account_id", flat=True
        )
    )
    if busy:
        names = ", ".join(accounts[pk].display_name for pk in sorted(busy)[:5])
        raise ValidationError(
            _("These accounts have an open handoff; finish or cancel it first: %(names)s.") % {"names": names}
        )
    _check_holdings_together(accounts, plan)
    for pk, receiver in plan.items():
        if not policy.can_reassign(by, accounts[pk], receiver):
            raise PermissionDenied(
                _("You may not give %(account)s to %(name)s.")
                % {"account": accounts[pk].display_name, "name": receiver}
            )
    for pk in sorted(plan):
        ownership.transfer(account=accounts[pk], manager=plan[pk], by=by, reason=reason, comment=comment)
    return len(plan)


def _check_holdings_together(accounts: dict[int, Account], plan: dict[int, User]) -> None:
    for members in _groups(list(accounts.values())).values():
        receivers = {plan[a.pk].pk for a in members if a.pk in plan}
        if len(receivers) > 1:
            raise ValidationError(
                _("Accounts of one holding go to one manager: %(names)s.")
                % {"names": ", ".join(a.display_name for a in members[:5])}
            )
