"""The base the money imports' sample files (tests/imports/files: invoices_1c.csv, payments.csv, ownership.xlsx)
are written for: the shop's catalog (router R-1 1000/600 RUB, cable C-1 10/4, VAT rates of Russia), and two
clients held since 2024 — Ромашка (7707083893) by am_a "Смирнова Ольга", Вектор (7736207543) by am_b "Петров
Иван"."""

import datetime as dt
import io
import pathlib
from types import SimpleNamespace

from django.utils import timezone, translation

from orbit.accounts.models import OwnershipPeriod
from orbit.imports.engine import import_file
from orbit.imports.kinds import KINDS
from orbit.imports.reading import open_table
from tests.factories import make_account
from tests.revenue.conftest import build_shop

FILES = pathlib.Path(__file__).parent / "files"


def held_since_2024(account) -> None:
    since = dt.datetime(2024, 1, 1, tzinfo=timezone.get_current_timezone())
    OwnershipPeriod.objects.filter(account=account).update(started_at=since)


def build(org) -> SimpleNamespace:
    for user, first, last, email in (
        (org.am_a, "Ольга", "Смирнова", "olga@example.com"),
        (org.am_b, "Иван", "Петров", ""),
    ):
        user.first_name, user.last_name, user.email, user.display_name = first, last, email, f"{last} {first}"
        user.save()
    shop = build_shop(org)
    romashka = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", inn="7707083893", kpp="770701001")
    vector = make_account(org.head, org.am_b, legal_name="АО «Вектор»", inn="7736207543", kpp="773601001")
    for account in (romashka, vector):
        held_since_2024(account)
    return SimpleNamespace(org=org, shop=shop, romashka=romashka, vector=vector)


def run(kind: str, by, *, file: str = "", text: str = "", **options):
    """Import a sample file, or `text` as a UTF-8 CSV, as `by`, messages in English."""
    data = (FILES / file).read_bytes() if file else text.encode("utf-8")
    name = file or f"{kind}.csv"
    with translation.override("en"):
        return import_file(
            KINDS[kind], by=by, table=open_table(io.BytesIO(data), name), file_name=name, **options
        )
