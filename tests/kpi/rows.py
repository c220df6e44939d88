"""Ledger, work and service rows written straight to the tables with the figures a test works out by hand."""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from orbit.accounts.models import OwnershipPeriod
from orbit.activities.models import Touch, TouchStatus
from orbit.requests.models import Department, Request, RequestComment
from orbit.revenue.models import AccountRevenueMonth, Invoice, Payment, PaymentAllocation

MSK = ZoneInfo("Europe/Moscow")
D = Decimal
_n = itertools.count(1)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


def since(account, moment: dt.datetime) -> None:
    """The account's (only) ownership period starts at `moment` (accounts are created "now")."""
    OwnershipPeriod.objects.filter(account=account).update(started_at=moment)


def invoice(account, manager, day: dt.date, net, cost, *, corrects=None, vat=Decimal("0.22")) -> Invoice:
    net, cost = D(net), D(cost)
    total = (net * (1 + vat)).quantize(D("0.01"))
    return Invoice.objects.create(
        account=account,
        kind="credit_note" if corrects else "invoice",
        corrects=corrects,
        number=f"K-{next(_n)}",
        issued_on=day,
        due_on=day + dt.timedelta(days=10),
        rate=1,
        manager=manager,
        net_total=net,
        vat_total=total - net,
        total=total,
        net_total_base=net,
        cost_total_base=cost,
        total_base=total,
    )


def payment(account, manager, day: dt.date, amount, to: Invoice) -> Payment:
    amount = D(amount)
    paid = Payment.objects.create(
        account=account,
        received_on=day,
        amount=amount,
        rate=1,
        amount_base=amount,
        allocated_amount=amount,
        manager=manager,
    )
    PaymentAllocation.objects.create(payment=paid, invoice=to, amount=amount)
    return paid


def touch(
    account, owner, moment: dt.datetime | None, minutes: int | None, *, status=TouchStatus.DONE
) -> Touch:
    planned = dt.date(2026, 3, 31) if status == TouchStatus.PLANNED else None
    return Touch.objects.create(
        account=account,
        owner=owner,
        status=status,
        happened_at=moment,
        duration_minutes=minutes,
        planned_for=planned,
    )


def request(account, manager, **times) -> Request:
    return Request.objects.create(
        account=account,
        request_type="question",
        # the data migration's department (a browser test's flush may have emptied the table)
        department=Department.objects.get_or_create(
            code="support", defaults={"name_ru": "Поддержка", "name_en": "Support"}
        )[0],
        subject=f"Вопрос {next(_n)}",
        manager=manager,
        received_at=times.pop("received_at", at(2026, 3, 1, 9)),
        **times,
    )


def comment(req: Request, author, moment: dt.datetime, minutes: int) -> RequestComment:
    made = RequestComment.objects.create(request=req, author=author, text="работа", minutes_spent=minutes)
    RequestComment.objects.filter(pk=made.pk).update(created_at=moment)
    return made


def revenue_month(account, month: dt.date, net) -> AccountRevenueMonth:
    return AccountRevenueMonth.objects.create(
        account=account, month=month, net_base=D(net), cost_base=0, lines=1
    )
