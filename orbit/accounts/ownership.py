"""Who is responsible for an account, and since when: the only code that writes OwnershipPeriod.

Callers (the reassignment service here, the handoff workflow, bulk reassignment) check permissions
themselves and then call `transfer`; `transfer` keeps the invariant: one open period, no overlap, no gap.
"""

import datetime as dt
import itertools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.accounts import open_work
from orbit.accounts.models import Account, AccountStatus, ChangeReason, OwnershipPeriod
from orbit.org.models import OWNER_ROLES, User


def validate_owner(manager: User) -> None:
    if not manager.is_active:
        raise ValidationError(
            {"responsible_manager": _("%(name)s is not an active user.") % {"name": manager}}
        )
    if not manager.has_role(*OWNER_ROLES):
        raise ValidationError(
            {
                "responsible_manager": _(
                    "%(name)s cannot be responsible for accounts: they hold no account-manager or sales role."
                )
                % {"name": manager}
            }
        )


@transaction.atomic
def transfer(
    *,
    account: Account,
    manager: User,
    by: User | None,
    reason: str,
    at: dt.datetime | None = None,
    comment: str = "",
) -> OwnershipPeriod:
    """Make `manager` responsible for `account` from `at` (default now); close the current period there."""
    validate_owner(manager)
    at = at or timezone.now()
    locked = Account.objects.select_for_update().get(pk=account.pk)
    current = OwnershipPeriod.objects.filter(account=locked, ended_at__isnull=True).first()
    if current is not None:
        if current.manager_id == manager.pk:
            raise ValidationError(
                {
                    "responsible_manager": _("%(name)s is already responsible for this account.")
                    % {"name": manager}
                }
            )
        if at <= current.started_at:
            raise ValidationError(
                {
                    "at": _("The change must be later than the current period's start (%(start)s).")
                    % {"start": timezone.localtime(current.started_at).strftime("%d.%m.%Y %H:%M")}
                }
            )
        current.ended_at = at
        current.save(update_fields=["ended_at"])
        open_work.move(account=locked, frm=current.manager, to=manager)
    elif OwnershipPeriod.objects.filter(account=locked, ended_at__gt=at).exists():
        raise ValidationError({"at": _("The account had a responsible manager after this moment.")})
    period = OwnershipPeriod.objects.create(
        account=locked, manager=manager, started_at=at, reason=reason, comment=comment, changed_by=by
    )
    locked.responsible_manager = manager
    locked.version += 1
    locked._history_user = by
    locked.save(update_fields=["responsible_manager", "version", "updated_at"])
    account.responsible_manager = manager
    account.version = locked.version
    return period


@transaction.atomic
def replace_history(
    *, account: Account, periods: list[OwnershipPeriod], by: User | None
) -> list[OwnershipPeriod]:
    """Replace the account's whole ownership history by `periods` (unsaved, in order, each ending where the
    next starts, the last open): an import of the history kept elsewhere, or its undo. The caller decides that
    nothing depends on the old history (documents record their manager on their date). The last period's
    manager becomes the responsible one, and the open work moves to him as on a transfer."""
    if periods:
        validate_owner(periods[-1].manager)
        if periods[-1].ended_at is not None:
            raise ValidationError(_("The last period must be open: it is the current responsible manager."))
    for earlier, later in itertools.pairwise(periods):
        if earlier.ended_at != later.started_at:
            raise ValidationError(_("The periods must follow each other without gaps or overlaps."))
    locked = Account.objects.select_for_update().get(pk=account.pk)
    previous = locked.responsible_manager
    OwnershipPeriod.objects.filter(account=locked).delete()
    for period in periods:
        period.account = locked
    created = OwnershipPeriod.objects.bulk_create(periods)
    current = periods[-1].manager if periods else None
    if previous is not None and current is not None:
        open_work.move(account=locked, frm=previous, to=current)
    locked.responsible_manager = current
    locked.version += 1
    locked._history_user = by
    locked.save(update_fields=["responsible_manager", "version", "updated_at"])
    account.responsible_manager, account.version = current, locked.version
    return created


def responsible_on(account: Account | int, when: dt.datetime | dt.date) -> User | None:
    """The manager responsible for the account at a moment; for a date, at the end of that local day."""
    if not isinstance(when, dt.datetime):
        next_day = dt.datetime.combine(when + dt.timedelta(days=1), dt.time.min)
        when = timezone.make_aware(next_day) - dt.timedelta(microseconds=1)
    period = (
        OwnershipPeriod.objects.filter(account=account, started_at__lte=when)
        .exclude(ended_at__lte=when)
        .select_related("manager")
        .first()
    )
    return period.manager if period else None


def check_invariant(account: Account) -> list[str]:
    """Problems with the account's ownership history; an empty list means the invariant holds."""
    periods = list(OwnershipPeriod.objects.filter(account=account).order_by("started_at"))
    problems = []
    open_periods = [p for p in periods if p.ended_at is None]
    if len(open_periods) > 1:
        problems.append("more than one open period")
    if account.status != AccountStatus.PROSPECT and len(open_periods) != 1:
        problems.append("a non-prospect account without exactly one open period")
    for earlier, later in itertools.pairwise(periods):
        if earlier.ended_at is None or earlier.ended_at != later.started_at:
            problems.append(f"gap or overlap between {earlier.pk} and {later.pk}")
    if open_periods and account.responsible_manager_id != open_periods[0].manager_id:
        problems.append("account.responsible_manager differs from the open period")
    return problems


__all__ = [
    "ChangeReason",
    "check_invariant",
    "replace_history",
    "responsible_on",
    "transfer",
    "validate_owner",
]
