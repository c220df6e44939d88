"""Contracts: create, change, renew, terminate; one keyword-only function per use case, permission first.

Status. `draft`, `active` and `terminated` are what people decide; `expired` is time's: the morning run
(`contracts_roll`, part of `manage.py send_reminders`) marks an active contract whose `ends_on` has passed as
expired, and renews an auto-renewing one for another `renewal_months` instead (the notice was not given, so the
contract goes on). It is written once a day, not computed on every read, so lists, filters and the agenda read
one stored column; until the run has passed on a given morning, the pages show `display_status` (the same rule
applied on read), so nobody sees an expired contract called active.

Deadlines. `renewal_on` defaults to `ends_on`; the last day to give notice is `renewal_on − notice_days`. Both
are on the watching manager's day (`orbit.revenue.deadlines`).
"""

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access.policy import can_view_account
from orbit.accounts import open_work
from orbit.accounts.models import Account
from orbit.common.errors import ConflictError
from orbit.common.validators import validate_reasonable_date
from orbit.org.models import User
from orbit.revenue.models import Contract, ContractStatus
from orbit.revenue.permissions import can_bill

EDITABLE = (
    "number",
    "subject",
    "signed_on",
    "starts_on",
    "ends_on",
    "amount",
    "currency",
    "terms",
    "auto_renewal",
    "renewal_months",
    "renewal_on",
    "notice_days",
    "manager",
)
# Contracts that still run: their deadlines are on someone's day and their watcher moves with the account.
RUNNING = (ContractStatus.DRAFT, ContractStatus.ACTIVE)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st becomes the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def notice_deadline(contract: Contract) -> dt.date | None:
    """The last day to give notice: the renewal day minus the notice period (None without a renewal day)."""
    if contract.renewal_on is None:
        return None
    return contract.renewal_on - dt.timedelta(days=contract.notice_days)


def display_status(contract: Contract, today: dt.date | None = None) -> str:
    """The status as of today: an active contract past its end reads as expired before the morning run."""
    today = today or timezone.localdate()
    if (
        contract.status == ContractStatus.ACTIVE
        and contract.ends_on is not None
        and contract.ends_on < today
        and not contract.auto_renewal
    ):
        return ContractStatus.EXPIRED
    return contract.status


def _require_bill(by: User, account: Account) -> None:
    if not can_bill(by, account):
        raise PermissionDenied(_("You may not change this account's contracts."))


def _ensure_live(account: Account) -> None:
    if account.archived_at is not None:
        raise ValidationError(
            {"account": _("The account is archived: restore it before changing its contracts.")},
            code="archived",
        )


def _check_version(contract: Contract, expected: int | None) -> None:
    if expected is not None and contract.version != expected:
        raise ConflictError(
            _(
                "The contract was changed by someone else while you were editing (version %(theirs)s, yours "
                "%(yours)s). Reload to see their change, then apply yours again."
            )
            % {"theirs": contract.version, "yours": expected},
            current=contract,
        )


def _validate(contract: Contract) -> None:
    """The rules of one contract, as field errors; all of them at once, so the form shows every problem."""
    errors: dict[str, str] = {}
    contract.number = (contract.number or "").strip()
    if not contract.number:
        errors["number"] = _("Enter the contract's number.")
    for name in ("signed_on", "starts_on", "ends_on", "renewal_on"):
        try:
            validate_reasonable_date(getattr(contract, name))
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if contract.starts_on is None:
        errors.setdefault("starts_on", _("Enter the day the contract starts."))
    elif contract.ends_on is not None and contract.ends_on < contract.starts_on:
        errors.setdefault("ends_on", _("The contract cannot end before it starts."))
    if contract.amount is not None and contract.amount < Decimal(0):
        errors["amount"] = _("The amount cannot be negative.")
    if contract.auto_renewal:
        if not contract.renewal_months:
            errors["renewal_months"] = _("Say for how many months the contract renews automatically.")
        if contract.ends_on is None:
            errors.setdefault("ends_on", _("A contract that renews automatically needs an end date."))
    if contract.renewal_on is None:
        contract.renewal_on = contract.ends_on
    elif contract.ends_on is None:
        errors.setdefault("renewal_on", _("A renewal date needs an end date of the contract."))
    elif contract.ends_on is not None and contract.renewal_on > contract.ends_on:
        errors.setdefault("renewal_on", _("The renewal date cannot be after the contract's end."))
    if contract.manager is not None and not (
        contract.manager.is_active and can_view_account(contract.manager, contract.account)
    ):
        errors["manager"] = _("%(name)s cannot see this account: choose someone who works with it.") % {
            "name": contract.manager
        }
    if (
        "number" not in errors
        and Contract.objects.filter(account_id=contract.account_id, number=contract.number)
        .exclude(pk=contract.pk)
        .exists()
    ):
        errors["number"] = _("This account already has a contract numbered %(number)s.") % {
            "number": contract.number
        }
    if errors:
        raise ValidationError(errors)


def _save(contract: Contract, **kwargs) -> None:
    try:
        with transaction.atomic():
            contract.save(**kwargs)
    except IntegrityError as exc:  # a concurrent writer took the number between the check and the save
        raise ValidationError(
            {
                "number": _("This account already has a contract numbered %(number)s.")
                % {"number": contract.number}
            }
        ) from exc


@transaction.atomic
def contract_create(
    *,
    by: User,
    account: Account,
    number: str,
    starts_on: dt.date,
    status: str = ContractStatus.ACTIVE,
    **fields: Any,
) -> Contract:
    """A new contract; `manager` (who watches its deadlines) defaults to the account's responsible manager."""
    _require_bill(by, account)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown contract fields: {sorted(unknown)}")
    if status not in (ContractStatus.DRAFT, ContractStatus.ACTIVE):
        raise ValidationError({"status": _("A new contract is a draft or active.")})
    locked = Account.objects.select_for_update().get(pk=account.pk)
    _ensure_live(locked)
    fields.setdefault("manager", None)
    if fields["manager"] is None:
        fields["manager"] = locked.responsible_manager
    contract = Contract(
        account=locked, number=number, starts_on=starts_on, status=status, created_by=by, **fields
    )
    _validate(contract)
    _save(contract)
    return contract


@transaction.atomic
def contract_update(*, by: User, contract: Contract, version: int | None, **changes: Any) -> Contract:
    """Change a contract's terms. A stale `version` is a conflict (the form shows it; the API answers 409)."""
    _require_bill(by, contract.account)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown contract fields: {sorted(unknown)}")
    locked = Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)
    _ensure_live(locked.account)
    _check_version(locked, version)
    if locked.status == ContractStatus.TERMINATED:
        raise ValidationError(_("The contract is terminated: it cannot be changed any more."))
    if "manager" in changes and changes["manager"] is None:
        changes["manager"] = locked.account.responsible_manager
    for name, value in changes.items():
        setattr(locked, name, value)
    _validate(locked)
    locked.version += 1
    _save(locked)
    return locked


@transaction.atomic
def contract_activate(*, by: User, contract: Contract, version: int | None = None) -> Contract:
    """A draft is signed: it becomes active (and its deadlines go on the manager's day)."""
    _require_bill(by, contract.account)
    locked = Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)
    _ensure_live(locked.account)
    _check_version(locked, version)
    if locked.status != ContractStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft can be activated.")})
    locked.status = ContractStatus.ACTIVE
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    return locked


@transaction.atomic
def contract_renew(
    *,
    by: User,
    contract: Contract,
    ends_on: dt.date | None = None,
    renewal_on: dt.date | None = None,
    version: int | None = None,
) -> Contract:
    """Extend the contract: with `ends_on`, to that day (a manual renewal on new terms); without, by its own
    `renewal_months` from the old end (what auto-renewal does). The renewal day moves to the new end unless
    given; an expired contract is active again."""
    _require_bill(by, contract.account)
    locked = Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)
    _ensure_live(locked.account)
    _check_version(locked, version)
    if locked.status not in (ContractStatus.ACTIVE, ContractStatus.EXPIRED):
        raise ValidationError(
            {
                "ends_on": _("Only an active or expired contract can be renewed (this one is %(status)s).")
                % {"status": locked.get_status_display()}
            }
        )
    if locked.ends_on is None:
        raise ValidationError({"ends_on": _("The contract has no end date: there is nothing to renew.")})
    if ends_on is None:
        if not locked.renewal_months:
            raise ValidationError(
                {"ends_on": _("Enter the new end date: the contract has no renewal period to renew by.")}
            )
        ends_on = add_months(locked.ends_on, locked.renewal_months)
    try:
        validate_reasonable_date(ends_on)
    except ValidationError as exc:
        raise ValidationError({"ends_on": exc.messages}) from exc
    if ends_on <= locked.ends_on:
        raise ValidationError(
            {
                "ends_on": _("The new end must be later than the current one (%(day)s).")
                % {"day": locked.ends_on.strftime("%d.%m.%Y")}
            }
        )
    locked.ends_on = ends_on
    locked.renewal_on = renewal_on
    locked.status = ContractStatus.ACTIVE
    _validate(locked)
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def contract_terminate(
    *, by: User, contract: Contract, terminated_on: dt.date, reason: str, version: int | None = None
) -> Contract:
    """End the contract early (or refuse its renewal) on a day, with the reason; its deadlines leave the day."""
    _require_bill(by, contract.account)
    locked = Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)
    _ensure_live(locked.account)
    _check_version(locked, version)
    errors = {}
    if locked.status == ContractStatus.TERMINATED:
        errors["terminated_on"] = _("The contract is terminated already.")
    elif terminated_on is None:
        errors["terminated_on"] = _("Enter the day the contract ends.")
    elif terminated_on < locked.starts_on:
        errors["terminated_on"] = _("The contract cannot end before it starts (%(day)s).") % {
            "day": locked.starts_on.strftime("%d.%m.%Y")
        }
    else:
        try:
            validate_reasonable_date(terminated_on)
        except ValidationError as exc:
            errors["terminated_on"] = exc.messages[0]
    if not (reason or "").strip():
        errors["reason"] = _("Say why the contract is terminated.")
    if errors:
        raise ValidationError(errors)
    locked.status = ContractStatus.TERMINATED
    locked.terminated_on = terminated_on
    locked.termination_reason = reason.strip()
    locked.version += 1
    locked.save(update_fields=["status", "terminated_on", "termination_reason", "version", "updated_at"])
    return locked


def contracts_roll(today: dt.date) -> tuple[int, int]:
    """The morning run's part: (contracts renewed automatically, contracts expired). An auto-renewing contract
    past its end gets as many periods as bring its end to today or later; the others expire."""
    renewed = 0
    due = Contract.objects.filter(
        status=ContractStatus.ACTIVE,
        auto_renewal=True,
        renewal_months__gt=0,
        ends_on__lt=today,
        account__archived_at__isnull=True,
    )
    for contract in due.iterator():
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            months = locked.renewal_months
            if locked.status != ContractStatus.ACTIVE or locked.ends_on is None or locked.ends_on >= today:
                continue
            if not months or not locked.auto_renewal:
                continue
            old_end = locked.ends_on
            while locked.ends_on < today:
                locked.ends_on = add_months(locked.ends_on, months)
            # The renewal day keeps its distance from the end (usually the end itself).
            if locked.renewal_on is not None:
                locked.renewal_on = locked.ends_on - (old_end - locked.renewal_on)
            locked.version += 1
            locked.save(update_fields=["ends_on", "renewal_on", "version", "updated_at"])
            renewed += 1
    expired = (
        Contract.objects.filter(status=ContractStatus.ACTIVE, ends_on__lt=today)
        .exclude(auto_renewal=True, renewal_months__gt=0)
        .update(status=ContractStatus.EXPIRED, version=F("version") + 1, updated_at=timezone.now())
    )
    return renewed, expired


# Responsibility moves: the running contracts' watcher follows the account ------------------------------------


@open_work.register
def move_watched_contracts(*, account: Account, frm: User, to: User) -> int:
    return Contract.objects.filter(account=account, manager=frm, status__in=RUNNING).update(
        manager=to, version=F("version") + 1, updated_at=timezone.now()
    )


@open_work.register_release
def release_watched_contracts(*, account: Account, frm: User, to: User | None) -> int:
    """He leaves the account's team and nobody takes his work: the contracts he watched have no watcher (a
    contract cannot be cancelled like a task); with someone to take it, the mover above moved them."""
    if to is not None:
        return 0
    return Contract.objects.filter(account=account, manager=frm, status__in=RUNNING).update(
        manager=None, version=F("version") + 1, updated_at=timezone.now()
    )


# The morning reminder: the last day to give notice is within a week (Orbit's default) ------------------------

NOTICE_REMINDER_DAYS = 7


def remind_notice_deadlines(today: dt.date) -> int:
    """Each morning of the last week before a contract's notice deadline (and on the day itself), its watcher
    is told once: after that day notice changes nothing. Returns how many notifications were created."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.functional import lazy
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy

    from orbit.notifications.kinds import Kind
    from orbit.notifications.services import notify
    from orbit.revenue.deadlines import notice_by_sql

    short_date = lazy(lambda value: date_format(value, "SHORT_DATE_FORMAT"), str)
    due = (
        Contract.objects.filter(
            status=ContractStatus.ACTIVE,
            notice_days__gt=0,
            renewal_on__gte=today,
            manager__is_active=True,
            account__archived_at__isnull=True,
        )
        .annotate(notice_by=notice_by_sql())
        .filter(notice_by__gte=today, notice_by__lte=today + dt.timedelta(days=NOTICE_REMINDER_DAYS))
        .select_related("manager", "account")
        .order_by("renewal_on", "pk")
    )
    told = 0
    for contract in due:
        deadline = notice_deadline(contract)
        if contract.manager is None:  # pragma: no cover - the query asks for an active watcher
            continue
        title = format_lazy(
            gettext_lazy("Contract {number} ({account}): the last day to give notice is {date}"),
            number=contract.number,
            account=contract.account.display_name,
            date=short_date(deadline),
        )
        told += len(
            notify(
                recipients=[contract.manager],
                kind=Kind.CONTRACT_NOTICE,
                title=title,
                url=reverse("revenue:contract", args=[contract.pk]),
                account=contract.account,
            )
        )
    return told
