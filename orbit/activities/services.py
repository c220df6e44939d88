"""Changes to touches, tasks and cadence policies: one function per use case, permission checked first."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from orbit.access.policy import can_set_policy, can_work_account, led_people, may_reassign_anything
from orbit.accounts import open_work, pulse
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
from orbit.activities.pulse import refresh_touch_columns
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
    """Record a done touch. It closes the account's planned touch due by that (local) day, and plans the next
    one: on `next_on` if given, else when the cadence says. What became of the next touch is on the returned
    touch's `next_plan` (a `NextPlan`): planned, moved, kept beside another one, or why none was planned."""
    _require_work(by, account)
    return _record_done(
        by=by,
        account=account,
        planned=None,
        kind=kind,
        happened_at=happened_at,
        duration_minutes=duration_minutes,
        outcome=outcome,
        subject=subject,
        next_step=next_step,
        next_on=next_on,
        contacts=contacts,
    )


def _record_done(
    *,
    by: User,
    account: Account,
    planned: Touch | None,
    kind: str,
    happened_at: dt.datetime | None,
    duration_minutes: int | None,
    outcome: str,
    subject: str,
    next_step: str,
    next_on: dt.date | None,
    contacts,
) -> Touch:
    """Write a done touch: `planned` (locked by the caller) becomes it, or else the account's planned touch due
    by the day it happened — the person's local day, not UTC's (from 00:00 to 03:00 in Moscow they differ)."""
    happened_at = happened_at or timezone.now()
    errors = _check_done(happened_at, duration_minutes)
    if next_on and next_on < timezone.localdate():
        errors["next_on"] = _("The next touch cannot be planned in the past.")
    if errors:
        raise ValidationError(errors)
    contacts = _check_contacts(account, contacts)
    day = timezone.localtime(happened_at).date()
    due = planned or (
        Touch.objects.select_for_update()
        .filter(account=account, status=TouchStatus.PLANNED, planned_for__lte=day)
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
    setattr(
        touch,
        _NEXT_PLAN,
        _plan_next(by=by, account=account, after=day, on=next_on, kind=kind, step=next_step),
    )
    refresh_touch_columns([account.pk])
    return touch


_NEXT_PLAN = "next_plan"


def next_plan_of(touch: Touch) -> "NextPlan | None":
    """What `touch_log` did about the next touch (None for a touch that was not just logged)."""
    return getattr(touch, _NEXT_PLAN, None)


@dataclass(frozen=True)
class NextPlan:
    """What logging a touch did about the next one, so the page and the API can say it (never a silent drop).

    `planned`: the touch now planned for the next contact (created, or an automatic one moved to the asked
    day), None when none was planned. `moved_from`: the day the cadence had planned it on, when it was moved.
    `existing`: another planned touch of the account that was left as it is: kept beside the asked one, or
    the reason the cadence planned nothing."""

    planned: Touch | None = None
    moved_from: dt.date | None = None
    existing: Touch | None = None
    asked: bool = False

    @property
    def message(self) -> str:
        return next_plan_message(self)


def _plan_next(
    *, by: User, account: Account, after: dt.date, on: dt.date | None, kind: str, step: str
) -> NextPlan:
    """An asked day is always planned: the manager said when he talks to the client next. A touch the cadence
    planned for the same person is moved to that day (it only stood for "some time soon"); one planned by
    hand is kept beside it and named, since it may be about something else; the same person and day already
    planned is not doubled. Without an asked day the cadence plans one only where none is planned."""
    owner = account.responsible_manager or by
    others = list(
        Touch.objects.select_for_update(of=("self",))
        .filter(account=account, status=TouchStatus.PLANNED)
        .select_related("owner")
        .order_by("planned_for", "id")
    )
    if on is None:
        if others:
            return NextPlan(existing=others[0])
        interval = cadence_for(account, policies())
        if interval is None or account.status not in WORKED_STATUSES:
            return NextPlan()
        on, source = after + dt.timedelta(days=interval), TouchSource.CADENCE
        return NextPlan(planned=_create_planned(by, account, owner, on, kind, step, source))
    mine = [other for other in others if other.owner_id == owner.pk]
    same_day = next((other for other in mine if other.planned_for == on), None)
    if same_day is not None:
        return NextPlan(existing=same_day, asked=True)
    automatic = next((other for other in mine if other.source == TouchSource.CADENCE), None)
    if automatic is not None:
        moved_from = automatic.planned_for
        automatic.planned_for, automatic.kind, automatic.source = on, kind, TouchSource.MANUAL
        automatic.subject = step[:200] or automatic.subject
        automatic.version += 1
        automatic.save(update_fields=["planned_for", "kind", "source", "subject", "version", "updated_at"])
        return NextPlan(planned=automatic, moved_from=moved_from, asked=True)
    planned = _create_planned(by, account, owner, on, kind, step, TouchSource.MANUAL)
    return NextPlan(planned=planned, existing=others[0] if others else None, asked=True)


def _create_planned(by, account, owner, on, kind, step, source) -> Touch:
    return Touch.objects.create(
        account=account,
        owner=owner,
        kind=kind,
        planned_for=on,
        subject=step[:200],
        source=source,
        created_by=by,
    )


def _day(day: dt.date | None) -> str:
    assert day is not None  # a planned touch always has its day
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _touch_words(touch: Touch) -> dict:
    return {
        "day": _day(touch.planned_for),
        "owner": str(touch.owner),
        "subject": touch.subject or touch.get_kind_display(),
    }


def next_plan_message(plan: NextPlan | None) -> str:
    """One sentence, in the user's language, on what became of the next touch; empty when nothing to say."""
    if plan is None:
        return ""
    if plan.planned is not None and plan.moved_from is not None:
        return _("Next touch planned on %(day)s: the touch the cadence had planned on %(old)s was moved.") % {
            "day": _day(plan.planned.planned_for),
            "old": _day(plan.moved_from),
        }
    if plan.planned is not None and plan.existing is not None:
        return _(
            "Next touch planned on %(day)s. The touch already planned on %(other_day)s (%(owner)s: "
            "%(subject)s) was kept as well; cancel it on the card if it is no longer needed."
        ) % {
            **_touch_words(plan.existing),
            "day": _day(plan.planned.planned_for),
            "other_day": _day(plan.existing.planned_for),
        }
    if plan.planned is not None:
        return _("Next touch planned on %(day)s.") % {"day": _day(plan.planned.planned_for)}
    if plan.existing is not None and plan.asked:
        return _("No second touch was planned: %(owner)s already has one on %(day)s (%(subject)s).") % (
            _touch_words(plan.existing)
        )
    if plan.existing is not None:
        return _(
            "The cadence planned no new touch: one is already planned on %(day)s (%(owner)s: %(subject)s)."
        ) % (_touch_words(plan.existing))
    return ""


def _check_plan_day(planned_for: dt.date) -> None:
    """The day a touch is planned on (or moved to): not in the past of the local day, within the horizon."""
    if planned_for < timezone.localdate():
        raise ValidationError({"planned_for": _("A touch cannot be planned in the past.")})
    if planned_for > timezone.localdate() + PLAN_HORIZON:
        raise ValidationError(
            {
                "planned_for": _("A touch can be planned at most %(years)s years ahead.")
                % {"years": PLAN_HORIZON.days // 365}
            }
        )


@transaction.atomic
def touch_plan(
    *, by: User, account: Account, planned_for: dt.date, kind: str = TouchKind.CALL, subject: str = ""
) -> Touch:
    _require_work(by, account)
    _check_plan_day(planned_for)
    touch = Touch(
        account=account, owner=by, kind=kind, planned_for=planned_for, subject=subject, created_by=by
    )
    touch.full_clean(exclude=["contacts"])
    touch.save()
    refresh_touch_columns([account.pk])
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
    # This very touch becomes the done one, whatever its day: "complete" never logs a second touch beside it.
    return _record_done(
        by=by,
        account=touch.account,
        planned=locked,
        kind=locked.kind,
        happened_at=happened_at,
        duration_minutes=duration_minutes,
        outcome=outcome,
        subject=locked.subject,
        next_step="",
        next_on=None,
        contacts=(),
    )


@transaction.atomic
def touch_move(*, by: User, touch: Touch, version: int, planned_for: dt.date) -> Touch:
    """Re-plan a planned touch on another day (the week calendar's drag, or its "move to" field), by the rules
    of planning; a second writer gets a conflict instead of overwriting. The touch keeps its source: the cadence
    counts from the last done touch, not from the planned day."""
    _require_work(by, touch.account)
    locked = Touch.objects.select_for_update().get(pk=touch.pk)
    if locked.version != version or locked.status != TouchStatus.PLANNED:
        raise ConflictError(
            _("Someone has just changed this touch; reload the page to see the change."), current=locked
        )
    _check_plan_day(planned_for)
    if locked.planned_for == planned_for:
        return locked  # dropped back on its own day: nothing to change
    locked.planned_for = planned_for
    locked.version += 1
    locked.save(update_fields=["planned_for", "version", "updated_at"])
    refresh_touch_columns([locked.account_id])
    return locked


@transaction.atomic
def touch_cancel(*, by: User, touch: Touch) -> Touch:
    _require_work(by, touch.account)
    if touch.status != TouchStatus.PLANNED:
        raise ValidationError(_("Only a planned touch can be cancelled."))
    touch.status = TouchStatus.CANCELLED
    touch.version += 1
    touch.save(update_fields=["status", "version", "updated_at"])
    refresh_touch_columns([touch.account_id])
    return touch


def may_log_for(by: User, person: User) -> bool:
    """Logged minutes are a person's work (hours, KPIs, bonuses): only he, his lead, the head or an admin
    writes them on his name."""
    return by.pk == person.pk or may_reassign_anything(by) or person.pk in led_people(by)


@transaction.atomic
def touch_record_past(
    *,
    by: User,
    account: Account,
    owner: User,
    kind: str,
    happened_at: dt.datetime,
    duration_minutes: int | None,
    subject: str = "",
    outcome: str = "",
) -> Touch:
    """A done touch from another system's history (the import): it happened as told, by `owner`. Unlike
    `touch_log` it closes no planned touch and plans no next one: the history is not today's work."""
    _require_work(by, account)
    if not may_log_for(by, owner):
        raise PermissionDenied(_("You may not log touches on %(name)s's name.") % {"name": owner})
    errors = _check_done(happened_at, duration_minutes)
    if errors:
        raise ValidationError(errors)
    touch = Touch(
        account=account,
        owner=owner,
        kind=kind,
        status=TouchStatus.DONE,
        happened_at=happened_at,
        duration_minutes=duration_minutes,
        subject=subject,
        outcome=outcome,
        created_by=by,
    )
    touch.full_clean(exclude=["contacts"])
    touch.save()
    refresh_touch_columns([account.pk])
    return touch


AMENDABLE = ("duration_minutes", "subject", "outcome")


@transaction.atomic
def touch_amend_done(*, by: User, touch: Touch, version: int | None, **changes) -> Touch:
    """Correct a done touch's duration, subject or outcome (an import's update, or its undo)."""
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        raise TypeError(f"unknown touch fields: {sorted(unknown)}")
    locked = Touch.objects.select_for_update().get(pk=touch.pk)
    _require_work(by, locked.account)
    if not may_log_for(by, locked.owner):
        raise PermissionDenied(_("You may not log touches on %(name)s's name.") % {"name": locked.owner})
    if locked.status != TouchStatus.DONE:
        raise ValidationError(_("Only a done touch can be corrected."))
    if version is not None and locked.version != version:
        raise ConflictError(
            _("Someone has just changed this touch; reload the page to see the change."), current=locked
        )
    for name, value in changes.items():
        setattr(locked, name, value)
    errors = _check_done(locked.happened_at, locked.duration_minutes)
    errors.pop("happened_at", None)  # when it happened is not being changed
    if errors:
        raise ValidationError(errors)
    locked.version += 1
    locked.full_clean(exclude=["contacts"])
    locked.save()
    return locked  # its moment stays: the account's pulse is unchanged


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
        due = (
            timezone.localtime(account.last_done).date() + dt.timedelta(days=interval)
            if account.last_done
            else today
        )
        planned.append(
            Touch(
                account_id=account.pk,
                owner_id=account.responsible_manager_id,  # type: ignore[misc]  # not a prospect: set
                planned_for=due,
                source=TouchSource.CADENCE,
            )
        )
    Touch.objects.bulk_create(planned, batch_size=2000)
    pulse.refresh(touch.account_id for touch in planned)  # in chunks: the morning plans thousands
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


@open_work.register_release
def cancel_orphaned_work(*, account: Account, frm: User, to: User | None) -> int:
    """Someone leaves the account's team and nobody can take his planned touches and open tasks: cancelled."""
    if to is not None:
        return 0  # moved by the movers above
    now = timezone.now()
    bump = {"updated_at": now, "version": F("version") + 1}  # a form still open on one gets a conflict
    touches = Touch.objects.filter(account=account, status=TouchStatus.PLANNED, owner=frm).update(
        status=TouchStatus.CANCELLED, **bump
    )
    if touches:
        refresh_touch_columns([account.pk])
    tasks = Task.objects.filter(account=account, status=TaskStatus.OPEN, assignee=frm).update(
        status=TaskStatus.CANCELLED, **bump
    )
    return touches + tasks


# --- cadence policies --------------------------------------------------------------------------------------


@transaction.atomic
def cadence_policy_save(*, by: User, policy: CadencePolicy) -> CadencePolicy:
    if not can_set_policy(by):
        raise PermissionDenied
    clash = CadencePolicy.objects.filter(  # type: ignore[misc]  # segment_id=None: no segment
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
