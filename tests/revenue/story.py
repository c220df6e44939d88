"""A client's year and a half of money, written through the ledger services, for the pages' tests.

Today is 2026-06-15 (Moscow). VAT: 20 % in 2025, 22 % from 2026. Invoices are due 14 days after issue
(Orbit's default term). Products (tests/revenue/conftest.py): router 1000 (cost 600) and cable 10 (cost 4) in
the line "Equipment", support 5000 (cost 1000) in "Service".

  D 2025-03-10  1 router    net 1000   cost 600   VAT 200   total 1200  due 2025-03-24
  A 2026-01-10  2 routers   net 2000   cost 1200  VAT 440   total 2440  due 2026-01-24
  credit note on A 2026-02-01: 1 router back  net −1000  cost −600  VAT −220  total −1220
  payment 2026-02-05  1000, oldest first      → D 1000 (D open 200)
  B 2026-04-20  1 support   net 5000   cost 1000  VAT 1100  total 6100  due 2026-05-04
  payment 2026-05-20  7000, oldest first      → D 200, A 1220 (2440 − 1220 credited), B 5580 (B open 520)
  C 2026-06-01  10 cables   net 100    cost 40    VAT 22    total 122   due 2026-06-15
  payment 2026-06-10  300, kept as credit

On 2026-06-15: open B 520 (42 days past due: 31–60) + C 122 (due today: not due) = 642; overdue 520;
credit 300; last purchase 2026-06-01, last payment 2026-06-10.
Revenue of the 12 months 2025-07..2026-06: 2000 − 1000 + 5000 + 100 = 6100 (D is older);
margin: (2000 − 1200) + (−1000 + 600) + (5000 − 1000) + (100 − 40) = 800 − 400 + 4000 + 60 = 4460, 73.1 %.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from orbit.revenue.invoicing import LineInput
from tests.revenue.ledger import credit, issue, pay

TODAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
D = Decimal


def client_story(shop, account=None) -> SimpleNamespace:
    account = account or shop.account
    by = account.responsible_manager

    def line(product, quantity):
        return LineInput(product=product, quantity=D(quantity))

    d = issue(shop, dt.date(2025, 3, 10), line(shop.router, 1), account=account, by=by)
    a = issue(shop, dt.date(2026, 1, 10), line(shop.router, 2), account=account, by=by)
    note = credit(shop, a, dt.date(2026, 2, 1), line(shop.router, -1), by=by)
    first = pay(shop, dt.date(2026, 2, 5), "1000.00", account=account, by=by)
    b = issue(shop, dt.date(2026, 4, 20), line(shop.support, 1), account=account, by=by)
    second = pay(shop, dt.date(2026, 5, 20), "7000.00", account=account, by=by)
    c = issue(shop, dt.date(2026, 6, 1), line(shop.cable, 10), account=account, by=by)
    third = pay(shop, dt.date(2026, 6, 10), "300.00", account=account, by=by, allocate=[])
    return SimpleNamespace(account=account, a=a, b=b, c=c, d=d, note=note, payments=[first, second, third])
