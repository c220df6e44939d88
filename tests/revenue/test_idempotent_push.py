"""A pushing system (1C, billing) retries with the same external id: the same content returns the first
document and writes nothing; other content is refused with code "conflict"; two pushes at the same moment
still make one document."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from orbit.revenue import invoicing, totals
from orbit.revenue.fingerprints import fingerprint
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import Invoice, Payment
from tests.factories import Org
from tests.revenue.conftest import build_shop
from tests.revenue.ledger import credit, issue, pay, routers, row_counts

D = Decimal
MARCH = dt.date(2026, 3, 2)


def test_a_replayed_invoice_returns_the_first_and_writes_nothing(shop):
    first = issue(shop, MARCH, routers(shop, 2), external_id="1C-0042")
    before = row_counts()
    # the same content typed differently: 2 and 2.000 are the same quantity
    again = issue(shop, MARCH, LineInput(product=shop.router, quantity=D("2.000")), external_id="1C-0042")
    assert again.pk == first.pk
    assert row_counts() == before


def test_an_invoice_pushed_again_with_other_content_is_a_conflict(shop):
    issue(shop, MARCH, routers(shop, 2), external_id="1C-0042")
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        issue(shop, MARCH, routers(shop, 3), external_id="1C-0042")
    assert error.value.code == "conflict"
    assert error.value.error_dict["external_id"][0].code == "conflict"
    assert "1C-0042" in error.value.message_dict["external_id"][0]
    assert row_counts() == before


def test_a_replay_is_answered_even_after_the_account_was_archived(shop):
    first = issue(shop, MARCH, routers(shop), external_id="1C-7")
    shop.account.archived_at = timezone.now()
    shop.account.save(update_fields=["archived_at"])
    assert issue(shop, MARCH, routers(shop), external_id="1C-7", by=shop.org.head).pk == first.pk


def test_invoices_and_credit_notes_have_separate_external_ids(shop):
    invoice = issue(shop, MARCH, routers(shop, 2), external_id="X-1")
    note = credit(shop, invoice, MARCH, routers(shop, "-1"), external_id="X-1")
    assert note.pk != invoice.pk
    assert credit(shop, invoice, MARCH, routers(shop, "-1"), external_id="X-1").pk == note.pk
    with pytest.raises(ValidationError) as error:
        credit(shop, invoice, MARCH, routers(shop, "-2"), external_id="X-1")
    assert error.value.code == "conflict"
    invoice.refresh_from_db()
    assert invoice.credited_total == D("1220.00")  # the replay did not credit twice


def test_a_replayed_payment_returns_the_first_and_allocates_once(shop):
    invoice = issue(shop, MARCH, routers(shop))
    first = pay(shop, MARCH, "500.00", external_id="BANK-1")
    again = pay(shop, MARCH, "500.0", external_id="BANK-1")
    assert again.pk == first.pk
    invoice.refresh_from_db()
    assert invoice.paid_total == D("500.00")


def test_a_payment_pushed_again_with_another_amount_is_a_conflict(shop):
    pay(shop, MARCH, "500.00", external_id="BANK-1")
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        pay(shop, MARCH, "600.00", external_id="BANK-1")
    assert error.value.code == "conflict"
    assert row_counts() == before


def test_the_fingerprint_ignores_how_an_amount_is_written_but_not_its_value():
    assert fingerprint({"a": D("10.50")}) == fingerprint({"a": D("10.5")})
    assert fingerprint({"a": D("100")}) == fingerprint({"a": D("1E+2")})
    assert fingerprint({"a": D("10.50")}) != fingerprint({"a": D("10.51")})
    assert fingerprint({"a": D("0.00")}) == fingerprint({"a": D(0)})


def _twice(push) -> tuple[list, list]:
    barrier = threading.Barrier(2)
    results: list = []
    errors: list = []

    def run():
        try:
            barrier.wait()
            results.append(push().pk)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_push_of_an_invoice_makes_one(postgres_only):
    shop = build_shop(Org())
    results, errors = _twice(lambda: issue(shop, MARCH, routers(shop, 2), external_id="1C-RACE"))
    assert not errors
    assert len(results) == 2 and results[0] == results[1]
    assert Invoice.objects.filter(external_id="1C-RACE").count() == 1
    assert Invoice.objects.get().lines.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_push_of_a_payment_makes_one(postgres_only):
    shop = build_shop(Org())
    invoice = issue(shop, MARCH, routers(shop))
    results, errors = _twice(lambda: pay(shop, MARCH, "1220.00", external_id="BANK-RACE"))
    assert not errors
    assert len(results) == 2 and results[0] == results[1]
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.paid_total == D("1220.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_consecutive_numbers(postgres_only):
    shop = build_shop(Org())
    _results, errors = _twice(lambda: issue(shop, MARCH, routers(shop)))
    assert not errors
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == ["СЧ-2026-000001", "СЧ-2026-000002"]


def test_an_insert_that_loses_the_race_answers_with_the_winner(shop):
    # What the second of two pushes meets when the first committed between its check and its insert: the
    # partial unique constraint fires inside a savepoint, and the winner is the answer (same content) or a
    # conflict (other content); the transaction stays usable either way.
    winner = issue(shop, MARCH, routers(shop), external_id="1C-LATE")
    loser = Invoice(
        account=shop.account,
        kind=winner.kind,
        number="СЧ-X-1",
        issued_on=MARCH,
        due_on=MARCH,
        rate=D(1),
        net_total=0,
        vat_total=0,
        total=0,
        net_total_base=0,
        cost_total_base=0,
        total_base=0,
        external_id="1C-LATE",
        fingerprint=winner.fingerprint,
    )
    before = row_counts()
    assert invoicing._insert(loser, [], "conflict").pk == winner.pk
    loser.pk, loser.fingerprint = None, "other"
    with pytest.raises(ValidationError) as error:
        invoicing._insert(loser, [], "conflict")
    assert error.value.code == "conflict"
    assert row_counts() == before
    assert Invoice.objects.count() == 1  # the connection still answers after the rolled-back savepoints


def test_a_conflict_is_explained_in_russian(shop):
    issue(shop, MARCH, routers(shop), external_id="1C-RU")
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        issue(shop, MARCH, routers(shop, 2), external_id="1C-RU")
    assert error.value.message_dict["external_id"] == [
        "Счёт с внешним идентификатором «1C-RU» уже получен, но с другим содержанием."
    ]


@pytest.mark.django_db(transaction=True)
def test_a_payment_and_a_credit_note_at_the_same_moment_keep_the_ledger(postgres_only):
    shop = build_shop(Org())
    invoice = issue(shop, MARCH, routers(shop, 2))  # 2440.00
    pay(shop, MARCH, "2000.00")  # 440.00 open
    barrier = threading.Barrier(2)
    errors: list = []

    def run(write):
        try:
            barrier.wait()
            write()
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lambda: credit(shop, invoice, MARCH, routers(shop, "-1")),)),
        threading.Thread(target=run, args=(lambda: pay(shop, MARCH, "300.00"),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    invoice.refresh_from_db()
    # either order ends the same: 2440 − 1220 credited = 1220 to pay, 2300 received → 0 open, 1080 credit
    assert (invoice.credited_total, invoice.paid_total, invoice.open_amount) == (
        D("1220.00"),
        D("1220.00"),
        D("0.00"),
    )
    assert totals.ledger_problems(shop.account) == []


def test_a_quantity_pushed_as_a_whole_number_replays_the_same_invoice(shop):
    first = issue(shop, MARCH, routers(shop, 2), external_id="1C-INT")
    again = issue(shop, MARCH, LineInput(product=shop.router, quantity=2), external_id="1C-INT")  # type: ignore[arg-type]
    assert again.pk == first.pk
