"""The money pages of issue 11 in `bench.run`: the account card with its htmx revenue panel
(`revenue:account_panel`) and the receivables list, each next to the hand-written SQL of the same rows.

Load the ledger first (`bench.revenue`); without invoices these cases are skipped.
"""

import datetime as dt
import re
from collections.abc import Callable

BUCKETS = {
    "not_due": "i.due_on >= %(today)s",
    "d1_30": "i.due_on <= %(today)s - 1 AND i.due_on >= %(today)s - 30",
    "d31_60": "i.due_on <= %(today)s - 31 AND i.due_on >= %(today)s - 60",
    "d61_90": "i.due_on <= %(today)s - 61 AND i.due_on >= %(today)s - 90",
    "d90_plus": "i.due_on < %(today)s - 90",
}
OPEN_BASE = "round(i.open_amount * i.rate, 2)"


def has_ledger(conn) -> bool:
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM revenue_invoice)").fetchone()[0])


def pick_money_accounts(conn, persona, biggest: int = 5, typical: int = 5) -> list[int]:
    """The persona's accounts with the most invoices (the heaviest cards), then a few ordinary ones with some."""
    scope, params = persona.scope()
    big = [
        r[0]
        for r in conn.execute(
            f"""SELECT i.account_id FROM revenue_invoice i JOIN accounts_account a ON a.id = i.account_id
                 WHERE a.archived_at IS NULL AND {scope}
                 GROUP BY i.account_id ORDER BY count(*) DESC, i.account_id LIMIT {biggest}""",
            params,
        )
    ]
    some = [
        r[0]
        for r in conn.execute(
            f"""SELECT a.id FROM accounts_account a
                 WHERE a.archived_at IS NULL AND {scope}
                   AND EXISTS (SELECT 1 FROM revenue_invoice i WHERE i.account_id = a.id)
                 ORDER BY (a.id * 2654435761) %% 1000003 LIMIT {biggest + typical}""",
            params,
        )
        if r[0] not in big
    ]
    return big + some[:typical]


def months_span(today: dt.date, months: int) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, today.replace(day=1)


def bare_panel(persona, today: dt.date) -> Callable:
    """What the revenue panel reads: the account (visibility), revenue by month and product line from the
    monthly totals, the balance (invoices and payments aggregated), active contracts, open orders and open
    invoices (five shown, counted when there are more). Returns the open invoices shown."""
    from orbit.revenue.selectors import CARD_LIST_LIMIT, CARD_MONTHS

    scope, values = persona.scope("a")
    first, last = months_span(today, CARD_MONTHS)
    values = values | {"today": today, "first": first, "last": last, "limit": CARD_LIST_LIMIT + 1}
    account_sql = f"""SELECT a.*, m.* FROM accounts_account a LEFT JOIN org_user m ON m.id = a.responsible_manager_id
                        WHERE a.id = %(id)s AND {scope}"""
    months_sql = """SELECT r.month, r.product_line_id, l.name_ru, l.name_en, sum(r.net_base), sum(r.cost_base)
                      FROM revenue_accountrevenuemonth r LEFT JOIN revenue_productline l ON l.id = r.product_line_id
                     WHERE r.account_id = %(id)s AND r.month >= %(first)s AND r.month <= %(last)s
                     GROUP BY 1, 2, 3, 4"""
    buckets = ", ".join(
        f"coalesce(sum({OPEN_BASE}) FILTER (WHERE i.open_amount > 0 AND {cond}), 0)"
        for cond in BUCKETS.values()
    )
    invoices_sql = f"""SELECT coalesce(sum(i.total_base) FILTER (WHERE i.kind = 'invoice'), 0),
                              coalesce(sum(i.total_base) FILTER (WHERE i.kind = 'credit_note'), 0),
                              coalesce(sum({OPEN_BASE}) FILTER (WHERE i.open_amount > 0), 0),
                              coalesce(sum({OPEN_BASE}) FILTER (WHERE i.open_amount > 0 AND i.due_on < %(today)s), 0),
                              max(i.issued_on) FILTER (WHERE i.kind = 'invoice'), {buckets}
                         FROM revenue_invoice i WHERE i.account_id = %(id)s"""
    payments_sql = """SELECT coalesce(sum(amount_base), 0),
                             coalesce(sum(round((amount - allocated_amount) * rate, 2))
                                      FILTER (WHERE allocated_amount < amount), 0), max(received_on)
                        FROM revenue_payment WHERE account_id = %(id)s"""
    contracts_sql = """SELECT c.*, a.* FROM revenue_contract c JOIN accounts_account a ON a.id = c.account_id
                        WHERE c.account_id = %(id)s AND c.status = 'active' ORDER BY c.ends_on NULLS LAST, c.number"""
    orders_where = "o.account_id = %(id)s AND o.status IN ('new', 'confirmed', 'shipped')"
    orders_sql = f"""SELECT o.*, a.* FROM revenue_order o JOIN accounts_account a ON a.id = o.account_id
                      WHERE {orders_where} ORDER BY o.promised_on NULLS LAST, o.received_at LIMIT %(limit)s"""
    orders_count = f"SELECT count(*) FROM revenue_order o WHERE {orders_where}"
    open_where = "i.account_id = %(id)s AND i.kind = 'invoice' AND i.open_amount > 0"
    open_sql = f"""SELECT i.*, a.* FROM revenue_invoice i JOIN accounts_account a ON a.id = i.account_id
                    WHERE {open_where} ORDER BY i.due_on, i.issued_on, i.id LIMIT %(limit)s"""
    open_count = f"SELECT count(*) FROM revenue_invoice i WHERE {open_where}"

    def run(cur, account_id: int) -> list[int]:
        params = values | {"id": account_id}
        for sql in (account_sql, months_sql, invoices_sql, payments_sql, contracts_sql):
            cur.execute(sql, params)
            cur.fetchall()
        cur.execute(orders_sql, params)
        if len(cur.fetchall()) > CARD_LIST_LIMIT:
            cur.execute(orders_count, params)
            cur.fetchall()
        cur.execute(open_sql, params)
        shown = [row[0] for row in cur.fetchall()]
        if len(shown) > CARD_LIST_LIMIT:
            cur.execute(open_count, params)
            cur.fetchall()
        return shown[:CARD_LIST_LIMIT]

    return run


def panel_invoice_ids(response) -> list[int]:
    return [int(m) for m in re.findall(r'href="/revenue/invoices/(\d+)/"', response.content.decode())]


def bare_receivables(persona, per_page: int) -> Callable:
    """The receivables page: the totals over every listed account with their count (the page's paginator takes
    it, capped at ORBIT_COUNT_CAP), and the first page sorted by overdue (most first), from the stored summary
    (`revenue_accountreceivable`) joined to the accounts in scope. Whoever sees every account (the head) needs
    no join for the totals: every row has its account (foreign key)."""
    scope, values = persona.scope("a")
    values = values | {"limit": per_page}
    accounts = "" if persona.people is None else "JOIN accounts_account a ON a.id = r.account_id"
    totals_sql = f"""SELECT count(*), min(r.as_of), sum(r.open_base), sum(r.overdue_base),
                            {", ".join(f"sum(r.{b})" for b in BUCKETS)}
                       FROM revenue_accountreceivable r {accounts} WHERE {scope}"""
    page_sql = f"""SELECT r.*, a.*, m.* FROM revenue_accountreceivable r
                     JOIN accounts_account a ON a.id = r.account_id
                     LEFT JOIN org_user m ON m.id = a.responsible_manager_id
                    WHERE {scope}
                    ORDER BY r.overdue_base DESC, a.sort_name, r.account_id LIMIT %(limit)s"""

    def run(cur) -> list[int]:
        cur.execute(totals_sql, values)
        cur.fetchone()
        cur.execute(page_sql, values)
        return [row[0] for row in cur.fetchall()]

    run.sql = [(totals_sql, values), (page_sql, values)]
    return run


def receivable_ids(response) -> list[int]:
    html = response.content.decode()
    body = html.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    return [int(m) for m in re.findall(r'<th scope="row"><a href="/accounts/(\d+)/"', body)]


def money_cases(personas, case_class, keys=("am", "lead", "head")) -> list:
    """Per persona: the revenue panel alone (htmx), the card plus its panel, and receivables."""
    from bench.run import PANEL_TARGET_MS, RECEIVABLES_TARGET_MS

    htmx = {"HX-Request": "true"}
    cases = []
    for p in personas:
        if p.key not in keys or not p.money_ids:
            continue
        panel_urls = [f"/revenue/accounts/{i}/" for i in p.money_ids]
        cases.append(
            case_class(p, "money", "revenue panel (htmx)", panel_urls, headers=htmx, target=PANEL_TARGET_MS)
        )
        steps = [[(f"/accounts/{i}/", {}), (f"/revenue/accounts/{i}/", htmx)] for i in p.money_ids]
        cases.append(
            case_class(
                p,
                "money",
                "card + revenue panel",
                [s[0][0] for s in steps],
                steps=steps,
                target=PANEL_TARGET_MS,
            )
        )
        cases.append(
            case_class(
                p, "money", "receivables, first page", ["/revenue/receivables/"], target=RECEIVABLES_TARGET_MS
            )
        )
    return cases


def prepare_money(case, cur, card_bare: Callable) -> None:
    """The bare SQL of a money case and the one-time check that it returns the rows the page shows."""
    from django.conf import settings
    from django.utils import timezone

    p = case.persona
    today = timezone.localdate()
    if case.name.startswith("receivables"):
        case.bare = bare_receivables(p, settings.ORBIT_PAGE_SIZE)
        shown = receivable_ids(p.client.get(case.urls[0]))
        bare_ids = case.bare(cur)
        case.rows_match = "yes" if shown == bare_ids else f"NO ({len(shown)} vs {len(bare_ids)})"
        return
    panel = bare_panel(p, today)
    ok = all(
        panel_invoice_ids(p.client.get(f"/revenue/accounts/{i}/", headers={"HX-Request": "true"}))
        == panel(cur, i)
        for i in p.money_ids
    )
    case.rows_match = "yes" if ok else "NO"
    ids = iter(p.money_ids * 1000)
    with_card = bool(case.steps)
    reassign = {
        i: '<select name="manager"' in p.client.get(f"/accounts/{i}/").content.decode() for i in p.money_ids
    }

    def bare(c, _ids=ids):
        i = next(_ids)
        if with_card:
            card_bare(c, i, reassign[i])
        return panel(c, i)

    case.bare = bare
    case.note = "5 biggest + 5 typical accounts"
