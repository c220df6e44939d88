"""The account team: who works on an account besides its responsible manager."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts import open_work
from orbit.accounts.models import HOLDING_ROLES, Account, AccountStatus, AccountTeamMember, TeamRole
from orbit.org.models import User


def can_manage_team(user: User, account: Account, role: str) -> bool:
    if role in HOLDING_ROLES:
        return policy.may_reassign(user, account)
    return policy.can_change_account(user, account)


@transaction.atomic
def team_member_add(
    *, by: User, account: Account, user: User, role: str, at: dt.datetime | None = None, note: str = ""
) -> AccountTeamMember:
    if not can_manage_team(by, account, role):
        raise PermissionDenied(_("You may not change this account's team."))
    if not user.is_active:
        raise ValidationError({"user": _("%(name)s is not an active user.") % {"name": user}})
    if role == TeamRole.GLOBAL_ACCOUNT_MANAGER and account.parent_id is not None:
        raise ValidationError({"role": _("A global account manager is set on the holding's top account.")})
    if role == TeamRole.NATIONAL_ACCOUNT_MANAGER and account.parent_id is None:
        raise ValidationError({"role": _("A national account manager is set on a subsidiary of a holding.")})
    try:
        with transaction.atomic():
            return AccountTeamMember.objects.create(
                account=account, user=user, role=role, started_at=at or timezone.now(), note=note, added_by=by
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"user": _("%(name)s already holds this role on the account.") % {"name": user}}
        ) from exc


@transaction.atomic
def team_member_end(
    *, by: User, member: AccountTeamMember, at: dt.datetime | None = None
) -> AccountTeamMember:
    if not can_manage_team(by, member.account, member.role):
        raise PermissionDenied(_("You may not change this account's team."))
    locked = AccountTeamMember.objects.select_for_update().get(pk=member.pk)
    if locked.ended_at is None:
        locked.ended_at = max(at or timezone.now(), locked.started_at)
        locked.save(update_fields=["ended_at"])
        _release_open_work(locked)
    return locked


def _release_open_work(seat: AccountTeamMember) -> dict[str, int]:
    """He left the team: if that was his last way to work the account, his open work there (planned touches,
    open tasks, requests he manages or executes) goes to the responsible manager — for a prospect nobody owns
    yet, to the hunter who brought it — or, with nobody to take it, is cancelled; as a handoff moves it."""
    account = Account.objects.select_related("responsible_manager", "created_by").get(pk=seat.account_id)
    person = User.objects.get(pk=seat.user_id)  # fresh: no access context cached from before the seat ended
    if policy.can_work_account(person, account):
        return {}  # he still works it (its manager, his lead, another seat): his work stays his
    to = account.responsible_manager
    if to is None and account.status == AccountStatus.PROSPECT:
        to = account.created_by
    return open_work.leave(account=account, frm=person, to=to)


def current_team(account: Account) -> list[AccountTeamMember]:
    return list(
        AccountTeamMember.objects.filter(account=account, ended_at__isnull=True).select_related(
            "user", "added_by"
        )
    )
