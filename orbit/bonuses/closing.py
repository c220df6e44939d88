"""Closing a month (the head): every statement and line of the month stored as it is, never recomputed; and
reopening it (the head, with a reason, recorded: who, when, why, what it summed to)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.bonuses.models import ClosedLine, ClosedStatement, MonthClose, MonthReopen
from orbit.bonuses.permissions import is_head
from orbit.bonuses.statements import LINE_FIELDS, compute_open

ZERO_TOTAL = 0


@transaction.atomic
def month_close(*, by, month: dt.date, today: dt.date | None = None) -> MonthClose:
    """Close `month` (a month that is over). Closing a closed month again returns it (a double submit)."""
    if not is_head(by):
        raise PermissionDenied(_("Months are closed by the head of department."))
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if month > today.replace(day=1) or month == today.replace(day=1):
        raise ValidationError({"month": _("Only a month that is over can be closed.")})
    existing = MonthClose.objects.filter(month=month).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            close = MonthClose.objects.create(month=month, closed_by=by, closed_at=timezone.now())
    except IntegrityError:  # closed by a concurrent request meanwhile
        return MonthClose.objects.get(month=month)
    statements = compute_open(month, None)
    stored = ClosedStatement.objects.bulk_create(
        [
            ClosedStatement(
                month=month,
                person_id=s.person_id,
                role=s.role,
                rule_version_id=s.rule_version_id,
                rule_label=s.rule_label,
                base=s.base,
                plan=s.plan,
                fact=s.fact,
                fixed=s.fixed,
                variable=s.variable,
                total=s.total,
            )
            for s in statements
        ]
    )
    ClosedLine.objects.bulk_create(
        [
            ClosedLine(statement=row, position=n, **{f: getattr(line, f) for f in LINE_FIELDS})
            for row, statement in zip(stored, statements, strict=True)
            for n, line in enumerate(statement.lines, start=1)
        ]
    )
    return close


@transaction.atomic
def month_reopen(*, by, month: dt.date, reason: str) -> MonthReopen:
    """Open a closed month again: its stored statements are dropped (computed again, provisional), and the
    reopening is recorded."""
    if not is_head(by):
        raise PermissionDenied(_("Only the head of department may reopen a closed month."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the month is reopened.")})
    month = month.replace(day=1)
    close = MonthClose.objects.select_for_update().filter(month=month).first()
    if close is None:
        raise ValidationError({"month": _("The month is not closed.")})
    total = ClosedStatement.objects.filter(month=month).aggregate(t=Sum("total"))["t"] or ZERO_TOTAL
    record = MonthReopen.objects.create(
        month=month,
        reopened_by=by,
        reopened_at=timezone.now(),
        reason=reason,
        closed_at=close.closed_at,
        total_before=total,
    )
    ClosedStatement.objects.filter(month=month).delete()
    close.delete()
    return record
