"""The reactivation queue's one manual step: giving a dormant account up, with a reason.

A case is opened and closed as reactivated by the analytics run (orbit/analytics/dormancy.py); a person closes it
only as lost. Lost means the manager has decided the client is gone, so the account goes to "churned" (a step
STATUS_TRANSITIONS allows from active, dormant and reactivated; a prospect or an account in handoff keeps its
status). There is no "reopen": churned leads only to reactivated, which a purchase brings — the next run closes
nothing (the case is lost) but moves the account to "reactivated", and a later silence opens a new case.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access.policy import can_work_account
from orbit.accounts import open_work
from orbit.accounts.models import Account, AccountStatus
from orbit.analytics.models import ReactivationCase, ReactivationStatus
from orbit.analytics.selectors_reactivation import STATUS_LABELS
from orbit.common.errors import ConflictError
from orbit.org.models import User

TO_CHURNED_FROM = {AccountStatus.ACTIVE, AccountStatus.DORMANT, AccountStatus.REACTIVATED}
LOST_REASON_PREFIX = "orbit-reactivation:lost:"
REASON_MAX = ReactivationCase._meta.get_field("lost_reason").max_length


def describe_reason(reason: str) -> str:
    """The timeline's title for the status change a lost case made ('' if the reason is not ours)."""
    return _("Reactivation given up: the account is churned") if reason.startswith(LOST_REASON_PREFIX) else ""


def _churn(account: Account, *, by: User, case: ReactivationCase) -> None:
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.status not in TO_CHURNED_FROM or locked.archived_at is not None:
        return
    locked.status, locked.status_changed_at = AccountStatus.CHURNED, timezone.now()
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked._change_reason = f"{LOST_REASON_PREFIX}{case.pk}"  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "status_changed_at", "version", "updated_at"])


@transaction.atomic
def mark_lost(*, by: User, case: ReactivationCase, reason: str, version: int | None) -> ReactivationCase:
    """Close an open case as lost. Only who may work the account; the reason is required; a stale `version` is
    a conflict. The same click twice (the case already lost with this reason) returns the case unchanged."""
    locked = ReactivationCase.objects.select_for_update().select_related("account").get(pk=case.pk)
    if not can_work_account(by, locked.account):
        raise PermissionDenied(_("Only those who work the account may give up its reactivation."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the account is lost.")}, code="required")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(max)s characters.") % {"max": REASON_MAX}}, code="max_length"
        )
    if locked.status == ReactivationStatus.LOST and locked.lost_reason == reason:
        return locked  # a double click, or a retried call
    if version is not None and locked.version != version:
        raise ConflictError(
            _(
                "The case was changed while you were looking at it (version %(theirs)s, yours %(yours)s). "
                "Look at it again before giving it up."
            )
            % {"theirs": locked.version, "yours": version},
            current=locked,
        )
    if locked.status != ReactivationStatus.OPEN:
        raise ValidationError(
            _("The case is closed already: %(status)s.") % {"status": STATUS_LABELS[locked.status]},
            code="closed",
        )
    locked.status, locked.lost_reason = ReactivationStatus.LOST, reason
    locked.closed_on, locked.closed_by = timezone.localdate(), by
    locked.version += 1
    locked.save(update_fields=["status", "lost_reason", "closed_on", "closed_by", "version", "updated_at"])
    _churn(locked.account, by=by, case=locked)
    return locked


@open_work.register
def move_open_cases(*, account: Account, frm: User, to: User) -> int:
    """The account's open case follows its responsibility: the new manager's queue, not the old one's."""
    return ReactivationCase.objects.filter(account=account, status=ReactivationStatus.OPEN).update(
        manager=to, version=F("version") + 1, updated_at=timezone.now()
    )
