"""Changes to touches, tasks and cadence policies: one function per use case, permission checked first."""

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access.policy import can_set_policy, can_work_account
from orbit.accounts import open_work
from orbit.accounts.models import Account, AccountStatus, Contact
from orbit.activities.cadence import cadence_for, policies
from orbit.activities.models import (
    MAX_TOUCH_MINUTES,
    CadencePolicy,
    CalendarFeed,
    Task,
    TaskStatus,
    Touch,
    TouchKind,
    TouchSource,
    TouchStatus,
)
from orbit.common.errors import ConflictError
from orbit.org.models import User

# Orbit's own limits (not the seeds'): a touch is logged within ten years of when it happened, and planned at
# most five years ahead; beyond that it is a typo (year 1, year 9999), answered at its field.
MAX_TOUCH_AGE = dt.timedelta(days=10 * 365)
PLAN_HORIZON = dt.timedelta(days=5 * 365)

# Accounts a manager keeps in orbit: a cadence plans their touches.
WORKED_STATUSES = (
    AccountStatus.HANDOFF,
    AccountStatus.ACTIVE,
    AccountStatus.REACTIVATED,
    AccountStatus.DORMANT,
)


def _require_work(by: User, account: Account) -> None:
    if not can_work_account(by, account):
        raise PermissionDenied


def _check_contacts(account: Account, contacts) -> list[Contact]:
    contacts = list(contacts or [])
    if any(contact.account_id != account.pk for contact in contacts):
        raise ValidationError({"contacts": _("Choose contacts of this account.")})
    return contacts


def _check_done(happened_at: dt.datetime | None, duration_minutes: int | None) -> dict:
    errors = {}
    if happened_at is None:
        errors["happened_at"] = _("Say when the touch happened.")
    elif happened_at > timezone.now() + dt.timedelta(minutes=5):
        errors["happened_at"] = _("A touch in the future cannot be done yet: plan it instead.")
    elif happened_at < timezone.now() - MAX_TOUCH_AGE:
        errors["happened_at"] = _("A touch more than %(years)s years ago cannot be logged.") % {
            "years": MAX_TOUCH_AGE.days // 365
        }
    if not duration_minutes or duration_minutes < 1:
        errors["duration_minutes"] = _("How long did it take? At least one minute.")
    elif duration_minutes > MAX_TOUCH_MINUTES:
        errors["duration_minutes"] = _("A touch cannot take more than 24 hours.")
    return errors


@transaction.atomic
def touch_log(
    *,
    by: User,
    account: Account,
    kind: str = TouchKind.CALL,
    happened_at: dt.datetime | None = None,
    duration_minutes: int | None,
    outcome: str = "",
    subject: str = "",
    next_step: str = "",
    next_on: dt.date | None = None,
    contacts=(),
) -> Touch:
    """Record a done touch. It closes the account's due planned touch of this person, and plans the next one:
    on `next_on` if given, else when the cadence says."""
    _require_work(by, account)
    happened_at = happened_at or timezone.now()
    errors = _check_done(happened_at, duration_minutes)
    if next_on and next_on < timezone.localdate():
        errors["next_on"] = _("The next touch cannot be planned in the past.")
    if errors:
        raise ValidationError(errors)
    contacts = _check_contacts(account, contacts)
    due = (
        Touch.objects.select_for_update()
        .filter(account=account, status=TouchStatus.PLANNED, planned_for__lte=happened_at.date())
        .order_by("planned_for", "id")
        .first()
    )
    touch = due or Touch(account=account, created_by=by)
    touch.owner = by
    touch.kind, touch.status = kind, TouchStatus.DONE
    touch.happened_at, touch.duration_minutes = happened_at, duration_minutes
    touch.subject, touch.outcome, touch.next_step = subject, outcome, next_step
    touch.version = (touch.version or 0) + 1 if touch.pk else 1
    touch.full_clean(exclude=["contacts"])
    touch.save()
    touch.contacts.set(contacts)
    _plan_next(by=by, account=account, after=happened_at.date(), on=next_on, kind=kind, step=next_step)
    return touch


def _plan_next(
    *, by: User, account: Account, after: dt.date, on: dt.date | None, kind: str, step: str
) -> None:
    if Touch.objects.filter(account=account, status=TouchStatus.PLANNED).exists():
        return  # one planned touch at a time: the manager moves it rather than stacking reminders
    if on is None:
        interval = cadence_for(account, policies())
        if interval is None or account.status not in WORKED_STATUSES:
            return
        on, source = after + dt.timedelta(days=interval), TouchSource.CADENCE
    else:
        source = TouchSource.MANUAL
    owner = account.responsible_manager or by
    Touch.objects.create(
        account=account,
        owner=owner,
        kind=kind,
        planned_for=on,
        subject=step[:200],
        source=source,
        created_by=by,
    )


@transaction.atomic
def touch_plan(
    *, by: User, account: Account, planned_for: dt.date, kind: str = TouchKind.CALL, subject: str = ""
) -> Touch:
    _require_work(by, account)
    if planned_for < timezone.localdate():
        raise ValidationError({"planned_for": _("A touch cannot be planned in the past.")})
    if planned_for > timezone.localdate() + PLAN_HORIZON:
        raise ValidationError(
            {
                "planned_for": _("A touch can be planned at most %(years)s years ahead.")
                % {"years": PLAN_HORIZON.days // 365}
            }
        )
    touch = Touch(
        account=account, owner=by, kind=kind, planned_for=planned_for, subject=subject, created_by=by
    )
    touch.full_clean(exclude=["contacts"])
    touch.save()
    return touch


@transaction.atomic
def touch_complete(
    *, by: User, touch: Touch, version: int, duration_minutes: int | None, outcome: str = "", happened_at=None
) -> Touch:
    """Mark a planned touch done from the agenda; a second writer gets a conflict instead of overwriting."""
    _require_work(by, touch.account)
    locked = Touch.objects.select_for_update().get(pk=touch.pk)
    if locked.version != version or locked.status != TouchStatus.PLANNED:
        raise ConflictError(
            _("Someone has just changed this touch; reload the page to see the change."), current=locked
        )
    return touch_log(
        by=by,
        account=touch.account,
        kind=locked.kind,
        happened_at=happened_at,
        duration_minutes=duration_minutes,
        outcome=outcome,
        subject=locked.subject,
    )


@transaction.atomic
def touch_cancel(*, by: User, touch: Touch) -> Touch:
    _require_work(by, touch.account)
    if touch.status != TouchStatus.PLANNED:
        raise ValidationError(_("Only a planned touch can be cancelled."))
    touch.status = TouchStatus.CANCELLED
    touch.version += 1
    touch.save(update_fields=["status", "version", "updated_at"])
    return touch


def plan_cadence_touches(*, today: dt.date | None = None, account_ids=None) -> int:
    """Plan a touch for every worked account that has none planned: last done touch + its cadence (today if it
    was never touched or the cadence has already run out). Idempotent, set-based; returns how many it planned."""
    today = today or timezone.localdate()
    rules = policies()
    accounts = (
        Account.objects.filter(
            archived_at__isnull=True, status__in=WORKED_STATUSES, responsible_manager__isnull=False
        )
        .exclude(touches__status=TouchStatus.PLANNED)
        .annotate(last_done=Max("touches__happened_at", filter=Q(touches__status=TouchStatus.DONE)))
        .only("id", "tier", "segment_id", "status", "responsible_manager_id")
    )
    if account_ids is not None:
        accounts = accounts.filter(id__in=account_ids)
    planned = []
    for account in accounts.iterator(chunk_size=2000):
        interval = cadence_for(account, rules)
        if interval is None:
            continue
        due = account.last_done.date() + dt.timedelta(days=interval) if account.last_done else today
        planned.append(
            Touch(
                account_id=account.pk,
                owner_id=account.responsible_manager_id,
                planned_for=due,
                source=TouchSource.CADENCE,
            )
        )
    Touch.objects.bulk_create(planned, batch_size=2000)
    return len(planned)


# --- tasks -------------------------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    by: User,
    title: str,
    assignee: User,
    due_on: dt.date,
    account: Account | None = None,
    contact: Contact | None = None,
    request=None,
    description: str = "",
    remind_at: dt.datetime | None = None,
) -> Task:
    if request is not None:
        if account is not None and request.account_id != account.pk:
            raise ValidationError({"request": _("Choose a request of this account.")})
        account = request.account
    if account is not None:
        _require_work(by, account)
        if not can_work_account(assignee, account):
            raise ValidationError({"assignee": _("This person cannot work this account.")})
    if contact is not None and (account is None or contact.account_id != account.pk):
        raise ValidationError({"contact": _("Choose a contact of this account.")})
    if not assignee.is_active:
        raise ValidationError({"assignee": _("This person no longer works here.")})
    if remind_at is not None and remind_at < timezone.now():
        raise ValidationError({"remind_at": _("A reminder cannot be in the past.")})
    task = Task(
        title=title,
        description=description,
        assignee=assignee,
        due_on=due_on,
        account=account,
        contact=contact,
        request=request,
        remind_at=remind_at,
        created_by=by,
    )
    task.full_clean()
    task.save()
    from orbit.activities.reminders import schedule_task_notifications

    schedule_task_notifications(task, assigned_by=by)
    return task


def _may_touch_task(user: User, task: Task) -> bool:
    if task.assignee_id == user.pk or task.created_by_id == user.pk:
        return True
    return task.account is not None and can_work_account(user, task.account)


@transaction.atomic
def task_complete(*, by: User, task: Task) -> Task:
    if not _may_touch_task(by, task):
        raise PermissionDenied
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("This task is already closed."))
    task.status, task.completed_at = TaskStatus.DONE, timezone.now()
    task.version += 1
    task.save(update_fields=["status", "completed_at", "version", "updated_at"])
    return task


@open_work.register
def move_planned_touches(*, account: Account, frm: User, to: User) -> int:
    return Touch.objects.filter(account=account, status=TouchStatus.PLANNED, owner=frm).update(owner=to)


@open_work.register
def move_open_tasks(*, account: Account, frm: User, to: User) -> int:
    return Task.objects.filter(account=account, status=TaskStatus.OPEN, assignee=frm).update(assignee=to)


# --- cadence policies --------------------------------------------------------------------------------------


@transaction.atomic
def cadence_policy_save(*, by: User, policy: CadencePolicy) -> CadencePolicy:
    if not can_set_policy(by):
        raise PermissionDenied
    clash = CadencePolicy.objects.filter(
        is_active=True, tier=policy.tier, segment_id=policy.segment_id, status=policy.status
    ).exclude(pk=policy.pk)
    if policy.is_active and clash.exists():
        raise ValidationError(
            {
                "tier": _(
                    "A rule for exactly these accounts exists already: change it instead of adding another."
                )
            }
        )
    policy.full_clean(validate_constraints=False)
    policy.save()
    return policy


# --- the iCal feed ------------------------------------------------------------------------------------------


@transaction.atomic
def feed_issue(*, by: User) -> str:
    """A new secret address for the user's iCal feed (the raw token, shown once); the old one stops working."""
    if not (by and by.is_authenticated and by.is_active):
        raise PermissionDenied(_("You may not do this."))
    raw = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=by, defaults={"token_hash": CalendarFeed.hash(raw)})
    return raw


@transaction.atomic
def feed_revoke(*, by: User) -> int:
    """The user's feed address stops working; the number of addresses removed (0 or 1)."""
    deleted, _detail = CalendarFeed.objects.filter(user=by).delete()
    return deleted


def feed_user(raw: str) -> User | None:
    """The active owner of a live feed address, or None; records when the feed was last read."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=CalendarFeed.hash(raw)).first()
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
