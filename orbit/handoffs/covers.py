"""Temporary cover for a vacation or sick leave: a deputy works a manager's accounts for set dates.

Responsibility and credit stay with the owner; the deputy's access follows the dates, so it starts and ends by
itself. After the cover, a summary tells the owner what the deputy did on his accounts.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts.history import Event, account_timeline
from orbit.accounts.models import Account
from orbit.handoffs import notices
from orbit.handoffs.models import Cover
from orbit.handoffs.services import RECEIVER_ROLES
from orbit.org.models import User


def can_arrange(user: User, owner: User) -> bool:
    """The manager plans his own absence; his lead or the head may plan it for him."""
    return user.pk == owner.pk or owner.pk in policy.led_people(user) or policy.may_reassign_anything(user)


@transaction.atomic
def cover_create(
    *,
    by: User,
    owner: User,
    deputy: User,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    whole_portfolio: bool = True,
    accounts: list[Account] = (),
    note: str = "",
) -> Cover:
    if not can_arrange(by, owner):
        raise PermissionDenied(
            _("Only the manager himself, his lead or the head of department arrange a cover.")
        )
    errors = {}
    if not deputy.is_active or not deputy.has_role(*RECEIVER_ROLES):
        errors["deputy"] = _("The deputy must be an active account manager.")
    elif deputy.pk == owner.pk:
        errors["deputy"] = _("A manager cannot cover himself.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The cover ends before it starts.")
    if ends_on < timezone.localdate():
        errors["ends_on"] = _("The cover would already be over.")
    if not whole_portfolio and not accounts:
        errors["accounts"] = _("Choose the accounts the deputy covers, or cover the whole portfolio.")
    foreign = [a for a in accounts if a.responsible_manager_id != owner.pk]
    if foreign:
        errors["accounts"] = _("Not this manager's accounts: %(names)s.") % {
            "names": ", ".join(a.display_name for a in foreign[:5])
        }
    overlapping = Cover.objects.filter(
        owner=owner, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        errors["starts_on"] = _("%(name)s already has a cover in these dates.") % {"name": owner}
    if errors:
        raise ValidationError(errors)
    cover = Cover(
        owner=owner,
        deputy=deputy,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        whole_portfolio=whole_portfolio,
        note=note,
        created_by=by,
    )
    cover._history_user = by
    cover.save()
    if not whole_portfolio:
        cover.accounts.set(accounts)
    if starts_on <= timezone.localdate():
        notices.cover_started(cover)  # it has begun: the morning run will not repeat it
    else:
        notices.cover_arranged(cover, by=by)
    return cover


@transaction.atomic
def cover_cancel(*, by: User, cover: Cover) -> Cover:
    if not can_arrange(by, cover.owner):
        raise PermissionDenied(
            _("Only the manager himself, his lead or the head of department change a cover.")
        )
    if cover.cancelled_at is None:
        cover.cancelled_at = timezone.now()
        cover._history_user = by
        cover.save(update_fields=["cancelled_at"])
        notices.cover_cancelled(cover, by=by)
    return cover


def visible_covers(user: User):
    """Covers the user gives, takes, or arranges for the people he leads."""
    return Cover.objects.visible_to(user).select_related("owner", "deputy", "created_by")


def covered_accounts(cover: Cover):
    if cover.whole_portfolio:
        return Account.objects.filter(responsible_manager=cover.owner, archived_at__isnull=True)
    return cover.accounts.all()


@dataclass
class SummaryLine:
    account: Account
    events: list[Event]


def cover_summary(cover: Cover) -> list[SummaryLine]:
    """What the deputy changed on the covered accounts during the cover, account by account."""
    start = timezone.make_aware(dt.datetime.combine(cover.starts_on, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(cover.ends_on + dt.timedelta(days=1), dt.time.min))
    # order_by(): the history models order by date, and SQLite refuses ORDER BY inside a UNION.
    touched = (
        Account.history.filter(history_user=cover.deputy, history_date__gte=start, history_date__lt=end)
        .order_by()
        .values_list("id", flat=True)
        .union(
            Account.contacts.rel.related_model.history.filter(
                history_user=cover.deputy, history_date__gte=start, history_date__lt=end
            )
            .order_by()
            .values_list("account_id", flat=True)
        )
    )
    accounts = covered_accounts(cover).filter(pk__in=list(touched)).order_by("sort_name")
    lines = []
    for account in accounts:
        events = [e for e in account_timeline(account) if e.actor == cover.deputy and start <= e.when < end]
        if events:
            lines.append(SummaryLine(account, events))
    return lines
