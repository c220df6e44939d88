"""What follows from a run's "dormant" and "awake" changes: the reactivation queue and the account's status.

The engine (compute.py) decides who is dormant and writes the run's `SegmentChange` rows; `apply(run)` is called
right after, inside the run, then `notify(run)` (orbit/analytics/digest.py). Everything here is set-based: a
first run on a million accounts may find 100,000 dormant ones, so there is no per-account save(): cases are
bulk-created, each status move is one UPDATE, and the accounts' history rows are bulk-created with a reason that
the card's timeline renders in the reader's language (`describe_reason`).

The rules (docs/analytics-reactivation.md):
- dormant → a case in the responsible manager's queue (unless one is open), for accounts that are clients:
  active, reactivated, dormant (set by hand) and handoff (the case follows the account to its new manager).
  No case for a prospect (not a client yet), a churned account (a person already gave it up) or an archived one.
- dormant → status "dormant" only from "active" or "reactivated" (the steps of STATUS_TRANSITIONS). A prospect
  is not a client yet; "handoff" is moved only by the handoff workflow; "churned" is a person's verdict that
  silence only confirms; an archived account keeps the status it was archived with.
- awake → the open case is closed as reactivated on the purchase day; a dormant or churned account becomes
  "reactivated" (the status of won-back clients). Other statuses stay.
Applying the same run twice changes nothing more: a case opened on the run's day, or an open one, is not opened
again; a status already moved is no longer in the "from" set.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.accounts.models import Account, AccountStatus
from orbit.analytics.models import (
    AnalyticsRun,
    ChangeKind,
    ReactivationCase,
    ReactivationStatus,
    SegmentChange,
)

BATCH = 5000  # rows per INSERT: 100,000 dormant accounts are 20 statements, not 100,000

# Statuses a client may have when the queue takes him in; statuses the run moves (see the module's docstring).
CASE_STATUSES = {
    AccountStatus.ACTIVE,
    AccountStatus.REACTIVATED,
    AccountStatus.DORMANT,
    AccountStatus.HANDOFF,
}
TO_DORMANT_FROM = [AccountStatus.ACTIVE, AccountStatus.REACTIVATED]
TO_REACTIVATED_FROM = [AccountStatus.DORMANT, AccountStatus.CHURNED]

# The history row's change reason (≤ 100 characters, stored once, read in every language): a marker the
# timeline turns into words — "orbit-analytics:<run>:dormant:<days silent>:<typical interval or ->" or
# "orbit-analytics:<run>:awake:<purchase day>".
REASON_PREFIX = "orbit-analytics:"


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _interval(value: Decimal | None) -> str:
    return "-" if value is None else str(value.quantize(Decimal("1")))


def dormant_reason(run: AnalyticsRun, last_purchase: dt.date | None, interval: Decimal | None) -> str:
    silent = (run.as_of - last_purchase).days if last_purchase else "-"
    return f"{REASON_PREFIX}{run.pk}:dormant:{silent}:{_interval(interval)}"


def awake_reason(run: AnalyticsRun, purchase: dt.date | None) -> str:
    return f"{REASON_PREFIX}{run.pk}:awake:{(purchase or run.as_of).isoformat()}"


def describe_reason(reason: str) -> str:
    """The timeline's title for an automatic status change, in the reader's language ('' if not ours)."""
    parts = reason.removeprefix(REASON_PREFIX).split(":")
    if not reason.startswith(REASON_PREFIX) or len(parts) < 3:
        return ""
    if parts[1] == "dormant" and len(parts) == 4:
        silent, interval = parts[2], parts[3]
        if interval == "-":
            return _("Orbit: dormant — no purchase for %(days)s days, only one purchase so far") % {
                "days": silent
            }
        return _("Orbit: dormant — no purchase for %(days)s days, typical interval %(interval)s days") % {
            "days": silent,
            "interval": interval,
        }
    if parts[1] == "awake":
        return _("Orbit: reactivated — bought again on %(day)s") % {"day": parts[2]}
    return ""


def _move_status(
    run: AnalyticsRun, kind: str, frm: list[str], to: str, reasons: dict[int, str], now: dt.datetime
) -> int:
    """One locking read, one UPDATE, bulk history rows: the accounts of the run's `kind` changes in `frm`."""
    wanted = Account.objects.filter(
        pk__in=SegmentChange.objects.filter(run=run, kind=kind).values("account_id"),
        status__in=frm,
        archived_at__isnull=True,
    )
    accounts = list(wanted.select_for_update(of=("self",)).order_by("pk"))
    if not accounts:
        return 0
    wanted.update(status=to, status_changed_at=now, version=F("version") + 1, updated_at=now)
    for account in accounts:
        account.status, account.status_changed_at, account.version = to, now, account.version + 1
        account._history_user = None  # Orbit itself, not whoever's request started the run
        account._change_reason = reasons.get(account.pk, f"{REASON_PREFIX}{run.pk}")
    Account.history.bulk_history_create(accounts, batch_size=BATCH, update=True, default_date=now)
    return len(accounts)


def _open_cases(run: AnalyticsRun, rows: list[tuple]) -> int:
    ids = [row[0] for row in rows]
    taken = set(
        ReactivationCase.objects.filter(account_id__in=ids)
        .filter(Q(status=ReactivationStatus.OPEN) | Q(opened_on=run.as_of))
        .values_list("account_id", flat=True)
    )
    cases = [
        ReactivationCase(
            account_id=account_id,
            manager_id=manager_id,
            opened_on=run.as_of,
            last_purchase_on=_day(new),
        )
        for account_id, new, _interval_days, manager_id, status, archived_at in rows
        if account_id not in taken
        and manager_id is not None
        and archived_at is None
        and status in CASE_STATUSES
    ]
    # ignore_conflicts: a case opened meanwhile (the one-open-case constraint) is not an error.
    ReactivationCase.objects.bulk_create(cases, batch_size=BATCH, ignore_conflicts=True)
    return len(cases)


def _close_cases(run: AnalyticsRun, purchases: dict[int, str], now: dt.datetime) -> int:
    """The open cases of the accounts that bought again: reactivated on the purchase day (the run's day if
    the change carries none)."""
    by_day: dict[dt.date, list[int]] = {}
    for account_id, new in purchases.items():
        by_day.setdefault(_day(new) or run.as_of, []).append(account_id)
    closed = 0
    for day, ids in by_day.items():  # one UPDATE per purchase day: a run's awakenings share few days
        closed += ReactivationCase.objects.filter(account_id__in=ids, status=ReactivationStatus.OPEN).update(
            status=ReactivationStatus.REACTIVATED,
            closed_on=day,
            closed_by=None,
            version=F("version") + 1,
            updated_at=now,
        )
    return closed


@transaction.atomic
def apply(run: AnalyticsRun, now: dt.datetime | None = None) -> dict[str, int]:
    """The queue and the statuses after the run's changes; returns what it did (for the run's log). Stamped
    now, or at `now` (the demo tells its story at its own moment)."""
    now = now or timezone.now()
    dormant = list(
        SegmentChange.objects.filter(run=run, kind=ChangeKind.DORMANT).values_list(
            "account_id",
            "new",
            "account__metrics__typical_interval_days",
            "account__responsible_manager_id",
            "account__status",
            "account__archived_at",
        )
    )
    reasons = {row[0]: dormant_reason(run, _day(row[1]), row[2]) for row in dormant}
    opened = _open_cases(run, dormant) if dormant else 0
    went_dormant = (
        _move_status(run, ChangeKind.DORMANT, TO_DORMANT_FROM, AccountStatus.DORMANT, reasons, now)
        if dormant
        else 0
    )
    awake = dict(
        SegmentChange.objects.filter(run=run, kind=ChangeKind.AWAKE).values_list("account_id", "new")
    )
    closed = _close_cases(run, awake, now) if awake else 0
    reasons = {account_id: awake_reason(run, _day(new)) for account_id, new in awake.items()}
    came_back = (
        _move_status(run, ChangeKind.AWAKE, TO_REACTIVATED_FROM, AccountStatus.REACTIVATED, reasons, now)
        if awake
        else 0
    )
    return {"opened": opened, "dormant": went_dormant, "reactivated": closed, "came_back": came_back}
