"""Every change to a handoff: permission first, the handoff row locked, responsibility moved only at acceptance."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts import ownership
from orbit.accounts.models import Account, AccountStatus, AccountTeamMember, ChangeReason, TeamRole
from orbit.common.errors import ConflictError
from orbit.handoffs import notices
from orbit.handoffs.models import OPEN_STATUSES, Handoff, HandoffKind, HandoffStatus, HandoffStep, StepKind
from orbit.org.models import Role, User

BRIEF_FIELDS = ("promised", "technical_scope", "stakeholders", "risks", "open_commitments", "documents")
RECEIVER_ROLES = (Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER)
BETWEEN_MANAGERS_REASONS = (
    ChangeReason.REASSIGNMENT,
    ChangeReason.VACATION,
    ChangeReason.OVERLOAD,
    ChangeReason.DEPARTURE,
)


# Accounts a hunter may hand over as won: a prospect, or a client just won.
FROM_SALES_STATUSES = (AccountStatus.PROSPECT, AccountStatus.ACTIVE, AccountStatus.REACTIVATED)
REQUIRED_BRIEF_FIELDS = ("promised", "technical_scope", "stakeholders")


def missing_brief_fields(handoff: Handoff) -> list[str]:
    """What the brief still lacks before it may be marked done, in the brief's order."""
    return [f for f in REQUIRED_BRIEF_FIELDS if not (getattr(handoff, f) or "").strip()]


def steps_before_acceptance(handoff: Handoff) -> list[HandoffStep]:
    """The steps still open that acceptance waits for."""
    return [
        s
        for s in handoff.steps.all()
        if s.done_at is None and s.kind not in (StepKind.ACCEPTANCE, StepKind.CHECKUP)
    ]


def _deny(message: str | None = None):
    raise PermissionDenied(message or _("You may not do this with this handoff."))


def _steps_for(handoff: Handoff) -> list[HandoffStep]:
    """The plan: who does what by when. Between managers there is no deal to join."""
    kinds = [StepKind.BRIEF, StepKind.JOIN_DEAL, StepKind.MEETING, StepKind.ACCEPTANCE]
    if handoff.kind == HandoffKind.BETWEEN_MANAGERS:
        kinds.remove(StepKind.JOIN_DEAL)
    owners = {
        StepKind.BRIEF: handoff.from_user,
        StepKind.JOIN_DEAL: handoff.to_user,
        StepKind.MEETING: handoff.from_user,
        StepKind.ACCEPTANCE: handoff.to_user,
    }
    today = timezone.localdate()
    days = settings.ORBIT_HANDOFF_STEP_DAYS
    return [
        HandoffStep(
            handoff=handoff,
            kind=kind,
            owner=owners[kind],
            position=n,
            due_date=today + dt.timedelta(days=days[kind]),
        )
        for n, kind in enumerate(kinds)
    ]


def _validate_receiver(account: Account, receiver: User, giver: User) -> None:
    if not receiver.is_active:
        raise ValidationError({"to_user": _("%(name)s is not an active user.") % {"name": receiver}})
    if not receiver.has_role(*RECEIVER_ROLES):
        raise ValidationError(
            {
                "to_user": _("%(name)s is not an account manager: only account managers receive accounts.")
                % {"name": receiver}
            }
        )
    if receiver.pk == giver.pk:
        raise ValidationError({"to_user": _("You cannot hand an account over to yourself.")})


def giver_of(account: Account) -> User | None:
    """Who hands the account over: its responsible manager, or the hunter who created an unowned prospect."""
    if account.responsible_manager_id is not None:
        return account.responsible_manager
    return account.created_by if account.status == AccountStatus.PROSPECT else None


def can_start(user: User, account: Account) -> bool:
    giver = giver_of(account)
    own = giver is not None and giver.pk == user.pk and policy.can_change_account(user, account)
    return own or policy.may_reassign(user, account)


@transaction.atomic
def handoff_start(
    *, by: User, account: Account, to_user: User, kind: str, reason: str = ChangeReason.HANDOFF, **brief: Any
) -> Handoff:
    locked = Account.objects.select_for_update().get(pk=account.pk)
    giver = locked.responsible_manager or (
        locked.created_by if locked.status == AccountStatus.PROSPECT else None
    )
    allowed = policy.may_reassign(by, locked) or (
        giver is not None and giver.pk == by.pk and policy.can_change_account(by, locked)
    )
    if not allowed:
        _deny(_("Only the responsible manager, his lead or the head of department hand an account over."))
    if giver is None:
        giver = by
    if locked.archived_at is not None:
        raise ValidationError(_("The account is archived: restore it first."))
    if kind == HandoffKind.FROM_SALES:
        reason = ChangeReason.HANDOFF
        if locked.status not in FROM_SALES_STATUSES:
            raise ValidationError(
                {"kind": _("Only a won client (a prospect or a new active client) comes from sales.")}
            )
    elif reason not in BETWEEN_MANAGERS_REASONS:
        raise ValidationError(
            {"reason": _("Choose why the account moves: vacation, overload, departure or other.")}
        )
    _validate_receiver(locked, to_user, giver)
    if Handoff.objects.filter(account=locked, status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("This account already has an open handoff: finish or cancel it first."))
    unknown = set(brief) - set(BRIEF_FIELDS)
    if unknown:
        raise TypeError(f"unknown brief fields: {sorted(unknown)}")
    if locked.responsible_manager_id is None:
        # A prospect nobody owns yet belongs to the hunter handing it over until the receiver accepts.
        ownership.transfer(account=locked, manager=giver, by=by, reason=ChangeReason.INITIAL)
    handoff = Handoff(
        account=locked,
        kind=kind,
        reason=reason,
        from_user=giver,
        to_user=to_user,
        created_by=by,
        previous_account_status=locked.status,
        **brief,
    )
    handoff._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            handoff.save()
    except IntegrityError as exc:  # a concurrent start won the race
        raise ValidationError(
            _("This account already has an open handoff: finish or cancel it first.")
        ) from exc
    HandoffStep.objects.bulk_create(_steps_for(handoff))
    if locked.status == AccountStatus.PROSPECT:
        _set_account_status(locked, AccountStatus.HANDOFF, by)
    notices.handoff_started(handoff, by=by)
    return handoff


def _set_account_status(account: Account, status: str, by: User) -> None:
    account.status = status
    account.status_changed_at = timezone.now()
    account.version += 1
    account._history_user = by  # type: ignore[attr-defined]
    account.save(update_fields=["status", "status_changed_at", "version", "updated_at"])


def _lock(handoff: Handoff) -> Handoff:
    return (
        Handoff.objects.select_for_update()
        .select_related("account", "from_user", "to_user")
        .get(pk=handoff.pk)
    )


def may_steer(user: User, handoff: Handoff) -> bool:
    """The giver, and whoever may reassign the account (his lead, the head)."""
    return user.pk == handoff.from_user_id or policy.may_reassign(user, handoff.account)


def can_do_step(user: User, handoff: Handoff, kind: str) -> bool:
    step = next((s for s in handoff.steps.all() if s.kind == kind), None)
    return step is not None and (user.pk == step.owner_id or may_steer(user, handoff))


def can_record_checkup(user: User, handoff: Handoff) -> bool:
    return user.pk == handoff.to_user_id or policy.may_reassign(user, handoff.account)


def _ensure_open(handoff: Handoff) -> None:
    if not handoff.is_open:
        raise ValidationError(
            _("This handoff is already %(status)s.") % {"status": handoff.get_status_display()}
        )


def _save(handoff: Handoff, by: User) -> Handoff:
    handoff.version += 1
    handoff._history_user = by  # type: ignore[attr-defined]
    handoff.save()
    return handoff


@transaction.atomic
def handoff_update_brief(*, by: User, handoff: Handoff, version: int | None, **brief: Any) -> Handoff:
    locked = _lock(handoff)
    if not may_steer(by, locked):
        _deny()
    _ensure_open(locked)
    if version is not None and version != locked.version:
        raise ConflictError(
            _("The brief was changed by someone else while you were editing."), current=locked
        )
    for name in set(brief) & set(BRIEF_FIELDS):
        setattr(locked, name, brief[name])
    return _save(locked, by)


@transaction.atomic
def step_complete(*, by: User, handoff: Handoff, kind: str, note: str = "", **meeting: Any) -> HandoffStep:
    locked = _lock(handoff)
    _ensure_open(locked)
    step = locked.steps.select_for_update().filter(kind=kind).first()
    if step is None or kind == StepKind.ACCEPTANCE:
        raise ValidationError(_("Acceptance is done with the Accept or Reject buttons."))
    if not can_do_step(by, locked, kind):
        _deny(_("This step belongs to %(name)s.") % {"name": step.owner})
    if step.done_at is not None:
        raise ValidationError(_("This step is already done."))
    if kind == StepKind.BRIEF:
        missing = missing_brief_fields(locked)
        if missing:
            # One error a field, short: the page names them once at the top and marks each field.
            raise ValidationError({f: _("Required before the brief is done.") for f in missing})
        locked.status = HandoffStatus.IN_PROGRESS
    if kind == StepKind.MEETING:
        if not meeting.get("meeting_at") or not (meeting.get("meeting_outcome") or "").strip():
            raise ValidationError({"meeting_outcome": _("Give the meeting's date and its outcome.")})
        if meeting["meeting_at"] > timezone.now():
            raise ValidationError({"meeting_at": _("Record the meeting after it has taken place.")})
        for name in ("meeting_at", "meeting_participants", "meeting_outcome"):
            setattr(locked, name, meeting.get(name) or "")
    step.done_at, step.done_by, step.note = timezone.now(), by, note
    step.save(update_fields=["done_at", "done_by", "note"])
    _save(locked, by)
    notices.handoff_step_done(locked, step, by=by)
    return step


@transaction.atomic
def handoff_accept(*, by: User, handoff: Handoff, comment: str = "") -> Handoff:
    locked = _lock(handoff)
    if by.pk != locked.to_user_id:
        _deny(_("Only the receiver, %(name)s, accepts the account.") % {"name": locked.to_user})
    _ensure_open(locked)
    pending = steps_before_acceptance(locked)
    if pending:
        raise ValidationError(
            _("Finish these steps first: %(steps)s.")
            % {"steps": ", ".join(str(s.get_kind_display()) for s in pending)}
        )
    now = timezone.now()
    account = Account.objects.select_for_update().get(pk=locked.account_id)
    ownership.transfer(
        account=account,
        manager=locked.to_user,
        by=by,
        reason=locked.reason,
        at=now,
        comment=comment or str(_("Handoff accepted")),
    )
    if account.status == AccountStatus.HANDOFF:
        _set_account_status(account, AccountStatus.ACTIVE, by)
    if locked.kind == HandoffKind.FROM_SALES:
        # Hunter attribution: who won the client and since when the farmer holds it (bonus split).
        AccountTeamMember.objects.get_or_create(
            account=account,
            user=locked.from_user,
            role=TeamRole.SALES_MANAGER,
            ended_at=None,
            defaults={"started_at": now, "added_by": by, "note": str(_("Won the account"))},
        )
    locked.steps.filter(kind=StepKind.ACCEPTANCE).update(done_at=now, done_by=by, note=comment)
    HandoffStep.objects.create(
        handoff=locked,
        kind=StepKind.CHECKUP,
        owner=locked.to_user,
        position=99,
        due_date=timezone.localdate() + dt.timedelta(weeks=settings.ORBIT_HANDOFF_CHECKUP_WEEKS),
    )
    locked.status, locked.decided_at, locked.decision_comment = HandoffStatus.ACCEPTED, now, comment
    _save(locked, by)
    notices.handoff_accepted(locked, by=by)
    return locked


def _close_unaccepted(by: User, locked: Handoff, status: str, comment: str) -> Handoff:
    if not comment.strip():
        raise ValidationError({"comment": _("Say why: the other side needs the reason.")})
    account = Account.objects.select_for_update().get(pk=locked.account_id)
    if account.status == AccountStatus.HANDOFF:
        _set_account_status(account, locked.previous_account_status, by)
    locked.status, locked.decided_at, locked.decision_comment = status, timezone.now(), comment
    return _save(locked, by)


@transaction.atomic
def handoff_reject(*, by: User, handoff: Handoff, comment: str) -> Handoff:
    locked = _lock(handoff)
    if by.pk != locked.to_user_id:
        _deny(_("Only the receiver, %(name)s, rejects the account.") % {"name": locked.to_user})
    _ensure_open(locked)
    _close_unaccepted(by, locked, HandoffStatus.REJECTED, comment)
    notices.handoff_rejected(locked, by=by)
    return locked


@transaction.atomic
def handoff_cancel(*, by: User, handoff: Handoff, comment: str) -> Handoff:
    locked = _lock(handoff)
    if not may_steer(by, locked):
        _deny()
    _ensure_open(locked)
    _close_unaccepted(by, locked, HandoffStatus.CANCELLED, comment)
    notices.handoff_cancelled(locked, by=by)
    return locked


@transaction.atomic
def checkup_record(*, by: User, handoff: Handoff, satisfied: bool, issues: str = "") -> Handoff:
    locked = _lock(handoff)
    if not can_record_checkup(by, locked):
        _deny()
    if locked.status != HandoffStatus.ACCEPTED:
        raise ValidationError(_("The check-up follows an accepted handoff."))
    if not satisfied and not issues.strip():
        raise ValidationError({"checkup_issues": _("Describe what the client is not satisfied with.")})
    locked.steps.filter(kind=StepKind.CHECKUP).update(done_at=timezone.now(), done_by=by, note=issues)
    locked.status, locked.checkup_satisfied, locked.checkup_issues = (
        HandoffStatus.COMPLETED,
        satisfied,
        issues,
    )
    return _save(locked, by)
