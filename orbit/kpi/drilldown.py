"""The rows behind each KPI figure of one person and period (docs/managers-kpi.md, "Drill-down").

The caller has checked that the reader may see the person (`plan_fact.may_see_person`; a colleague is 404
before anything is read). The rows are the documents *recorded on* him, as his figures count them — a document
keeps the manager of its date, so after a handoff his month still adds up to what the page shows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from orbit.activities.services import WORKED_STATUSES
from orbit.analytics.models import ReactivationCase, ReactivationStatus
from orbit.growth.plan_fact import paid_share
from orbit.growth.sale_kinds import sale_kind_of
from orbit.kpi.periods import Period
from orbit.kpi.portfolio import cadence_moment, logged_entries, portfolio_accounts, sla_filters, with_cadence
from orbit.requests.models import Request
from orbit.revenue.models import Invoice, PaymentAllocation


@dataclass(frozen=True)
class Drill:
    code: str
    label: object
    rows: Callable[[int, Period], QuerySet | list]


def invoices(person: int, period: Period) -> QuerySet:
    return (
        Invoice.objects.filter(manager_id=person, issued_on__gte=period.start, issued_on__lt=period.end)
        .select_related("account")
        .annotate(sale_kind=sale_kind_of(), margin=F("net_total_base") - F("cost_total_base"))
        .order_by("-issued_on", "-id")
    )


def payments(person: int, period: Period) -> QuerySet:
    return (
        PaymentAllocation.objects.filter(
            payment__manager_id=person,
            payment__received_on__gte=period.start,
            payment__received_on__lt=period.end,
        )
        .select_related("payment", "invoice", "invoice__account")
        .annotate(
            share=paid_share(),
            margin_share=paid_share(F("invoice__net_total_base") - F("invoice__cost_total_base")),
        )
        .order_by("-payment__received_on", "-id")
    )


def hours(person: int, period: Period) -> list[dict]:
    """Minutes logged on each account while he was responsible for it, by touches and by requests."""
    touches, comments = logged_entries(period)
    found: dict[int, dict] = {}
    for qs, source, minutes, account in (
        (touches, "touch", "duration_minutes", "account_id"),
        (comments, "request", "minutes_spent", "request__account_id"),
    ):
        prefix = account.removesuffix("_id") + "__"
        grouped = (
            qs.filter(responsible=person)
            .values(
                account_pk=F(account),
                short=F(prefix + "short_name"),
                legal=F(prefix + "legal_name"),
            )
            .annotate(minutes=Sum(minutes))
            .order_by()
        )
        for r in grouped:
            name = r["short"] or r["legal"]
            row = found.setdefault(
                r["account_pk"], {"account_id": r["account_pk"], "account": name, "touch": 0, "request": 0}
            )
            row[source] += int(r["minutes"] or 0)
    rows = sorted(found.values(), key=lambda r: (-(r["touch"] + r["request"]), r["account"]))
    for row in rows:
        row["total"] = row["touch"] + row["request"]
    return rows


def requests(person: int, period: Period) -> QuerySet:
    """His requests of the period's SLA figures that missed a due time (resolution or first response)."""
    resolved, _resolved_ok, responded, _responded_ok = sla_filters(period)
    late = (resolved & ~Q(resolved_at__lte=F("resolution_due"))) | (
        responded & ~Q(first_responded_at__lte=F("first_response_due"))
    )
    return (
        Request.objects.filter(late, manager_id=person)
        .select_related("account")
        .order_by("-received_at", "-id")
    )


def cadence(person: int, period: Period) -> QuerySet:
    """His accounts overdue for contact: a cadence covers them and no touch was done within it."""
    accounts = portfolio_accounts().filter(responsible_manager_id=person, status__in=WORKED_STATUSES)
    return (
        with_cadence(accounts, cadence_moment(period))
        .filter(cadence_days__isnull=False, in_cadence=0)
        .order_by(F("last_done").asc(nulls_first=True), "sort_name", "id")
    )


def cases(person: int, period: Period) -> QuerySet:
    return (
        ReactivationCase.objects.filter(
            manager_id=person,
            status=ReactivationStatus.REACTIVATED,
            closed_on__gte=period.start,
            closed_on__lt=period.end,
        )
        .select_related("account")
        .order_by("-closed_on", "-id")
    )


DRILLS = {
    d.code: d
    for d in (
        Drill("invoices", _("Invoices and credit notes"), invoices),
        Drill("payments", _("Payments"), payments),
        Drill("hours", _("Hours by account"), hours),
        Drill("requests", _("Requests late"), requests),
        Drill("cadence", _("Accounts overdue for contact"), cadence),
        Drill("cases", _("Reactivations won"), cases),
    )
}
