"""`orbit ltv fit`: fit BG/NBD and Gamma-Gamma on anyone's transactions and print the parameters as JSON, so the
model Orbit uses for predicted LTV can be checked against published values or another tool."""

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from orbit.analytics import ltv


def _read(path: Path, customer: str, date: str, amount: str):
    ids: dict[str, int] = {}
    customers, days, amounts = [], [], []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (customer, date, amount) if c not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"{path} has no column {', '.join(missing)} (columns: {reader.fieldnames})")
        for number, row in enumerate(reader, start=2):  # line 1 is the header
            try:
                day = dt.date.fromisoformat(row[date].strip())
                value = float(row[amount].replace(",", ".").replace(" ", ""))
            except ValueError as exc:
                raise CommandError(f"line {number}: {exc}") from exc
            customers.append(ids.setdefault(row[customer].strip(), len(ids)))
            days.append(day)
            amounts.append(value)
    if not customers:
        raise CommandError(f"{path} has no transactions")
    return np.array(customers), np.array(days, dtype="datetime64[D]"), np.array(amounts)


class Command(BaseCommand):
    help = "Predicted lifetime value: `fit` BG/NBD + Gamma-Gamma on a CSV of transactions."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        fit = commands.add_parser("fit", help="Fit both models and print their parameters as JSON.")
        fit.add_argument("--transactions", required=True, type=Path, help="CSV file with a header row")
        fit.add_argument("--customer", required=True, help="column with the customer id")
        fit.add_argument("--date", required=True, help="column with the date (ISO: 1997-01-31 or 19970131)")
        fit.add_argument("--amount", required=True, help="column with the amount")
        fit.add_argument(
            "--calibration-end", required=True, type=dt.date.fromisoformat, help="last day used (inclusive)"
        )
        fit.add_argument("--period", choices=sorted(ltv.PERIOD_DAYS), default="week")

    def handle(self, *args, **options):
        customers, days, amounts = _read(
            options["transactions"], options["customer"], options["date"], options["amount"]
        )
        summary = ltv.summarise(
            customers, days, amounts, calibration_end=options["calibration_end"], period=options["period"]
        )
        if not len(summary.x):
            raise CommandError("No customer bought on or before the calibration end.")
        purchases = ltv.fit_bgnbd(summary.x, summary.t_x, summary.T)
        repeat = int(((summary.x > 0) & (summary.m > 0)).sum())
        if repeat < 2:
            raise CommandError("Gamma-Gamma needs customers with repeat purchases: fewer than two have any.")
        spend = ltv.fit_gamma_gamma(summary.x, summary.m)
        result = {
            "r": purchases.r,
            "alpha": purchases.alpha,
            "a": purchases.a,
            "b": purchases.b,
            "p": spend.p,
            "q": spend.q,
            "v": spend.v,
            "bgnbd_log_likelihood": purchases.log_likelihood,
            "gamma_gamma_log_likelihood": spend.log_likelihood,
            "customers": len(summary.x),
            "repeat_customers": repeat,
            "period": options["period"],
        }
        self.stdout.write(
            json.dumps({k: float(v) if isinstance(v, np.floating) else v for k, v in result.items()})
        )
