"""Every change to accounts and contacts: one keyword-only function per use case, permission first."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts import ownership
from orbit.accounts.models import (
    STATUS_TRANSITIONS,
    Account,
    AccountStatus,
    ChangeReason,
    Contact,
    OwnershipPeriod,
)
from orbit.common.errors import ConflictError
from orbit.common.validators import normalize_phone
from orbit.org.models import User

ACCOUNT_EDITABLE_FIELDS = (
    "legal_name",
    "short_name",
    "inn",
    "kpp",
    "industry",
    "region",
    "segment",
    "tier",
    "parent",
    "phone",
    "address",
    "website",
    "director",
    "goals",
    "strategy",
    "investment_plans",
    "financial_indicators",
    "agreed_budget",
    "budget_currency",
    "competitors",
    "switching_barriers",
)
CONTACT_EDITABLE_FIELDS = (
    "full_name",
    "position",
    "phone",
    "email",
    "buying_role",
    "consent_given",
    "consent_date",
    "consent_source",
)


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not change this record."))


def _check_inn_free(account: Account, by: User) -> None:
    """One live account per INN and KPP: a branch (the head company's INN, its own KPP) is another account,
    the same INN and KPP is a duplicate. The clash is named only to someone who may see it; others learn just
    that the INN is taken."""
    clash = (
        Account.objects.filter(inn=account.inn, kpp=account.kpp, archived_at__isnull=True)
        .exclude(pk=account.pk)
        .first()
    )
    if clash is None:
        return
    if policy.can_view_account(by, clash):
        message = _("INN %(inn)s already belongs to the account “%(name)s” (№%(id)s).") % {
            "inn": account.inn,
            "name": clash.display_name,
            "id": clash.pk,
        }
    else:
        message = _(
            "INN %(inn)s already belongs to another client in the base. Ask your lead who holds it."
        ) % {"inn": account.inn}
    if account.kpp:
        hint = _(
            "A branch has the INN of its head company and its own KPP: check the KPP, and put the branch "
            "under its head company as its holding."
        )
        message = f"{message} {hint}"
    raise ValidationError({"inn": message})


def live_with_inn(inn: str, kpp: str = "") -> Account | None:
    """The live account an INN (and KPP) names, for those that find an account by its INN (imports, holdings).
    See `pick_by_kpp`."""
    return pick_by_kpp(
        list(Account.objects.filter(inn=inn, archived_at__isnull=True).order_by("id")[:20]), inn, kpp
    )


def pick_by_kpp(candidates: list[Account], inn: str, kpp: str = "") -> Account | None:
    """Which of the live accounts with this INN (a company and its branches, oldest first) the INN and KPP name.

    With a KPP: the account with that INN and KPP (or the only one with the INN, if its KPP is not filled in).
    Without one: the only live account with that INN; when branches share it, which one is meant cannot be
    told: a ValidationError asks for the KPP."""
    if kpp:
        found = next((a for a in candidates if a.kpp == kpp), None)
        if found is not None:
            return found
        candidates = [a for a in candidates if not a.kpp]
    if len(candidates) > 1:
        raise ValidationError(
            {
                "kpp": _("Several accounts have INN %(inn)s (a company and its branches): give the KPP.")
                % {"inn": inn}
            }
        )
    return candidates[0] if candidates else None


def _check_parent(account: Account) -> None:
    parent = account.parent
    if parent is None:
        return
    seen = set()
    while parent is not None:
        if parent.pk == account.pk or parent.pk in seen:
            raise ValidationError(
                {"parent": _("An account cannot be its own holding, directly or through others.")}
            )
        seen.add(parent.pk)
        parent = parent.parent


def _validate_account(account: Account, by: User) -> None:
    if len(account.inn) == 12 and account.kpp:
        raise ValidationError({"kpp": _("An individual entrepreneur (12-digit INN) has no KPP.")})
    if len(account.inn) == 10 and not account.kpp:
        raise ValidationError({"kpp": _("An organisation (10-digit INN) needs a KPP.")})
    if account.agreed_budget is not None and account.agreed_budget < 0:
        raise ValidationError({"agreed_budget": _("The budget cannot be negative.")})
    if account.phone:  # the API and the import reach here without the form: one stored form of a number
        try:
            account.phone = normalize_phone(account.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    account.full_clean(exclude=["responsible_manager", "created_by"], validate_constraints=False)
    _check_inn_free(account, by)
    _check_parent(account)


def _ensure_live(account: Account) -> None:
    if account.archived_at is not None:
        raise ValidationError(_("The account is archived: restore it before changing it."), code="archived")


def _check_version(obj, expected: int | None, label: str) -> None:
    if expected is not None and obj.version != expected:
        raise ConflictError(
            _(
                "%(what)s was changed by someone else while you were editing (version %(theirs)s, yours %(yours)s). "
                "Reload to see their change, then apply yours again."
            )
            % {"what": label, "theirs": obj.version, "yours": expected},
            current=obj,
        )


@transaction.atomic
def account_create(
    *,
    by: User,
    responsible_manager: User | None = None,
    status: str = AccountStatus.PROSPECT,
    at: dt.datetime | None = None,
    reason: str = ChangeReason.INITIAL,
    **fields: Any,
) -> Account:
    _ensure(policy.can_create_account(by))
    unknown = set(fields) - set(ACCOUNT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown account fields: {sorted(unknown)}")
    if status not in (AccountStatus.PROSPECT, AccountStatus.ACTIVE):
        raise ValidationError({"status": _("A new account starts as a prospect or as an active client.")})
    if status != AccountStatus.PROSPECT and responsible_manager is None:
        raise ValidationError({"responsible_manager": _("An active client needs a responsible manager.")})
    if responsible_manager is not None and responsible_manager != by:
        _ensure(policy.can_reassign(by, Account(), responsible_manager))
    # The manager is set before the first save: the database refuses a non-prospect account without one.
    account = Account(
        created_by=by,
        status=status,
        status_changed_at=at or timezone.now(),
        responsible_manager=responsible_manager,
        **fields,
    )
    _validate_account(account, by)
    account._history_user = by  # type: ignore[attr-defined]
    account.save()
    if responsible_manager is not None:
        ownership.transfer(account=account, manager=responsible_manager, by=by, reason=reason, at=at)
    return account


@transaction.atomic
def account_update(*, by: User, account: Account, version: int | None, **changes: Any) -> Account:
    _ensure(policy.can_change_account(by, account))
    unknown = set(changes) - set(ACCOUNT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown account fields: {sorted(unknown)}")
    locked = Account.objects.select_for_update().get(pk=account.pk)
    _ensure_live(locked)
    _check_version(locked, version, _("The account"))
    for name, value in changes.items():
        setattr(locked, name, value)
    _validate_account(locked, by)
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def account_set_status(*, by: User, account: Account, status: str, version: int | None = None) -> Account:
    _ensure(policy.can_change_account(by, account))
    locked = Account.objects.select_for_update().get(pk=account.pk)
    _ensure_live(locked)
    _check_version(locked, version, _("The account"))
    if status == locked.status:
        return locked
    if status not in STATUS_TRANSITIONS[locked.status]:
        raise ValidationError(
            {
                "status": _("An account cannot go from “%(old)s” to “%(new)s”.")
                % {"old": AccountStatus(locked.status).label, "new": AccountStatus(status).label}
            }
        )
    if status != AccountStatus.PROSPECT and locked.responsible_manager_id is None:
        raise ValidationError(
            {"status": _("Assign a responsible manager before the account leaves prospects.")}
        )
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "status_changed_at", "version", "updated_at"])
    return locked


def account_reassign(
    *,
    by: User,
    account: Account,
    manager: User,
    reason: str = ChangeReason.REASSIGNMENT,
    comment: str = "",
    at: dt.datetime | None = None,
):
    """A direct change of the responsible manager by the head or a lead (the handoff flow is the usual way)."""
    _ensure(policy.can_reassign(by, account, manager))
    _ensure_live(account)
    return ownership.transfer(account=account, manager=manager, by=by, reason=reason, comment=comment, at=at)


def _validate_contact(contact: Contact) -> None:
    if contact.phone:
        try:
            contact.phone = normalize_phone(contact.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    if contact.consent_given and contact.consent_date is None:
        raise ValidationError({"consent_date": _("Give the date the consent was received.")})
    if contact.consent_date and contact.consent_date > timezone.localdate():
        raise ValidationError({"consent_date": _("The consent date cannot be in the future.")})
    contact.full_clean(exclude=["account", "created_by"], validate_constraints=False)


@transaction.atomic
def contact_create(*, by: User, account: Account, **fields: Any) -> Contact:
    _ensure(policy.can_change_account(by, account))
    _ensure_live(account)
    contact = Contact(account=account, created_by=by, **fields)
    _validate_contact(contact)
    contact._history_user = by  # type: ignore[attr-defined]
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, by: User, contact: Contact, version: int | None, **changes: Any) -> Contact:
    _ensure(policy.can_change_account(by, contact.account))
    unknown = set(changes) - set(CONTACT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    _ensure_live(contact.account)
    if locked.archived_at is not None:
        raise ValidationError(_("The contact is archived: restore it before changing it."), code="archived")
    _check_version(locked, version, _("The contact"))
    for name, value in changes.items():
        setattr(locked, name, value)
    _validate_contact(locked)
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def account_archive(*, by: User, account: Account, version: int | None = None) -> Account:
    """Hide the account from lists and free its INN; nothing is deleted and `account_restore` brings it back."""
    _ensure(policy.can_change_account(by, account))
    locked = Account.objects.select_for_update().get(pk=account.pk)
    _check_version(locked, version, _("The account"))
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.version += 1
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["archived_at", "version", "updated_at"])
    return locked


@transaction.atomic
def account_restore(*, by: User, account: Account) -> Account:
    _ensure(policy.can_change_account(by, account))
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.merged_into_id is not None:
        raise ValidationError(
            _("This account was merged into account №%(id)s: everything it had is there now.")
            % {"id": locked.merged_into_id}
        )
    if locked.archived_at is not None:
        _check_inn_free(locked, by)
        locked.archived_at = None
        locked.version += 1
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["archived_at", "version", "updated_at"])
    return locked


@transaction.atomic
def contact_set_archived(*, by: User, contact: Contact, archived: bool) -> Contact:
    _ensure(policy.can_change_account(by, contact.account))
    _ensure_live(contact.account)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if (locked.archived_at is not None) != archived:
        locked.archived_at = timezone.now() if archived else None
        locked.version += 1
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["archived_at", "version", "updated_at"])
    return locked


@transaction.atomic
def account_reassignment_reverse(*, by: User, account: Account, comment: str = ""):
    """Undo the latest change of responsible manager: the previous manager takes the account back."""
    _ensure(policy.may_reassign(by, account))
    _ensure_live(account)
    periods = list(
        OwnershipPeriod.objects.filter(account=account).select_related("manager").order_by("-started_at")[:2]
    )
    if len(periods) < 2 or periods[0].ended_at is not None:
        raise ValidationError(_("There is no reassignment to reverse on this account."))
    latest, previous = periods
    _ensure(policy.can_reassign(by, account, previous.manager))
    when = date_format(timezone.localtime(latest.started_at), "SHORT_DATETIME_FORMAT")
    note = _("Reverses the change of %(date)s") % {"date": when}
    return ownership.transfer(
        account=account,
        manager=previous.manager,
        by=by,
        reason=ChangeReason.REVERSAL,
        comment=f"{note}. {comment}" if comment else note,
    )
