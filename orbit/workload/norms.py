"""Norms: the hours one account of a tier needs a month.

    hours = touches a month × minutes per touch / 60 + requests a month × minutes per request / 60

Each figure has a source, shown on the page:
- touches a month: 30 / the cadence (days between touches) of the tier's rule (orbit/activities/cadence.py);
  Orbit's default rhythm when no rule covers the tier;
- minutes per touch: minutes logged on done touches of the tier's accounts ÷ the number of those touches,
  over the last 12 complete months (orbit/worktime/logged.py is the source of the minutes);
- requests a month: requests opened on the tier's accounts ÷ the tier's account-months (accounts held at each
  month's end, from the ownership ledger) over the same months;
- minutes per request: minutes logged on requests of the tier ÷ the requests that had time logged;
- fewer than MIN_HISTORY touches (requests) in the window: too thin, Orbit's default figure;
- a figure the head set (NormOverride, latest version of the tier) wins over all of these.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.accounts.models import Account, Tier
from orbit.activities import cadence
from orbit.activities.models import Touch, TouchStatus
from orbit.requests.models import Request, RequestComment
from orbit.workload import defaults
from orbit.workload.models import NormOverride
from orbit.workload.months import last_day, months_back, previous_month, start_moment
from orbit.workload.portfolio import month_end_counts
from orbit.worktime.logged import REQUEST, TOUCH, logged_minutes

TIERS = [t.value for t in Tier]
FIGURES = ("touches_per_month", "touch_minutes", "requests_per_month", "request_minutes")
SIXTY = Decimal(60)

HISTORY = "history"
THIN = "thin"
POLICY = "policy"
ORBIT = "orbit"
OVERRIDE = "override"
SOURCE_LABELS = {
    HISTORY: _("from the history"),
    THIN: _("Orbit's default: too little history"),
    POLICY: _("from the cadence rule"),
    ORBIT: _("Orbit's default"),
    OVERRIDE: _("set by the head"),
}


@dataclass
class Figure:
    value: Decimal
    source: str
    basis: int | None = None  # touches, requests or account-months behind a figure from history
    history: Decimal | None = None  # what the history (or the rule) says, also when overridden

    @property
    def source_label(self):
        return SOURCE_LABELS[self.source]


@dataclass
class Norm:
    tier: str
    touches_per_month: Figure
    touch_minutes: Figure
    requests_per_month: Figure
    request_minutes: Figure
    override: NormOverride | None = None

    @property
    def hours(self) -> Decimal:
        minutes = (
            self.touches_per_month.value * self.touch_minutes.value
            + self.requests_per_month.value * self.request_minutes.value
        )
        return (minutes / SIXTY).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def tier_label(self):
        return Tier(self.tier).label

    @property
    def version(self) -> int:
        return self.override.version if self.override else 0


@dataclass
class History:
    start: dt.date
    end: dt.date
    touches: dict[str, int] = field(default_factory=dict)
    touch_minutes: dict[str, int] = field(default_factory=dict)
    requests_opened: dict[str, int] = field(default_factory=dict)
    requests_handled: dict[str, int] = field(default_factory=dict)
    request_minutes: dict[str, int] = field(default_factory=dict)
    account_months: dict[str, int] = field(default_factory=dict)


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 complete local months before `today`'s month."""
    last = previous_month(today.replace(day=1))
    return months_back(last, 12)[0], last_day(last)


def history(today: dt.date) -> History:
    start, end = window(today)
    found = History(start, end)
    since, until = start_moment(start), start_moment(end + dt.timedelta(days=1))
    minutes: dict[tuple[str, str], int] = defaultdict(int)
    rows = logged_minutes(start, end)
    ids = {r.account_id for r in rows}
    # A few accounts: look them up; a large base: read every account's tier once (two columns, streamed)
    # rather than send a million ids (the result is cached for the day, see hours_by_tier).
    accounts = Account.objects.filter(pk__in=ids) if len(ids) <= 5000 else Account.objects.all()
    tiers = dict(accounts.values_list("pk", "tier").iterator(chunk_size=20000))
    for row in rows:
        minutes[(tiers[row.account_id], row.source)] += row.minutes
    found.touch_minutes = {t: minutes[(t, TOUCH)] for t in TIERS}
    found.request_minutes = {t: minutes[(t, REQUEST)] for t in TIERS}
    found.touches = dict(
        Touch.objects.filter(
            status=TouchStatus.DONE,
            happened_at__gte=since,
            happened_at__lt=until,
            duration_minutes__isnull=False,
        )
        .values_list("account__tier")
        .annotate(n=Count("id"))
        .order_by()
    )
    found.requests_handled = dict(
        RequestComment.objects.filter(
            created_at__gte=since, created_at__lt=until, minutes_spent__isnull=False
        )
        .values_list("request__account__tier")
        .annotate(n=Count("request_id", distinct=True))
        .order_by()
    )
    found.requests_opened = dict(
        Request.objects.filter(created_at__gte=since, created_at__lt=until)
        .values_list("account__tier")
        .annotate(n=Count("id"))
        .order_by()
    )
    months = months_back(previous_month(today.replace(day=1)), 12)
    account_months: dict[str, int] = defaultdict(int)
    for per_person in month_end_counts(months).values():
        for per_tier in per_person.values():
            for tier, n in per_tier.items():
                account_months[tier] += n
    found.account_months = dict(account_months)
    return found


def _ratio(numerator: int, denominator: int, places: str) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _from_history(numerator: int, basis: int, default: Decimal, places: str) -> Figure:
    if basis < defaults.MIN_HISTORY:
        return Figure(Decimal(default), THIN, basis)
    value = _ratio(numerator, basis, places)
    return Figure(value, HISTORY, basis, value)


def latest_overrides() -> dict[str, NormOverride]:
    latest: dict[str, NormOverride] = {}
    for row in NormOverride.objects.order_by("tier", "-version"):
        latest.setdefault(row.tier, row)
    return latest


def _cadence_figure(tier: str, rules) -> Figure:
    days = cadence.cadence_for(SimpleNamespace(tier=tier, segment_id=None, status=None), rules)
    if days:
        value = (defaults.DAYS_PER_MONTH / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return Figure(value, POLICY, days, value)
    value = (defaults.DAYS_PER_MONTH / cadence.DEFAULT_DAYS[tier]).quantize(Decimal("0.01"))
    return Figure(value, ORBIT, cadence.DEFAULT_DAYS[tier], value)


def compute(today: dt.date | None = None, found: History | None = None) -> dict[str, Norm]:
    """The norms in force today, each figure with its source."""
    today = today or timezone.localdate()
    found = found or history(today)
    rules = cadence.policies()
    overrides = latest_overrides()
    norms = {}
    for tier in TIERS:
        requests_opened = found.requests_opened.get(tier, 0)
        account_months = found.account_months.get(tier, 0)
        handled = found.requests_handled.get(tier, 0)
        requests = (
            Figure(
                _ratio(requests_opened, account_months, "0.01"),
                HISTORY,
                account_months,
                _ratio(requests_opened, account_months, "0.01"),
            )
            if handled >= defaults.MIN_HISTORY and account_months
            else Figure(Decimal(defaults.REQUESTS_PER_MONTH[tier]), THIN, handled)
        )
        norm = Norm(
            tier,
            touches_per_month=_cadence_figure(tier, rules),
            touch_minutes=_from_history(
                found.touch_minutes.get(tier, 0),
                found.touches.get(tier, 0),
                defaults.TOUCH_MINUTES[tier],
                "0.1",
            ),
            requests_per_month=requests,
            request_minutes=_from_history(
                found.request_minutes.get(tier, 0), handled, defaults.REQUEST_MINUTES[tier], "0.1"
            ),
            override=overrides.get(tier),
        )
        if norm.override is not None:
            for name in FIGURES:
                value = getattr(norm.override, name)
                if value is not None:
                    figure = getattr(norm, name)
                    setattr(norm, name, Figure(value, OVERRIDE, figure.basis, figure.value))
        norms[tier] = norm
    return norms


def _cache_key(today: dt.date) -> str:
    stamp = NormOverride.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rules = ",".join(f"{r.pk}:{r.interval_days}" for r in cadence.policies())
    return f"workload:norm-hours:{today.isoformat()}:{stamp}:{rules}"


def hours_by_tier(today: dt.date | None = None) -> dict[str, Decimal]:
    """Hours a month per account of each tier, as in force today. The history behind them is read once a day
    (cached; a change of the head's overrides gives a new key)."""
    today = today or timezone.localdate()
    key = _cache_key(today)
    hours = cache.get(key)
    if hours is None:
        hours = {tier: norm.hours for tier, norm in compute(today).items()}
        cache.set(key, hours, timeout=6 * 3600)
    return hours
