"""Load three years of invoices, lines, credit notes, payments and allocations into the large base.

    .venv/bin/python -m bench.revenue --database orbit_bench            # ~4M invoices, ~20M lines

The rows are made inside PostgreSQL, set-based (`generate_series` and a seeded hash per row,
`hashint8extended`), not in Python: on this machine that is several times faster than building the same
rows in Python and streaming them with COPY (see bench/README.md for the measurement). Shape, per
non-prospect account of `bench.generate`'s base:

- size: a Pareto draw (alpha 1.16, capped at 1,000) scaled so the invoices add up to `--invoices`: about 20 %
  of the accounts bring 80 % of the revenue;
- when: from the later of its creation and three years before `--as-of`, business days only, weighted by
  month (a January dip, a Q4 peak: `orbit.demo.catalog.SEASON`); a churned account stops buying 12-25 months
  before, a dormant one 4-11 months before; a reactivated one has a 4-8 month gap and came back; one account
  in seven grows (its invoices lean to the later dates);
- lines: 1-9 a invoice (5 on average) of the demo catalog at that year's list price (+8 % each January), with
  a 5-10 % agreed discount for some key and A clients; VAT 20 % up to 2025, 22 % from 2026, software without
  VAT; 1.5 % of the accounts are invoiced in USD, EUR or CNY at the day's rate;
- payments: prompt payers (70 %) pay around the due day, late ones (18 %) 30-90 days late, very late ones
  (8 %) 60-200 days late (so some are 90+ overdue), the rest pay in two parts; what is not yet received on
  `--as-of` is open; 0.5 % of payments are overpaid (the rest is the client's credit);
- credit notes: 0.6 % of invoices get one, a few days later, for part of its first line;
- the manager of each invoice and payment: the account's responsible manager on that day (ownership
  periods, as `orbit.accounts.ownership.responsible_on`).

Then the derived data, set-based: invoice totals are sums of the rounded lines, `credited_total`,
`paid_total`, `open_amount`, `Payment.allocated_amount`, and `AccountRevenueMonth` (the GROUP BY of
`orbit.revenue.totals.rebuild_month_totals`). Secondary indexes and foreign keys of the ledger tables are
dropped before and rebuilt after, exactly as migrated (checked). The same arguments give the same rows.
"""

import argparse
import concurrent.futures as cf
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path

import psycopg

from bench import django_env
from orbit.demo import catalog

assert django_env

ROOT = Path(__file__).resolve().parent.parent
LEDGER = (
    "revenue_paymentallocation",
    "revenue_payment",
    "revenue_invoiceline",
    "revenue_invoice",
    "revenue_accountrevenuemonth",
)
REFERENCE = ("revenue_productprice", "revenue_product", "revenue_productline", "revenue_currencyrate")
PARETO_ALPHA = 1.16
PARETO_CAP = 1000


def u(key: str, salt: int) -> str:
    """A uniform [0, 1) number from a seeded hash of an integer expression (deterministic, no state)."""
    return f"((hashint8extended(({key})::bigint, {salt}) & 4503599627370495)::float8 / 4503599627370496.0)"


def reference_rows(seed: int, first: date, last: date) -> dict[str, list[tuple]]:
    """Product lines, products, yearly prices (RUB) and the currency rates of every business day."""
    lines = [(k + 1, x.code, x.name_ru, x.name_en) for k, x in enumerate(catalog.LINES)]
    line_id = {x.code: k + 1 for k, x in enumerate(catalog.LINES)}
    products, prices = [], []
    first_moment = datetime.combine(first, time_of_day(9), tzinfo=UTC)
    for k, p in enumerate(catalog.PRODUCTS):
        products.append((k + 1, p.sku, p.name, p.unit, p.vat_category, True, line_id[p.line], first_moment))
        for year in range(first.year, last.year + 1):
            price = catalog.list_price(p, year, first.year)
            prices.append(
                (len(prices) + 1, "RUB", date(year, 1, 1), price, catalog.unit_cost(p, price), k + 1)
            )
    days = catalog.business_days(first - timedelta(days=30), last)
    walks = catalog.rate_walk(seed, days)
    rates = [
        (n * len(days) + d + 1, currency, day, walks[currency][d], "bench")
        for n, currency in enumerate(sorted(walks))
        for d, day in enumerate(days)
    ]
    return {
        "revenue_productline": lines,
        "revenue_product": products,
        "revenue_productprice": prices,
        "revenue_currencyrate": rates,
    }


COLUMNS = {
    "revenue_productline": "id, code, name_ru, name_en",
    "revenue_product": "id, sku, name, unit, vat_category, is_active, product_line_id, created_at",
    "revenue_productprice": "id, currency, valid_from, price, cost, product_id",
    "revenue_currencyrate": "id, currency, day, rate, source",
}


def staging_sql(seed: int, as_of: date, invoices: int) -> list[tuple[str, str]]:
    """(label, SQL) steps building the staging tables bench_acct and bench_inv (unlogged, dropped after)."""
    first = date(as_of.year - 3, as_of.month, 1)
    season = ", ".join(f"({m}, {w})" for m, w in catalog.SEASON.items())
    s = seed * 100
    BUCKETS = 200_000
    return [
        (
            "calendar with seasonal weights",
            f"""
            CREATE UNLOGGED TABLE bench_day AS
            SELECT d::date AS day, (d::date - DATE '{first}') AS n,
                   CASE WHEN extract(isodow FROM d) < 6
                         AND NOT (extract(month FROM d) = 1 AND extract(day FROM d) <= 8)
                        THEN w.weight::float8 * (1 + 0.15 * (d::date - DATE '{first}') / 365.0::float8) ELSE 0::float8 END AS weight
              FROM generate_series(DATE '{first}', DATE '{as_of}' - 1, interval '1 day') d
              JOIN (VALUES {season}) w(month, weight) ON w.month = extract(month FROM d);
            ALTER TABLE bench_day ADD COLUMN c_lo float8, ADD COLUMN c_hi float8;
            UPDATE bench_day d SET c_lo = x.c - d.weight, c_hi = x.c
              FROM (SELECT n, sum(weight) OVER (ORDER BY n) AS c FROM bench_day) x WHERE x.n = d.n;
            ALTER TABLE bench_day ADD PRIMARY KEY (n);
            CREATE INDEX ON bench_day (c_hi, n);
            -- {BUCKETS} equal slices of the cumulative weight, each mapped to its day: an equi-join per
            -- invoice instead of a search.
            CREATE UNLOGGED TABLE bench_bucket AS
            SELECT b, (SELECT d.n FROM bench_day d WHERE d.c_hi > (b + 0.5) * t.w / {BUCKETS}
                        ORDER BY d.c_hi, d.n LIMIT 1) AS n
              FROM generate_series(0, {BUCKETS} - 1) b, (SELECT max(c_hi) AS w FROM bench_day) t;
            ALTER TABLE bench_bucket ADD PRIMARY KEY (b);
            CREATE UNLOGGED TABLE bench_rate AS
            SELECT c.currency, d.day, (SELECT r.rate FROM revenue_currencyrate r WHERE r.currency = c.currency
                                          AND r.day <= d.day ORDER BY r.day DESC LIMIT 1) AS rate
              FROM (VALUES ('USD'), ('EUR'), ('CNY')) c(currency),
                   generate_series(DATE '{first}', DATE '{as_of}' + 400, interval '1 day') d(day);
            ALTER TABLE bench_rate ADD PRIMARY KEY (currency, day);
            CREATE UNLOGGED TABLE bench_price AS
            SELECT p.id AS product_id, p.id - 1 AS idx, p.product_line_id, p.vat_category,
                   extract(year FROM pp.valid_from)::int AS year, pp.price, pp.cost,
                   (ARRAY[{", ".join(str(x.usual_quantity) for x in catalog.PRODUCTS)}])[p.id] AS usual
              FROM revenue_product p JOIN revenue_productprice pp ON pp.product_id = p.id AND pp.currency = 'RUB'""",
        ),
        (
            "accounts: Pareto size, buying window, payer profile",
            f"""
            CREATE UNLOGGED TABLE bench_acct AS
            WITH a AS (
              SELECT id, status, tier, {u("id", s + 1)} AS u1, {u("id", s + 2)} AS u2, {u("id", s + 3)} AS u3,
                     {u("id", s + 4)} AS u4, {u("id", s + 5)} AS u5, {u("id", s + 6)} AS u6,
                     greatest(DATE '{first}', (created_at AT TIME ZONE 'Europe/Moscow')::date) AS since
                FROM accounts_account WHERE status <> 'prospect'),
            b AS (
              SELECT a.*, least({PARETO_CAP}::float8, power(1 - u1, -1 / {PARETO_ALPHA}::float8)) AS size,
                     CASE status
                       WHEN 'churned' THEN DATE '{as_of}' - (380 + (u3 * 380)::int)
                       WHEN 'dormant' THEN DATE '{as_of}' - (125 + (u3 * 210)::int)
                       ELSE DATE '{as_of}' - 1 END AS until
                FROM a)
            SELECT id AS account_id, status, tier, since, until, size, u2, u5, u6,
                   CASE WHEN status = 'reactivated' THEN DATE '{as_of}' - (250 + (u3 * 120)::int) END AS gap_from,
                   CASE WHEN status = 'reactivated' THEN 120 + (u6 * 120)::int ELSE 0 END AS gap_days,
                   CASE WHEN u4 < 0.70 THEN 'prompt' WHEN u4 < 0.88 THEN 'late'
                        WHEN u4 < 0.96 THEN 'very_late' ELSE 'parts' END AS payer,
                   CASE WHEN u5 < 0.005 THEN 'USD' WHEN u5 < 0.010 THEN 'EUR' WHEN u5 < 0.015 THEN 'CNY'
                        ELSE 'RUB' END AS currency,
                   CASE WHEN tier IN ('key', 'A') AND u6 < 0.5 THEN 5 + 5 * (u6 < 0.2)::int ELSE 0 END
                     AS discount,
                   (ARRAY[14, 30, 30, 45, 60])[1 + (u2 * 5)::int % 5] AS terms,
                   CASE WHEN u3 < 0.14 THEN 0.45::float8 ELSE 1::float8 END AS lean
              FROM b WHERE until > since;
            ALTER TABLE bench_acct ADD COLUMN c0 float8, ADD COLUMN c1 float8;
            UPDATE bench_acct a SET c0 = d0.c_lo, c1 = d1.c_lo
              FROM bench_day d0, bench_day d1
             WHERE d0.n = least(a.since - DATE '{first}', (SELECT max(n) FROM bench_day))
               AND d1.n = least(a.until - a.gap_days - DATE '{first}', (SELECT max(n) FROM bench_day));
            CREATE UNLOGGED TABLE bench_scale AS
            SELECT {invoices}::float8 / sum(size) AS k FROM bench_acct;
            ALTER TABLE bench_acct ADD COLUMN n int;
            UPDATE bench_acct SET n = floor(size * (SELECT k FROM bench_scale) + u2)::int;
            ALTER TABLE bench_acct ADD PRIMARY KEY (account_id);""",
        ),
        (
            "invoices: days, terms, rate, manager on the day",
            f"""
            CREATE UNLOGGED TABLE bench_inv0 AS
            WITH i AS (
              SELECT a.account_id, k, a.payer, a.currency, a.discount, a.terms, a.gap_from, a.gap_days, a.size,
                     a.c0 + power({u("a.account_id * 4096 + k", s + 11)}, a.lean) * (a.c1 - a.c0) AS x,
                     {u("a.account_id * 4096 + k", s + 12)} AS v1,
                     {u("a.account_id * 4096 + k", s + 13)} AS v2,
                     {u("a.account_id * 4096 + k", s + 14)} AS v3
                FROM bench_acct a CROSS JOIN LATERAL generate_series(1, a.n) k WHERE a.c1 > a.c0)
            SELECT i.account_id, i.k, i.payer, i.currency, i.discount, i.terms, i.v1, i.v2, i.v3, i.size,
                   DATE '{first}' + b.n AS day0, i.gap_from, i.gap_days
              FROM i JOIN bench_bucket b
                ON b.b = least({BUCKETS} - 1, (i.x / (SELECT max(c_hi) FROM bench_day) * {BUCKETS})::int);
            CREATE UNLOGGED TABLE bench_inv AS
            WITH d AS (
              SELECT b.*, CASE WHEN b.gap_from IS NOT NULL AND b.day0 >= b.gap_from
                               THEN b.day0 + b.gap_days ELSE b.day0 END AS issued_on
                FROM bench_inv0 b),
            m AS (
              SELECT d.*, p.manager_id
                FROM d LEFT JOIN accounts_ownershipperiod p ON p.account_id = d.account_id
                 AND p.started_at < (d.issued_on + 1)::timestamp AT TIME ZONE 'Europe/Moscow'
                 AND (p.ended_at IS NULL OR p.ended_at >= (d.issued_on + 1)::timestamp AT TIME ZONE 'Europe/Moscow'))
            SELECT row_number() OVER (ORDER BY m.issued_on, m.account_id, m.k) AS id, m.account_id,
                   m.issued_on, m.issued_on + m.terms AS due_on, m.currency,
                   CASE WHEN m.currency = 'RUB' THEN 1::numeric ELSE r.rate END AS rate,
                   m.discount, m.payer, m.manager_id, m.v1, m.v2, m.v3, m.size,
                   1 + (m.v1 * 9)::int % 9 AS n_lines
              FROM m LEFT JOIN bench_rate r ON r.currency = m.currency AND r.day = m.issued_on
             WHERE m.issued_on < DATE '{as_of}';
            ALTER TABLE bench_inv ADD PRIMARY KEY (id);""",
        ),
        (
            "credit notes and payment plans",
            """
            CREATE UNLOGGED TABLE bench_plan AS
            SELECT i.id, i.account_id, i.currency, i.payer, i.v2, i.v3, i.issued_on, i.due_on,
                   (i.v3 < 0.006) AS credited,
                   i.due_on + CASE i.payer
                     WHEN 'prompt' THEN -12 + (i.v2 * 22)::int
                     WHEN 'late' THEN 30 + (i.v2 * 60)::int
                     WHEN 'very_late' THEN 60 + (i.v2 * 140)::int
                     ELSE -5 + (i.v2 * 20)::int END AS paid_on,
                   CASE WHEN i.payer = 'parts' OR i.v2 > 0.97 THEN 40 + (i.v3 * 1000)::int % 60 END AS second_after,
                   (i.v2 * 1000)::int % 200 = 7 AS overpaid
              FROM bench_inv i;
            UPDATE bench_plan SET paid_on = greatest(paid_on, issued_on);""",
        ),
    ]


# The line arithmetic of orbit.revenue.invoicing (every step to the kopeck, half up; round() on numeric
# rounds half away from zero, as ROUND_HALF_UP does): net = round(q × price × (1 − d/100)), vat = round(net ×
# vat% / 100), total = net + vat, cost = round(q × unit cost), base = round(amount × rate).
LINES_SQL = """
INSERT INTO revenue_invoiceline (id, issued_on, description, quantity, unit_price, discount_percent,
    price_source, net_amount, vat_category, vat_percent, vat_amount, total_amount, unit_cost, cost_amount,
    net_amount_base, cost_amount_base, account_id, invoice_id, product_id, product_line_id)
WITH l AS (
  SELECT i.id AS invoice_id, i.account_id, i.issued_on, i.rate, i.discount, k,
         p.product_id, p.product_line_id, p.vat_category,
         greatest(1, round(p.usual * (0.5 + 1.5 * {uq}) * (1 + ln(i.size) / 2)))::numeric AS quantity,
         CASE WHEN i.currency = 'RUB' THEN p.price ELSE round(p.price / i.rate, 2) END AS unit_price,
         CASE WHEN i.currency = 'RUB' THEN p.cost ELSE round(p.cost / i.rate, 2) END AS unit_cost,
         CASE WHEN p.vat_category = 'exempt' THEN NULL
              WHEN i.issued_on >= DATE '2026-01-01' THEN 22::numeric ELSE 20::numeric END AS vat_percent
    FROM bench_inv i CROSS JOIN LATERAL generate_series(1, i.n_lines) k
    JOIN bench_price p ON p.idx = ({up} * {nprod})::int % {nprod} AND p.year = extract(year FROM i.issued_on)
   WHERE i.id % {jobs} = {part}),
n AS (SELECT l.*, round(quantity * unit_price * (1 - discount / 100.0), 2) AS net,
             round(quantity * unit_cost, 2) AS cost FROM l)
SELECT invoice_id * 10 + k, issued_on, '', quantity, unit_price, discount,
       CASE WHEN discount > 0 THEN 'agreement' ELSE 'list' END, net, vat_category, vat_percent,
       coalesce(round(net * vat_percent / 100, 2), 0), net + coalesce(round(net * vat_percent / 100, 2), 0),
       unit_cost, cost, round(net * rate, 2), round(cost * rate, 2), account_id, invoice_id, product_id,
       product_line_id
  FROM n"""

# A credit note per credited invoice: part of its first line back (negative quantity), at that line's price,
# discount and VAT percent, a few days later; its id is above every invoice's.
CREDIT_LINES_SQL = """
INSERT INTO revenue_invoiceline (id, issued_on, description, quantity, unit_price, discount_percent,
    price_source, net_amount, vat_category, vat_percent, vat_amount, total_amount, unit_cost, cost_amount,
    net_amount_base, cost_amount_base, account_id, invoice_id, product_id, product_line_id)
WITH c AS (
  SELECT p.id + (SELECT max(id) FROM bench_inv) AS note_id, p.issued_on + 3 + (p.v2 * 20)::int AS issued_on,
         l.quantity, l.unit_price, l.discount_percent, l.price_source, l.vat_category, l.vat_percent,
         l.unit_cost, l.account_id, l.product_id, l.product_line_id, i.rate,
         -greatest(1, floor(l.quantity / 2)) AS q
    FROM bench_plan p JOIN bench_inv i ON i.id = p.id JOIN revenue_invoiceline l ON l.id = p.id * 10 + 1
   WHERE p.credited AND p.issued_on + 3 + (p.v2 * 20)::int < DATE '{as_of}'),
n AS (SELECT c.*, round(q * unit_price * (1 - discount_percent / 100.0), 2) AS net,
             round(q * unit_cost, 2) AS cost FROM c)
SELECT note_id * 10 + 1, issued_on, 'Возврат части поставки', q, unit_price, discount_percent, price_source,
       net, vat_category, vat_percent, coalesce(round(net * vat_percent / 100, 2), 0),
       net + coalesce(round(net * vat_percent / 100, 2), 0), unit_cost, cost, round(net * rate, 2),
       round(cost * rate, 2), account_id, note_id, product_id, product_line_id
  FROM n"""

TOTALS_SQL = """
CREATE UNLOGGED TABLE bench_tot AS
SELECT invoice_id AS id, sum(net_amount) AS net, sum(vat_amount) AS vat, sum(total_amount) AS total,
       sum(net_amount_base) AS net_base, sum(cost_amount_base) AS cost_base, min(issued_on) AS issued_on
  FROM revenue_invoiceline GROUP BY invoice_id;
ALTER TABLE bench_tot ADD PRIMARY KEY (id)"""

# Settlement per invoice: what is owed after its credit note, the first payment (everything, or half for a
# payer in parts), the second (the rest, 40-100 days later); only what is received before as_of exists.
SETTLE_SQL = """
CREATE UNLOGGED TABLE bench_settle AS
WITH s AS (
  SELECT p.id, p.account_id, p.currency, i.rate, i.manager_id, t.total,
         coalesce(-cn.total, 0) AS credited, p.paid_on, p.second_after, p.overpaid,
         (SELECT max(id) FROM bench_inv) AS max_id
    FROM bench_plan p JOIN bench_inv i ON i.id = p.id JOIN bench_tot t ON t.id = p.id
    LEFT JOIN bench_tot cn ON cn.id = p.id + (SELECT max(id) FROM bench_inv)),
a AS (
  SELECT s.*, s.total - s.credited AS owed,
         CASE WHEN s.second_after IS NULL THEN s.total - s.credited ELSE round((s.total - s.credited) / 2, 2) END
           AS first_amount
    FROM s)
SELECT a.*, a.owed - a.first_amount AS second_amount, a.paid_on + coalesce(a.second_after, 0) AS second_on,
       (a.paid_on < DATE '{as_of}' AND a.first_amount > 0) AS first_in,
       (a.second_after IS NOT NULL AND a.paid_on + a.second_after < DATE '{as_of}'
        AND a.owed - a.first_amount > 0) AS second_in
  FROM a"""

INVOICES_SQL = """
INSERT INTO revenue_invoice (id, kind, number, issued_on, due_on, currency, rate, net_total, vat_total, total,
    net_total_base, cost_total_base, total_base, credited_total, paid_total, open_amount, external_id,
    fingerprint, note, created_at, account_id, contract_id, corrects_id, created_by_id, manager_id, order_id)
SELECT i.id, 'invoice', 'Б-' || i.id, i.issued_on, i.due_on, i.currency, i.rate, t.net, t.vat, t.total,
       t.net_base, t.cost_base, round(t.total * i.rate, 2), s.credited,
       (CASE WHEN s.first_in THEN s.first_amount ELSE 0 END) + (CASE WHEN s.second_in THEN s.second_amount ELSE 0 END),
       s.owed - (CASE WHEN s.first_in THEN s.first_amount ELSE 0 END)
              - (CASE WHEN s.second_in THEN s.second_amount ELSE 0 END),
       '', '', '', (i.issued_on + time '10:00') AT TIME ZONE 'Europe/Moscow', i.account_id, NULL, NULL, NULL,
       i.manager_id, NULL
  FROM bench_inv i JOIN bench_tot t ON t.id = i.id JOIN bench_settle s ON s.id = i.id
 WHERE i.id % {jobs} = {part}"""

NOTES_SQL = """
INSERT INTO revenue_invoice (id, kind, number, issued_on, due_on, currency, rate, net_total, vat_total, total,
    net_total_base, cost_total_base, total_base, credited_total, paid_total, open_amount, external_id,
    fingerprint, note, created_at, account_id, contract_id, corrects_id, created_by_id, manager_id, order_id)
SELECT t.id, 'credit_note', 'КН-' || i.id, t.issued_on, t.issued_on, i.currency, i.rate, t.net, t.vat, t.total,
       t.net_base, t.cost_base, round(t.total * i.rate, 2), 0, 0, 0, '', '', '',
       (t.issued_on + time '11:00') AT TIME ZONE 'Europe/Moscow', i.account_id, NULL, i.id, NULL, p.manager_id, NULL
  FROM bench_tot t JOIN bench_inv i ON i.id = t.id - (SELECT max(id) FROM bench_inv)
  LEFT JOIN accounts_ownershipperiod p ON p.account_id = i.account_id
   AND p.started_at < (t.issued_on + 1)::timestamp AT TIME ZONE 'Europe/Moscow'
   AND (p.ended_at IS NULL OR p.ended_at >= (t.issued_on + 1)::timestamp AT TIME ZONE 'Europe/Moscow')
 WHERE t.id > (SELECT max(id) FROM bench_inv)"""

# Payment ids: 2 × invoice id (first part) and 2 × invoice id + 1 (second part); one allocation each, with the
# payment's id. An overpaid payment is 1-5 % more than it settles: the rest is the client's credit.
PAYMENTS_SQL = """
INSERT INTO revenue_payment (id, received_on, amount, currency, rate, amount_base, allocated_amount, reference,
    external_id, fingerprint, note, created_at, account_id, created_by_id, manager_id)
WITH p AS (
  SELECT s.id * 2 AS id, s.account_id, s.currency, s.paid_on AS received_on, s.first_amount AS settles,
         s.overpaid AND s.second_after IS NULL AS over
    FROM bench_settle s WHERE s.first_in AND s.id % {jobs} = {part}
  UNION ALL
  SELECT s.id * 2 + 1, s.account_id, s.currency, s.second_on, s.second_amount, false
    FROM bench_settle s WHERE s.second_in AND s.id % {jobs} = {part}),
r AS (
  SELECT p.*, CASE WHEN p.over THEN round(p.settles * (1.01 + (p.id % 5) / 100.0), 2) ELSE p.settles END AS amount,
         CASE WHEN p.currency = 'RUB' THEN 1::numeric ELSE x.rate END AS rate
    FROM p LEFT JOIN bench_rate x ON x.currency = p.currency AND x.day = p.received_on)
SELECT r.id, r.received_on, r.amount, r.currency, r.rate, round(r.amount * r.rate, 2), r.settles,
       'п/п ' || r.id, '', '', '', (r.received_on + time '15:00') AT TIME ZONE 'Europe/Moscow', r.account_id, NULL,
       o.manager_id
  FROM r LEFT JOIN accounts_ownershipperiod o ON o.account_id = r.account_id
   AND o.started_at < (r.received_on + 1)::timestamp AT TIME ZONE 'Europe/Moscow'
   AND (o.ended_at IS NULL OR o.ended_at >= (r.received_on + 1)::timestamp AT TIME ZONE 'Europe/Moscow')"""

ALLOCATIONS_SQL = """
INSERT INTO revenue_paymentallocation (id, amount, created_at, created_by_id, invoice_id, payment_id)
SELECT p.id, p.allocated_amount, p.created_at, NULL, p.id / 2, p.id
  FROM revenue_payment p WHERE p.id % {jobs} = {part}"""

MONTHS_SQL = """
INSERT INTO revenue_accountrevenuemonth (account_id, month, product_line_id, net_base, cost_base, lines)
SELECT account_id, date_trunc('month', issued_on)::date, product_line_id, sum(net_amount_base),
       sum(cost_amount_base), count(*)
  FROM revenue_invoiceline WHERE account_id % {jobs} = {part}
 GROUP BY account_id, date_trunc('month', issued_on), product_line_id"""

CHECKS = [
    (
        "invoices whose totals differ from the sums of their lines",
        """SELECT count(*) FROM revenue_invoice i JOIN (
             SELECT invoice_id, sum(net_amount) n, sum(vat_amount) v, sum(total_amount) t,
                    sum(net_amount_base) nb, sum(cost_amount_base) cb
               FROM revenue_invoiceline GROUP BY invoice_id) l ON l.invoice_id = i.id
            WHERE (i.net_total, i.vat_total, i.total, i.net_total_base, i.cost_total_base)
                  <> (l.n, l.v, l.t, l.nb, l.cb) OR i.total_base <> round(i.total * i.rate, 2)""",
    ),
    (
        "lines whose arithmetic differs from the ledger's rules",
        """SELECT count(*) FROM revenue_invoiceline l JOIN revenue_invoice i ON i.id = l.invoice_id
            WHERE l.net_amount <> round(l.quantity * l.unit_price * (1 - l.discount_percent / 100), 2)
               OR l.vat_amount <> coalesce(round(l.net_amount * l.vat_percent / 100, 2), 0)
               OR l.total_amount <> l.net_amount + l.vat_amount
               OR l.cost_amount <> round(l.quantity * l.unit_cost, 2)
               OR l.net_amount_base <> round(l.net_amount * i.rate, 2)
               OR l.cost_amount_base <> round(l.cost_amount * i.rate, 2)
               OR l.account_id <> i.account_id OR l.issued_on <> i.issued_on""",
    ),
    (
        "invoices whose paid, credited or open amount differs from allocations and credit notes",
        """SELECT count(*) FROM revenue_invoice i
             LEFT JOIN (SELECT invoice_id, sum(amount) s FROM revenue_paymentallocation GROUP BY invoice_id) a
                    ON a.invoice_id = i.id
             LEFT JOIN (SELECT corrects_id, -sum(total) s FROM revenue_invoice WHERE kind = 'credit_note'
                         GROUP BY corrects_id) c ON c.corrects_id = i.id
            WHERE i.paid_total <> coalesce(a.s, 0) OR i.credited_total <> coalesce(c.s, 0)
               OR i.open_amount <> CASE WHEN i.kind = 'invoice'
                                        THEN i.total - coalesce(c.s, 0) - coalesce(a.s, 0) ELSE 0 END""",
    ),
    (
        "payments whose allocated amount or base amount differs",
        """SELECT count(*) FROM revenue_payment p
             LEFT JOIN (SELECT payment_id, sum(amount) s FROM revenue_paymentallocation GROUP BY payment_id) a
                    ON a.payment_id = p.id
            WHERE p.allocated_amount <> coalesce(a.s, 0) OR p.amount_base <> round(p.amount * p.rate, 2)""",
    ),
    (
        "invoices or payments whose manager is not the one responsible on their day",
        """SELECT count(*) FROM (
             SELECT account_id, issued_on AS day, manager_id FROM revenue_invoice
             UNION ALL SELECT account_id, received_on, manager_id FROM revenue_payment) d
            WHERE d.manager_id IS DISTINCT FROM (
              SELECT p.manager_id FROM accounts_ownershipperiod p WHERE p.account_id = d.account_id
                 AND p.started_at < (d.day + 1)::timestamp AT TIME ZONE 'Europe/Moscow'
                 AND (p.ended_at IS NULL OR p.ended_at >= (d.day + 1)::timestamp AT TIME ZONE 'Europe/Moscow'))""",
    ),
    (
        "monthly revenue rows that differ from the lines",
        """SELECT count(*) FROM revenue_accountrevenuemonth m FULL JOIN (
             SELECT account_id, date_trunc('month', issued_on)::date AS month, product_line_id,
                    sum(net_amount_base) n, sum(cost_amount_base) c, count(*) k
               FROM revenue_invoiceline GROUP BY 1, 2, 3) l
               ON (l.account_id, l.month, l.product_line_id) = (m.account_id, m.month, m.product_line_id)
            WHERE m.id IS NULL OR l.account_id IS NULL OR (m.net_base, m.cost_base, m.lines) <> (l.n, l.c, l.k)""",
    ),
]

SHAPE_SQL = """
WITH r AS (SELECT account_id, sum(net_total_base) AS rev FROM revenue_invoice GROUP BY account_id),
o AS (SELECT rev, row_number() OVER (ORDER BY rev DESC) AS k, count(*) OVER () AS n, sum(rev) OVER () AS t FROM r)
SELECT n, round(100 * sum(rev) FILTER (WHERE k <= n / 5) / max(t), 1) FROM o GROUP BY n"""


def capture(conn) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """The secondary indexes and the foreign keys of the ledger tables (and those pointing at them)."""
    indexes = conn.execute(
        """SELECT ic.relname, pg_get_indexdef(i.indexrelid), t.relname
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
        [list(LEDGER)],
    ).fetchall()
    fks = conn.execute(
        """SELECT k.conname, t.relname, pg_get_constraintdef(k.oid)
             FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid LEFT JOIN pg_class f ON f.oid = k.confrelid
            WHERE k.contype = 'f' AND (t.relname = ANY(%s) OR f.relname = ANY(%s))""",
        [list(LEDGER), list(LEDGER)],
    ).fetchall()
    return indexes, fks


def inventory(conn) -> set[str]:
    rows = conn.execute(
        """SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%(t)s)
           UNION ALL
           SELECT 'constraint ' || t.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
                  || CASE WHEN k.convalidated THEN '' ELSE ' NOT VALIDATED' END
             FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid WHERE t.relname = ANY(%(t)s)""",
        {"t": list(LEDGER) + list(REFERENCE)},
    ).fetchall()
    return {r[0] for r in rows}


def restore_interrupted(conn) -> None:
    """Put back the indexes and foreign keys an interrupted run dropped (saved in bench_revenue_schema)."""
    if not conn.execute("SELECT to_regclass('bench_revenue_schema')").fetchone()[0]:
        return
    for kind, name, table, definition in conn.execute("SELECT * FROM bench_revenue_schema").fetchall():
        if kind == "index" and not conn.execute("SELECT to_regclass(%s)", [name]).fetchone()[0]:
            conn.execute(definition)
        elif (
            kind == "fk"
            and not conn.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name]).fetchone()
        ):
            conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    conn.execute("DROP TABLE bench_revenue_schema")


def run_parts(dsn: str, sql: str, jobs: int, settings: list[str]) -> None:
    """One statement split by `id % jobs` over `jobs` connections at once."""

    def one(part: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for statement in settings:
                conn.execute(statement)
            conn.execute(sql.format(jobs=jobs, part=part))

    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, range(jobs)))


def run_many(dsn: str, statements: list[str], jobs: int, settings: list[str]) -> None:
    def one(statement: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for s in settings:
                conn.execute(s)
            conn.execute(statement)

    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, statements))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="orbit_bench")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
        help="server URL without the database name",
    )
    parser.add_argument("--invoices", type=int, default=4_000_000, help="about this many invoices")
    parser.add_argument("--as-of", default="", help="the ledger's today (default: today in Moscow)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--jobs", type=int, default=2, help="parallel connections for the big statements")
    parser.add_argument("--work-mem", default="512MB")
    parser.add_argument("--maintenance-work-mem", default="1GB")
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)

    as_of = date.fromisoformat(args.as_of) if args.as_of else _moscow_today()
    dsn = f"{args.server.rstrip('/')}/{args.database}"
    settings = [
        f"SET work_mem = '{args.work_mem}'",
        f"SET maintenance_work_mem = '{args.maintenance_work_mem}'",
        "SET max_parallel_workers_per_gather = 0",
        "SET max_parallel_maintenance_workers = 0",
        "SET synchronous_commit = off",
    ]
    steps: list[tuple[str, float]] = []
    t_all = time.perf_counter()

    def step(label: str, started: float) -> None:
        steps.append((label, time.perf_counter() - started))
        print(f"  {time.perf_counter() - t_all:7.1f}s  {steps[-1][1]:6.1f}s  {label}", flush=True)

    if not args.no_migrate:
        t = time.perf_counter()
        env = {**os.environ, "DATABASE_URL": dsn, "DEBUG": "false"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        step("django migrate", t)

    t_load = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for s in settings:
            conn.execute(s)
        # The receivables summary is derived from the ledger: emptied with it, filled after the load.
        conn.execute(
            f"TRUNCATE {', '.join(LEDGER + REFERENCE)}, revenue_accountreceivable RESTART IDENTITY CASCADE"
        )
        for name in (
            "bench_day",
            "bench_bucket",
            "bench_rate",
            "bench_price",
            "bench_acct",
            "bench_scale",
            "bench_inv0",
            "bench_inv",
            "bench_plan",
            "bench_tot",
            "bench_settle",
        ):
            conn.execute(f"DROP TABLE IF EXISTS {name}")
        restore_interrupted(conn)
        before = inventory(conn)
        indexes, fks = capture(conn)
        # Kept in the database until the load ends: a run that fails midway is repaired by the next one.
        conn.execute("CREATE TABLE bench_revenue_schema (kind text, name text, tbl text, definition text)")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO bench_revenue_schema VALUES (%s, %s, %s, %s)",
                [("index", n, t, d) for n, d, t in indexes] + [("fk", n, t, d) for n, t, d in fks],
            )
        for name, table, _definition in fks:
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _definition, _table in indexes:
            conn.execute(f"DROP INDEX {name}")
        first = date(as_of.year - 3, as_of.month, 1)
        rows = reference_rows(args.seed, first, as_of + timedelta(days=1))
        for table, data in rows.items():
            with conn.cursor() as cur, cur.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        step(f"truncate, drop {len(indexes)} indexes and {len(fks)} foreign keys, reference data", t_load)

        for label, sql in staging_sql(args.seed, as_of, args.invoices):
            t = time.perf_counter()
            conn.execute(sql)
            step(f"staging: {label}", t)
        n_inv = conn.execute("SELECT count(*) FROM bench_inv").fetchone()[0]

    nprod = len(catalog.PRODUCTS)
    s = args.seed * 100
    t = time.perf_counter()
    lines = LINES_SQL.replace("{uq}", u("i.id * 16 + k", s + 21)).replace("{up}", u("i.id * 16 + k", s + 22))
    lines = lines.replace("{nprod}", str(nprod))
    run_parts(dsn, lines, args.jobs, settings)
    step("invoice lines", t)

    with psycopg.connect(dsn, autocommit=True) as conn:
        for st in settings:
            conn.execute(st)
        t = time.perf_counter()
        conn.execute("CREATE INDEX bench_line_first ON revenue_invoiceline (id) WHERE id % 10 = 1")
        conn.execute(CREDIT_LINES_SQL.replace("{as_of}", str(as_of)))
        conn.execute("DROP INDEX bench_line_first")
        step("credit note lines", t)
        t = time.perf_counter()
        conn.execute(TOTALS_SQL)
        step("document totals (sums of the rounded lines)", t)
        t = time.perf_counter()
        conn.execute(SETTLE_SQL.replace("{as_of}", str(as_of)))
        step("settlement plan", t)

    t = time.perf_counter()
    run_parts(dsn, INVOICES_SQL, args.jobs, settings)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(NOTES_SQL)
    step("invoices and credit notes", t)
    t = time.perf_counter()
    run_parts(dsn, PAYMENTS_SQL, args.jobs, settings)
    step("payments", t)
    t = time.perf_counter()
    run_parts(dsn, ALLOCATIONS_SQL, args.jobs, settings)
    step("allocations", t)
    t = time.perf_counter()
    run_parts(dsn, MONTHS_SQL, args.jobs, settings)
    step("monthly revenue (rebuild_month_totals' GROUP BY)", t)

    t = time.perf_counter()
    run_many(dsn, [definition for _n, definition, _t in indexes], args.jobs, settings)
    step(f"rebuild {len(indexes)} indexes", t)
    t = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for st in settings:
            conn.execute(st)
        for name, table, definition in fks:
            conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID")
    run_many(
        dsn,
        [f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}" for name, table, _d in fks],
        args.jobs,
        settings,
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in LEDGER + REFERENCE:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))"
            )
        after = inventory(conn)
        conn.execute("DROP TABLE bench_revenue_schema")
        for name in (
            "bench_day",
            "bench_bucket",
            "bench_price",
            "bench_acct",
            "bench_scale",
            "bench_inv0",
            "bench_plan",
            "bench_tot",
            "bench_settle",
        ):
            conn.execute(f"DROP TABLE IF EXISTS {name}")
    step(f"foreign keys ({len(fks)}), validated", t)
    load = time.perf_counter() - t_load
    t = time.perf_counter()
    run_many(dsn, [f"VACUUM (ANALYZE) {table}" for table in LEDGER + REFERENCE], args.jobs, [])
    step("VACUUM ANALYZE (visibility map for index-only scans)", t)
    t = time.perf_counter()
    fill = [
        "-m",
        "bench.receivables",
        "--server",
        args.server,
        "--database",
        args.database,
        "--as-of",
        str(as_of),
    ]
    subprocess.run([sys.executable, *fill], cwd=ROOT, check=True)
    step("receivables summary (balances.rebuild_receivables, as the morning run)", t)

    t = time.perf_counter()
    results = []
    with psycopg.connect(dsn) as conn:
        conn.execute(f"SET work_mem = '{args.work_mem}'")
        for label, sql in CHECKS:
            results.append((label, conn.execute(sql).fetchone()[0]))
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in LEDGER}
        kinds = dict(conn.execute("SELECT kind, count(*) FROM revenue_invoice GROUP BY kind").fetchall())
        accounts, top20 = conn.execute(SHAPE_SQL).fetchone()
        overdue = conn.execute(
            "SELECT count(DISTINCT account_id) FROM revenue_invoice WHERE open_amount > 0 AND due_on < %s - 90",
            [as_of],
        ).fetchone()[0]
        credit = conn.execute(
            "SELECT count(*), sum(amount - allocated_amount) FROM revenue_payment WHERE allocated_amount < amount"
        ).fetchone()
        size = conn.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c WHERE relname = ANY(%s)",
            [list(LEDGER)],
        ).fetchone()[0]
        conn.execute("DROP TABLE IF EXISTS bench_inv, bench_rate")
        conn.commit()
    step("checks (not part of the load)", t)

    print(f"\nas of {as_of}: {n_inv:,} invoices planned")
    for table, n in counts.items():
        print(f"  {table:32s} {n:>12,}")
    print(f"  invoices {kinds.get('invoice', 0):,}, credit notes {kinds.get('credit_note', 0):,}")
    print(f"  accounts with revenue {accounts:,}; the top 20 % of them bring {top20} % of it")
    print(f"  accounts with something 90+ days overdue: {overdue:,}")
    print(
        f"  payments with unallocated credit: {credit[0]:,} ({credit[1] or Decimal(0):,} in their currencies)"
    )
    print(f"  ledger tables with indexes: {size}")
    print(
        f"\nLOAD (data, indexes, foreign keys): {load:.1f}s; everything: {time.perf_counter() - t_all:.1f}s"
    )
    print("\nchecks (expected 0):")
    failed = False
    for label, value in results:
        failed |= value != 0
        print(f"  {value:>8}  {label}")
    same = before == after
    failed |= not same
    print(
        f"  {'ok' if same else 'DIFF':>8}  indexes and constraints identical to the migrated schema ({len(after)})"
    )
    if not same:
        for item in sorted(before ^ after):
            print(f"           {'before' if item in before else 'after'}: {item}")
    if failed:
        sys.exit("verification failed")


def _moscow_today() -> date:
    return (datetime.now(UTC) + timedelta(hours=3)).date()


if __name__ == "__main__":
    main()
