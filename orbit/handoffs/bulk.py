"""Bulk reassignment of a portfolio (a manager leaves or is overloaded): propose, adjust, execute at once.

The proposal keeps holdings together, gives key accounts only to key account managers, and fills the receivers
with the least load first, load being a weight per tier (a key account needs far more hours than a C client).
Execution is all-or-nothing: one transaction, every account through the ownership service. It runs in the
background worker (`start` checks and queues it, `run_move` does it), reporting its progress through the
"progress" cache, which another process can read while the transaction is still open.

A worker that is killed mid-move leaves nothing moved (its transaction dies with it) but the move "running":
the job writes a heartbeat next to its progress, and a running move whose heartbeat is older than
ORBIT_BULK_MOVE_STALE_MINUTES is marked failed (`fail_if_stale`, when its page is looked at). The job
commits its accounts and its "done" together, under a lock on the move, so a move marked failed never
moves anything afterwards.
"""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.access.policy import visible_accounts
from orbit.accounts import ownership
from orbit.accounts.models import Account, ChangeReason, Tier
from orbit.handoffs.models import OPEN_STATUSES, BulkMove, BulkMoveStatus, Handoff
from orbit.org.models import Role, User

PROGRESS_EVERY = 10  # accounts between two progress reports
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


def holding_groups(accounts: list[Account]) -> dict[int, list[Account]]:
    """Holding members that are in the portfolio stay together: grouped by their top ancestor within it.
    Shared with the workload area's rebalancing proposals (orbit/workload/rebalance.py)."""
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
    groups = sorted(holding_groups(accounts).items(), key=lambda g: -sum(tier_weight(a.tier) for a in g[1]))
    for group_id, members in groups:
        weight = sum(tier_weight(a.tier) for a in members)
        has_key = any(a.tier == Tier.KEY for a in members)
        eligible = kams if has_key and kams else receivers
        receiver = min(eligible, key=lambda r: (load[r.pk], r.pk))
        load[receiver.pk] += weight
        lines.extend(Line(a, receiver, group_id) for a in members)
    return lines


def _validate(*, by: User, manager: User, plan: dict[int, User], reason: str) -> dict[int, Account]:
    """Everything that can refuse the move, before anything moves; returns the accounts by id."""
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
    return accounts


@transaction.atomic
def execute(
    *,
    by: User,
    manager: User,
    plan: dict[int, User],
    reason: str,
    comment: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Move every account of the plan {account id: receiver}; refuse everything if any one move is refused."""
    accounts = _validate(by=by, manager=manager, plan=plan, reason=reason)
    for done, pk in enumerate(sorted(plan), start=1):
        ownership.transfer(account=accounts[pk], manager=plan[pk], by=by, reason=reason, comment=comment)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(plan)):
            progress(done)
    return len(plan)


def start(*, by: User, manager: User, plan: dict[int, User], reason: str, comment: str = "") -> BulkMove:
    """Check the move now (errors go back to the form at once) and hand it to the background worker."""
    _validate(by=by, manager=manager, plan=plan, reason=reason)
    move = BulkMove.objects.create(
        created_by=by,
        manager=manager,
        reason=reason,
        comment=comment,
        plan={str(pk): receiver.pk for pk, receiver in plan.items()},
        total=len(plan),
    )
    from orbit.handoffs.tasks import run_bulk_move

    transaction.on_commit(lambda: run_bulk_move.enqueue(move.pk))
    return move


def progress_key(move: BulkMove) -> str:
    return f"bulk-move:{move.pk}"


def heartbeat_key(move: BulkMove) -> str:
    return f"bulk-move:{move.pk}:heartbeat"


def _beat(move: BulkMove) -> None:
    caches["progress"].set(heartbeat_key(move), time.time(), timeout=24 * 3600)


def is_stale(move: BulkMove) -> bool:
    """A running move whose worker has given no sign of life for ORBIT_BULK_MOVE_STALE_MINUTES."""
    if move.status != BulkMoveStatus.RUNNING:
        return False
    last = caches["progress"].get(heartbeat_key(move)) or move.created_at.timestamp()
    return time.time() - last > settings.ORBIT_BULK_MOVE_STALE_MINUTES * 60


def fail_if_stale(move: BulkMove) -> BulkMove:
    """Mark a move whose worker died as failed, saying so in its author's language; nothing was moved."""
    if not is_stale(move):
        return move
    with translation.override(move.created_by.language or settings.LANGUAGE_CODE):
        error = _(
            "The background worker stopped during the move: no sign of it for %(minutes)s minutes. "
            "Nothing was moved (the move is all or nothing). Start the move again."
        ) % {"minutes": settings.ORBIT_BULK_MOVE_STALE_MINUTES}
    # Only while still running: a worker that finishes in the meantime holds the row's lock and wins.
    BulkMove.objects.filter(pk=move.pk, status=BulkMoveStatus.RUNNING).update(
        status=BulkMoveStatus.FAILED, error=error, finished_at=timezone.now()
    )
    move.refresh_from_db()
    caches["progress"].delete_many([progress_key(move), heartbeat_key(move)])
    return move


def _mark_failed(move: BulkMove, error: str) -> None:
    move.status, move.error, move.finished_at = BulkMoveStatus.FAILED, error, timezone.now()
    BulkMove.objects.filter(pk=move.pk, status=BulkMoveStatus.RUNNING).update(
        status=move.status, error=move.error, finished_at=move.finished_at
    )


class _Abandoned(Exception):
    """The move was marked failed while it ran (its worker looked dead): roll back everything."""


def moved_so_far(move: BulkMove) -> int:
    """How many accounts the running move has handed over (its transaction has not committed them yet)."""
    if move.status == BulkMoveStatus.DONE:
        return move.moved
    return caches["progress"].get(progress_key(move), 0)


def run_move(move: BulkMove) -> BulkMove:
    """Do a queued move, in its author's language; record the outcome either way."""
    if move.status != BulkMoveStatus.QUEUED:
        return move  # a second delivery of the same task
    _beat(move)  # before "running": a page that sees it running sees a fresh heartbeat
    BulkMove.objects.filter(pk=move.pk).update(status=BulkMoveStatus.RUNNING)
    move.status = BulkMoveStatus.RUNNING
    users = User.objects.in_bulk(set(move.plan.values()))
    plan = {int(pk): users[receiver] for pk, receiver in move.plan.items()}
    cache, key = caches["progress"], progress_key(move)

    def progress(done: int) -> None:
        cache.set(key, done, timeout=3600)
        _beat(move)

    with translation.override(move.created_by.language or settings.LANGUAGE_CODE):
        try:
            with transaction.atomic():
                moved = execute(
                    by=move.created_by,
                    manager=move.manager,
                    plan=plan,
                    reason=move.reason,
                    comment=move.comment,
                    progress=progress,
                )
                # "Done" commits with the accounts, and only if nobody marked the move failed meanwhile.
                locked = BulkMove.objects.select_for_update().get(pk=move.pk)
                if locked.status != BulkMoveStatus.RUNNING:
                    raise _Abandoned
                move.status, move.moved, move.finished_at = BulkMoveStatus.DONE, moved, timezone.now()
                move.save(update_fields=["status", "moved", "finished_at"])
        except _Abandoned:
            move.refresh_from_db()
            cache.delete_many([key, heartbeat_key(move)])
            return move
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            _mark_failed(move, " ".join(messages))
        except Exception:
            # A bug or a lost database: the transaction rolled back; say so now rather than when it goes stale.
            _mark_failed(
                move, _("The move stopped on an unexpected error. Nothing was moved; start it again later.")
            )
            cache.delete_many([key, heartbeat_key(move)])
            raise
    cache.delete_many([key, heartbeat_key(move)])
    return move


def _check_holdings_together(accounts: dict[int, Account], plan: dict[int, User]) -> None:
    for members in holding_groups(list(accounts.values())).values():
        receivers = {plan[a.pk].pk for a in members if a.pk in plan}
        if len(receivers) > 1:
            raise ValidationError(
                _("Accounts of one holding go to one manager: %(names)s.")
                % {"names": ", ".join(a.display_name for a in members[:5])}
            )
