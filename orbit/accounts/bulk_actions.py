"""Bulk actions on the account list: change tier or segment, plan a touch, start handoffs; all or nothing.

Each selected account goes through the very service (and so the policy and validation) of the one-by-one change:
`account_update`, `activities.services.touch_plan`, `handoffs.services.handoff_start`, each in its own
savepoint inside one transaction. Every account is tried; if any is refused, the transaction is rolled back,
nothing changes and the caller gets every refusal with its reason. The accounts are locked first (in id order,
so two bulk actions never deadlock) and compared with the versions the list showed: an account someone changed
since fails the whole action. Each change lands in the account's history as the one-by-one change does; the
`BulkAction` row is the receipt a double submit finds under its idempotency key.

The auditor does no bulk action (`policy.may_act_in_bulk`); an account manager changes only what he may change
one by one. A selection is capped at ORBIT_BULK_ACTION_MAX accounts and runs in the request.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts import services
from orbit.accounts.models import Account, BulkAction, ChangeReason, Segment
from orbit.activities.services import touch_plan
from orbit.common.errors import ConflictError
from orbit.handoffs.services import handoff_start
from orbit.org.models import User

TIER, SEGMENT, TOUCH, HANDOFF = "tier", "segment", "touch", "handoff"
ACTIONS = (TIER, SEGMENT, TOUCH, HANDOFF)


@dataclass(frozen=True)
class Refusal:
    account_id: int
    name: str  # '' for an account the user may not see: its name is not his to learn
    reasons: list[str]
    conflict: bool = False


class BulkRefused(Exception):
    """Nothing was changed: these accounts were refused (each with its reasons)."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(f"{len(refusals)} accounts refused")
        self.refusals = refusals

    @property
    def conflict(self) -> bool:
        return any(r.conflict for r in self.refusals)


def _reasons(exc: Exception) -> list[str]:
    if isinstance(exc, PermissionDenied):
        return [str(exc) or _("You may not change this account.")]
    assert isinstance(exc, ValidationError)
    return list(exc.messages)


def _change(action: str, params: dict, by: User) -> Callable[[Account], object]:
    """The one-by-one service call for one account."""
    if action == TIER:
        return lambda account: services.account_update(
            by=by, account=account, version=account.version, tier=params["tier"]
        )
    if action == SEGMENT:
        segment = Segment.objects.get(pk=params["segment"])
        return lambda account: services.account_update(
            by=by, account=account, version=account.version, segment=segment
        )
    if action == TOUCH:
        day = dt.date.fromisoformat(params["planned_for"])
        return lambda account: touch_plan(
            by=by, account=account, planned_for=day, kind=params["kind"], subject=params.get("subject", "")
        )
    if action == HANDOFF:
        receiver = User.objects.get(pk=params["to_user"])
        return lambda account: handoff_start(
            by=by,
            account=account,
            to_user=receiver,
            kind=params["kind"],
            reason=params.get("reason") or ChangeReason.REASSIGNMENT,
        )
    raise ValueError(f"unknown bulk action {action!r}")


def apply(*, by: User, action: str, versions: dict[int, int | None], params: dict) -> BulkAction:
    """Do `action` on every account of `versions` (id -> the version the list showed, or None: as it is now).

    Raises PermissionDenied when the user does no bulk action at all, BulkRefused when any account is refused
    (nothing changed), ValidationError for an empty or too large selection.
    """
    if not policy.may_act_in_bulk(by):
        raise PermissionDenied(_("You may not change accounts, so you cannot act on a selection."))
    if not versions:
        raise ValidationError(_("Select at least one account."))
    if len(versions) > settings.ORBIT_BULK_ACTION_MAX:
        raise ValidationError(
            _("At most %(max)s accounts at once: narrow the list with a filter.")
            % {"max": settings.ORBIT_BULK_ACTION_MAX}
        )
    change = _change(action, params, by)
    with transaction.atomic():
        visible = set(
            policy.visible_accounts(by, include_archived=True)
            .filter(pk__in=versions)
            .values_list("pk", flat=True)
        )
        # Locked in id order (two bulk actions on overlapping selections never wait for each other in a circle).
        locked = list(
            Account.objects.select_for_update(of=("self",))
            .filter(pk__in=visible)
            .select_related("responsible_manager", "created_by")
            .order_by("pk")
        )
        refusals = [
            Refusal(pk, "", [_("Account №%(id)s was not found among those you may see.") % {"id": pk}])
            for pk in sorted(set(versions) - visible)
        ]
        for account in locked:
            expected = versions.get(account.pk)
            if expected is not None and expected != account.version:
                refusals.append(
                    Refusal(
                        account.pk,
                        account.display_name,
                        [
                            _(
                                "Someone changed this account after you opened the list: reload the list and try again."
                            )
                        ],
                        conflict=True,
                    )
                )
                continue
            try:
                change(
                    account
                )  # its own savepoint: a refusal undoes only its partial work, then all is undone
            except ConflictError as exc:
                refusals.append(Refusal(account.pk, account.display_name, _reasons(exc), conflict=True))
            except (PermissionDenied, ValidationError) as exc:
                refusals.append(Refusal(account.pk, account.display_name, _reasons(exc)))
        if refusals:
            raise BulkRefused(sorted(refusals, key=lambda r: (r.name == "", r.name.lower(), r.account_id)))
        return BulkAction.objects.create(by=by, action=action, count=len(locked), params=params)
