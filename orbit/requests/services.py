"""Every change to requests and SLA policies: permission first, then validation, then one transaction.

request_create(*, by, account, request_type, priority, department, subject, ...) -> Request
request_comment(*, by, request, text, minutes_spent=None) -> RequestComment
request_change_status(*, by, request, status, version, comment="") -> Request
request_assign(*, by, request, assignee, version) -> Request
attachment_add(*, by, request, upload) -> Attachment
sla_policy_save(*, by, policy=None, **fields) -> SlaPolicy
"""

import datetime as dt
import errno
import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.access import policy as access
from orbit.accounts import open_work
from orbit.accounts.models import Account, AccountStatus, Contact
from orbit.common.errors import ConflictError
from orbit.notifications.kinds import Kind
from orbit.notifications.services import notify
from orbit.org.models import Role, User
from orbit.requests import conf, files, sla
from orbit.requests.models import (
    MAX_WORK_MINUTES,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    TRANSITIONS,
    Attachment,
    Department,
    Priority,
    Request,
    RequestComment,
    RequestStatus,
    RequestType,
    SlaPolicy,
)
from orbit.requests.pulse import refresh_request_columns
from orbit.worktime.services import business_hours_between

# A request received "now" may carry a clock a little ahead of the server's.
_CLOCK_SKEW = dt.timedelta(minutes=5)

logger = logging.getLogger(__name__)


# Who may do what ----------------------------------------------------------------------------------------------


def may_open_requests(user: User) -> bool:
    """Register requests at all: the writers, and people sitting on some account team; never the auditor alone."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if access.can_create_account(user):
        return True
    if user.has_role(Role.AUDITOR):
        return False
    return bool(access.access_context(user).seat_account_ids)


def may_work(user: User, request: Request) -> bool:
    """Comment, attach, change status, assign: whoever may work the account, and the request's executor."""
    if access.can_work_account(user, request.account):
        return True
    return (
        request.assignee_id == user.pk
        and user.is_active
        and access.can_view_account(user, request.account)
        and not (user.has_role(Role.AUDITOR) and not access.can_create_account(user))
    )


def _deny(message: str | None = None):
    raise PermissionDenied(message or _("You may not change this request."))


def _lock(request: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("account", "manager", "assignee", "sla_policy", "sla_policy__calendar")
        .get(pk=request.pk)
    )


def _url(request: Request) -> str:
    return reverse("requests:detail", args=[request.pk])


def _check_version(locked: Request, version: int | None) -> None:
    if version is not None and version != locked.version:
        raise ConflictError(
            _(
                "Someone else changed this request while you were looking at it (it is now %(status)s). "
                "Nothing was changed: reload the page and try again."
            )
            % {"status": locked.get_status_display()},
            current=locked,
        )


def _save(request: Request, by: User, fields: list[str] | None = None) -> Request:
    request.version += 1
    request._history_user = by  # type: ignore[attr-defined]
    if fields is None:
        request.save()
    else:
        request.save(update_fields=[*fields, "version", "updated_at"])
    return request


def _validate_assignee(assignee: User | None, account: Account) -> None:
    if assignee is None:
        return
    if not assignee.is_active:
        raise ValidationError({"assignee": _("%(name)s is not an active user.") % {"name": assignee}})
    if not access.can_view_account(assignee, account):
        raise ValidationError(
            {
                "assignee": _(
                    "%(name)s cannot see this account. Add him to the account team first, "
                    "so that he can read the request."
                )
                % {"name": assignee}
            }
        )


def _tell_assigned(request: Request, by: User, people) -> None:
    notify(
        recipients=[p for p in people if p is not None and p.pk != by.pk],
        kind=Kind.REQUEST_ASSIGNED,
        title=format_lazy(
            gettext_lazy("Request №{number} ({type}): {subject}"),
            number=request.pk,
            type=RequestType(request.request_type).label,
            subject=request.subject,
        ),
        body=format_lazy(
            gettext_lazy("{account}, department: {department}. Registered by {by}."),
            account=request.account,
            department=request.department,
            by=by,
        ),
        url=_url(request),
        account=request.account,
        dedup_window=dt.timedelta(0),
    )


# Requests -----------------------------------------------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    by: User,
    account: Account,
    request_type: str,
    priority: str,
    department: Department,
    subject: str,
    description: str = "",
    contact: Contact | None = None,
    assignee: User | None = None,
    received_at: dt.datetime | None = None,
) -> Request:
    account = Account.objects.select_related("responsible_manager", "created_by").get(pk=account.pk)
    if not access.can_work_account(by, account):
        _deny(_("You may not register requests for this account."))
    if account.archived_at is not None:
        raise ValidationError(_("The account is archived: restore it first."))
    errors: dict[str, str] = {}
    if request_type not in RequestType.values:
        errors["request_type"] = _("Choose the type of the request.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose the priority.")
    if not subject.strip():
        errors["subject"] = _("Say in a few words what the client asks.")
    if contact is not None and (contact.account_id != account.pk or contact.archived_at is not None):
        errors["contact"] = _("This person is not a current contact of %(account)s.") % {"account": account}
    current = sla.now()
    received_at = received_at or current
    if received_at > current + _CLOCK_SKEW:
        errors["received_at"] = _("A request cannot be received in the future.")
    if errors:
        raise ValidationError(errors)
    _validate_assignee(assignee, account)
    manager = account.responsible_manager
    if manager is None:
        # A prospect nobody owns yet: the hunter who brought it answers for it until the handoff.
        manager = (
            account.created_by if account.status == AccountStatus.PROSPECT and account.created_by else by
        )
    policy = sla.policy_for(request_type, priority)
    # A calendar without the year raises worktime's CalendarYearMissing, a ValidationError with a clear message.
    first_response_due, resolution_due = sla.due_times(policy, received_at)
    request = Request(
        account=account,
        contact=contact,
        request_type=request_type,
        priority=priority,
        department=department,
        subject=subject.strip(),
        description=description.strip(),
        manager=manager,
        assignee=assignee,
        created_by=by,
        received_at=received_at,
        sla_policy=policy,
        first_response_due=first_response_due,
        resolution_due=resolution_due,
    )
    request._history_user = by  # type: ignore[attr-defined]
    request.save()
    refresh_request_columns([account.pk])
    _tell_assigned(request, by, [manager, assignee])
    sla.schedule(request)
    return request


@transaction.atomic
def request_comment(
    *, by: User, request: Request, text: str, minutes_spent: int | None = None
) -> RequestComment:
    locked = _lock(request)
    if not may_work(by, locked):
        _deny(_("You may not comment on this request."))
    if locked.status == RequestStatus.CLOSED:
        raise ValidationError({"text": _("The request is closed: comments are no longer added.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the comment first.")})
    if minutes_spent is not None and not 1 <= minutes_spent <= MAX_WORK_MINUTES:
        raise ValidationError(
            {
                "minutes_spent": _("Time spent is from 1 minute to %(max)s minutes (a day).")
                % {"max": MAX_WORK_MINUTES}
            }
        )
    comment = RequestComment.objects.create(
        request=locked, author=by, text=text.strip(), minutes_spent=minutes_spent
    )
    if locked.first_responded_at is None and by.pk != locked.created_by_id:
        # The first word of someone other than the person who registered it is the first response.
        locked.first_responded_at = sla.now()
        _save(locked, by, ["first_responded_at"])
    followers = [locked.manager, locked.assignee]
    if locked.created_by_id is not None:
        followers.append(User.objects.filter(pk=locked.created_by_id).first())
    notify(
        recipients=[p for p in followers if p is not None and p.pk != by.pk],
        kind=Kind.REQUEST_COMMENT,
        title=format_lazy(
            gettext_lazy("{author} commented on request №{number}"), author=by, number=locked.pk
        ),
        body=comment.text[:500],
        url=_url(locked) + f"#comment-{comment.pk}",
        account=locked.account,
    )
    return comment


# Status changes the client sees: he is asked something, or given the resolution. Taking a request into work is
# the department's own business.
CLIENT_VISIBLE_STATUSES = (RequestStatus.WAITING_CLIENT, RequestStatus.RESOLVED)


def answers_the_client(by: User, request: Request, status: str, comment: str = "") -> bool:
    """The first response is the first answer the client sees — a comment, a question put to him (waiting for
    the client) or the resolution — from someone other than the person who registered the request: what the
    registrar writes or does is his record of what the client said, not an answer to it."""
    if request.created_by_id is not None and by.pk == request.created_by_id:
        return False
    return status in CLIENT_VISIBLE_STATUSES or bool(comment.strip())


@transaction.atomic
def request_change_status(
    *, by: User, request: Request, status: str, version: int | None, comment: str = ""
) -> Request:
    locked = _lock(request)
    if not may_work(by, locked):
        _deny()
    _check_version(locked, version)
    if status not in TRANSITIONS.get(locked.status, ()):
        allowed = ", ".join(str(RequestStatus(s).label) for s in TRANSITIONS.get(locked.status, ()))
        raise ValidationError(
            {
                "status": _("A request that is %(current)s cannot become %(new)s. Possible: %(allowed)s.")
                % {
                    "current": locked.get_status_display(),
                    "new": RequestStatus(status).label if status in RequestStatus.values else status,
                    "allowed": allowed or "—",
                }
            }
        )
    reopening = locked.status == RequestStatus.RESOLVED and status == RequestStatus.IN_PROGRESS
    if reopening and not comment.strip():
        raise ValidationError({"comment": _("Say why the request is reopened.")})
    if (
        status == RequestStatus.RESOLVED
        and locked.request_type == RequestType.COMPLAINT
        and not comment.strip()
    ):
        raise ValidationError(
            {"comment": _("Describe how the complaint was resolved: the client and the reports need it.")}
        )
    current = sla.now()
    previous = locked.status
    if previous == RequestStatus.WAITING_CLIENT and locked.paused_at is not None:
        _resume_clock(locked, current)
    if status == RequestStatus.WAITING_CLIENT:
        locked.paused_at = current
    if status == RequestStatus.RESOLVED:
        locked.resolved_at = current
    if locked.first_responded_at is None and answers_the_client(by, locked, status, comment):
        locked.first_responded_at = current
    if status == RequestStatus.CLOSED:
        locked.closed_at = current
    if reopening:
        locked.resolved_at = None
    locked.status = status
    _save(locked, by)
    if (previous in OPEN_STATUSES) != (status in OPEN_STATUSES):
        refresh_request_columns([locked.account_id])
    if comment.strip():
        RequestComment.objects.create(request=locked, author=by, text=comment.strip())
    if status in RUNNING_STATUSES and previous not in RUNNING_STATUSES:
        sla.schedule(locked)
    # The manager is the client's one window: he hears of every move others make on his client's request.
    notify(
        recipients=[p for p in (locked.manager, locked.assignee) if p is not None and p.pk != by.pk],
        kind=Kind.REQUEST_COMMENT,
        title=format_lazy(
            gettext_lazy("Request №{number} is now “{status}” ({by})"),
            number=locked.pk,
            status=RequestStatus(locked.status).label,
            by=by,
        ),
        body=comment.strip()[:500],
        url=_url(locked) + f"#status-{locked.version}",
        account=locked.account,
    )
    return locked


def _resume_clock(locked: Request, current: dt.datetime) -> None:
    """Add the business hours spent waiting for the client; the due times move, the checks are rescheduled."""
    if locked.sla_policy_id is not None:
        calendar = sla.calendar_of(locked.sla_policy)
        paused = business_hours_between(calendar, locked.paused_at, current)  # type: ignore[arg-type]  # paused
        locked.paused_hours += Decimal(paused.total_seconds() / 3600).quantize(Decimal("0.01"))
        first_response_due, resolution_due = sla.due_times(
            locked.sla_policy, locked.received_at, locked.paused_hours
        )
        if locked.first_responded_at is None:
            locked.first_response_due = first_response_due
        locked.resolution_due = resolution_due
    locked.paused_at = None


EDITABLE = ("request_type", "priority", "department", "subject", "description", "contact")


@transaction.atomic
def request_update(*, by: User, request: Request, version: int | None, **fields) -> Request:
    """Correct what was registered. A new type or priority brings the rule that fits it: the due times are
    counted again from the moment the request was received, and the SLA checks are scheduled for them."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown request fields: {sorted(unknown)}")
    locked = _lock(request)
    if not may_work(by, locked):
        _deny()
    _check_version(locked, version)
    if not locked.is_open:
        raise ValidationError(_("The request is finished: reopen it to change it."))
    errors = {}
    if "request_type" in fields and fields["request_type"] not in RequestType.values:
        errors["request_type"] = _("Choose the type of the request.")
    if "priority" in fields and fields["priority"] not in Priority.values:
        errors["priority"] = _("Choose the priority.")
    if "subject" in fields and not (fields["subject"] or "").strip():
        errors["subject"] = _("Say in a few words what the client asks.")
    contact = fields.get("contact")
    if contact is not None and (contact.account_id != locked.account_id or contact.archived_at is not None):
        errors["contact"] = _("This person is not a current contact of %(account)s.") % {
            "account": locked.account
        }
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    policy = sla.policy_for(locked.request_type, locked.priority)
    if policy != locked.sla_policy:
        first_response_due, resolution_due = sla.due_times(policy, locked.received_at, locked.paused_hours)
        locked.sla_policy = policy
        locked.first_response_due, locked.resolution_due = first_response_due, resolution_due
        locked.first_response_warned_for = locked.resolution_warned_for = None
        _save(locked, by)
        sla.schedule(locked)  # the checks of the old due times find them moved and do nothing
    else:
        _save(locked, by)
    return locked


@transaction.atomic
def request_assign(*, by: User, request: Request, assignee: User | None, version: int | None) -> Request:
    locked = _lock(request)
    if not may_work(by, locked):
        _deny()
    _check_version(locked, version)
    if not locked.is_open:
        raise ValidationError({"assignee": _("The request is finished: reopen it to change the executor.")})
    _validate_assignee(assignee, locked.account)
    if (assignee and assignee.pk) == locked.assignee_id:
        return locked
    locked.assignee = assignee
    _save(locked, by, ["assignee"])
    if assignee is not None:
        _tell_assigned(locked, by, [assignee])
    return locked


@transaction.atomic
def attachment_add(*, by: User, request: Request, upload) -> Attachment:
    """Attach an uploaded file: size and type are checked before anything is written."""
    locked = _lock(request)
    if not may_work(by, locked):
        _deny(_("You may not attach files to this request."))
    if locked.status == RequestStatus.CLOSED:
        raise ValidationError({"file": _("The request is closed: files are no longer added.")})
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    if upload.size > conf.attachment_max_bytes():
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; at most %(max)s MB may be attached.")
                % {"size": round(upload.size / 1024 / 1024, 1), "max": conf.attachment_max_mb()}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(files.SNIFF_BYTES)
    upload.seek(0)
    kind = files.sniff(name, head)
    if kind is None:
        if files.extension_of(name) in files.ALLOWED:
            message = _("The content of %(name)s does not match its extension: the file is refused.")
        else:
            message = _(
                "Files of this type are not accepted. Allowed: PDF, images, office documents, "
                "text, CSV and ZIP."
            )
        raise ValidationError({"file": message % {"name": name}})
    attachment = Attachment(
        request=locked,
        original_name=name,
        size=upload.size,
        content_type=kind.content_type,
        uploaded_by=by,
    )
    _store(attachment, name, upload)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _store(attachment: Attachment, name: str, upload) -> None:
    """Write the file before its row. A full disk (issue 16, faults) is refused with the reason: the partly
    written file is removed and no row is made; anything else the disk says stays a server error."""
    field = attachment.file.field
    target = field.generate_filename(attachment, name)  # random (models._attachment_path): ours alone
    try:
        attachment.file.name = field.storage.save(target, upload, max_length=field.max_length)
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        logger.error("No room to store an attachment of request %s: %s", attachment.request_id, error)
        if field.storage.exists(target):
            field.storage.delete(target)
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The server's disk is full: the file was not saved. Tell your administrator."),
                    code="disk_full",
                )
            }
        ) from error


# SLA policies -------------------------------------------------------------------------------------------------

POLICY_FIELDS = ("request_type", "priority", "first_response_hours", "resolution_hours", "calendar", "active")


@transaction.atomic
def sla_policy_save(*, by: User, policy: SlaPolicy | None = None, **fields) -> SlaPolicy:
    if not access.can_set_policy(by):
        _deny(_("Only the head of department and administrators set SLA policies."))
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown SLA policy fields: {sorted(unknown)}")
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk) if policy is not None else SlaPolicy()
    for name, value in fields.items():
        setattr(policy, name, value)
    errors = {}
    first, resolution = policy.first_response_hours, policy.resolution_hours
    if first is None or first <= 0:
        errors["first_response_hours"] = _("Give a positive number of business hours.")
    if resolution is None or resolution <= 0:
        errors["resolution_hours"] = _("Give a positive number of business hours.")
    elif first is not None and resolution < first:
        errors["resolution_hours"] = _("Resolution cannot be due before the first response.")
    if errors:
        raise ValidationError(errors)
    if policy.active:
        # Two active rules for the same type and priority would both claim the same requests.
        twin = (
            SlaPolicy.objects.select_for_update()
            .filter(request_type=policy.request_type, priority=policy.priority, active=True)
            .exclude(pk=policy.pk)
            .first()
        )
        if twin is not None:
            raise _overlap_error(twin)
    policy._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:  # a concurrent save of the same rule won
        twin = SlaPolicy.objects.filter(
            request_type=policy.request_type, priority=policy.priority, active=True
        ).first()
        raise _overlap_error(twin) from exc
    return policy


def _overlap_error(twin: SlaPolicy | None) -> ValidationError:
    if twin is None:
        return ValidationError(_("An active rule for this type and priority already exists."))
    message = _(
        "An active rule for %(type)s and %(priority)s already exists (first response %(first)s h, "
        "resolution %(resolution)s h). Both would apply to the same requests: change that rule "
        "or deactivate it first."
    ) % {
        "type": twin.get_request_type_display() if twin.request_type else _("any type"),
        "priority": twin.get_priority_display() if twin.priority else _("any priority"),
        "first": format(twin.first_response_hours.normalize(), "f"),
        "resolution": format(twin.resolution_hours.normalize(), "f"),
    }
    return ValidationError({"request_type": message, "priority": message})


# Responsibility moves: the open requests follow the account to its new manager ---------------------------------


@open_work.register
def move_open_requests(*, account: Account, frm: User, to: User) -> int:
    return Request.objects.filter(account=account, manager=frm, status__in=OPEN_STATUSES).update(manager=to)


@open_work.register_release
def release_executed_requests(*, account: Account, frm: User, to: User | None) -> int:
    """Someone leaves the account's team: the open requests he executes go to the responsible manager (or lose
    their executor): he may no longer read them (an executor must see the account, `_validate_assignee`)."""
    return Request.objects.filter(account=account, assignee=frm, status__in=OPEN_STATUSES).update(assignee=to)
