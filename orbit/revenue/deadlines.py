"""The ledger's items on a manager's day and in his calendar (registered with `orbit.activities.deadlines`).

- A contract's renewal day, and its last day to give notice (renewal day − notice period), from
  `activities.deadlines.HORIZON_DAYS` ahead (30, Orbit's default) and overdue while still actionable: a renewal
  day while the contract is active (the morning run renews or expires it after its end); a notice deadline
  until the renewal day itself (after it, notice changes nothing). Drafts and terminated or expired contracts
  have no deadlines.
- A late delivery: an open order (not delivered, not cancelled) whose promised day has passed. A delivery made
  late is history (the order's page), not work on the agenda.

Each on the day of the contract's or order's `manager` (the responsible manager, moving with the account).
"""

import datetime as dt

from django.db.models import DateField, F, Func, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orbit.activities.deadlines import Deadline
from orbit.revenue.models import Contract, ContractStatus, Order, OrderStatus

_OPEN_ORDERS = (OrderStatus.NEW, OrderStatus.CONFIRMED, OrderStatus.SHIPPED)
_ACCOUNT = ("account__id", "account__short_name", "account__legal_name")


class _DaysBefore(Func):
    """day − n days, as a date, in SQL: PostgreSQL subtracts an integer from a date; SQLite (the demo) has
    date(day, '-n days'). (Django's duration arithmetic cannot multiply a column by an interval on SQLite.)"""

    output_field = DateField()

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        day, day_params = compiler.compile(self.source_expressions[0])
        days, days_params = compiler.compile(self.source_expressions[1])
        return f"({day} - {days})", (*day_params, *days_params)

    def as_sqlite(self, compiler, connection, **extra):
        day, day_params = compiler.compile(self.source_expressions[0])
        days, days_params = compiler.compile(self.source_expressions[1])
        return f"date({day}, '-' || {days} || ' days')", (*day_params, *days_params)


def notice_by_sql() -> Func:
    """renewal_on − notice_days: the last day to give notice."""
    return _DaysBefore(F("renewal_on"), F("notice_days"))


def contract_deadlines(*, read, owners, today: dt.date, until: dt.date, limit: int) -> list[Deadline]:
    rows = (
        read(Contract.objects)
        .filter(status=ContractStatus.ACTIVE, manager_id__in=owners, renewal_on__isnull=False)
        # Past its end and not renewing itself, it reads as expired (`contracts.display_status`) until the
        # morning run marks it so: nothing to act on.
        .filter(Q(ends_on__gte=today) | Q(auto_renewal=True, renewal_months__gt=0))
        .annotate(notice_by=notice_by_sql())
        .filter(Q(renewal_on__lte=until) | Q(notice_days__gt=0, notice_by__lte=until, renewal_on__gte=today))
        .select_related("account")
        .only(
            "id",
            "number",
            "renewal_on",
            "ends_on",
            "notice_days",
            "auto_renewal",
            "renewal_months",
            *_ACCOUNT,
        )
        .order_by("renewal_on", "id")[:limit]
    )
    items = []
    for contract in rows:
        url = reverse("revenue:contract", args=[contract.pk])
        name = contract.account.display_name
        renewal = contract.renewal_on
        if contract.notice_days and renewal >= today:
            notice_by = renewal - dt.timedelta(days=contract.notice_days)
            if notice_by <= until:
                items.append(
                    Deadline(
                        uid=f"contract-{contract.pk}-notice",
                        kind="contract_notice",
                        day=notice_by,
                        title=_("Last day to give notice on contract %(number)s")
                        % {"number": contract.number},
                        account_id=contract.account_id,
                        account_name=name,
                        url=url,
                        detail=_("renewal day %(day)s") % {"day": date_format(renewal, "SHORT_DATE_FORMAT")},
                    )
                )
        if renewal <= until:
            if contract.auto_renewal and contract.renewal_months:
                detail = ngettext(
                    "renews automatically for %(n)s month",
                    "renews automatically for %(n)s months",
                    contract.renewal_months,
                ) % {"n": contract.renewal_months}
            else:
                detail = _("renew it or let it end")
            items.append(
                Deadline(
                    uid=f"contract-{contract.pk}-renewal",
                    kind="contract_renewal",
                    day=renewal,
                    title=_("Renewal of contract %(number)s") % {"number": contract.number},
                    account_id=contract.account_id,
                    account_name=name,
                    url=url,
                    detail=detail,
                )
            )
    return items


def late_deliveries(*, read, owners, today: dt.date, until: dt.date, limit: int) -> list[Deadline]:
    rows = (
        read(Order.objects)
        .filter(status__in=_OPEN_ORDERS, manager_id__in=owners, promised_on__lt=today)
        .select_related("account")
        .only("id", "number", "status", "promised_on", *_ACCOUNT)
        .order_by("promised_on", "id")[:limit]
    )
    return [
        Deadline(
            uid=f"order-{order.pk}-delivery",
            kind="late_delivery",
            day=order.promised_on,
            title=_("Delivery of order %(number)s is late") % {"number": order.number},
            account_id=order.account_id,
            account_name=order.account.display_name,
            url=reverse("revenue:order", args=[order.pk]),
            detail=_("promised for %(day)s, the order is %(status)s")
            % {
                "day": date_format(order.promised_on, "SHORT_DATE_FORMAT"),
                "status": str(OrderStatus(order.status).label).lower(),
            },
        )
        for order in rows
    ]
