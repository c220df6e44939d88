"""Exports: the list as filtered, safe cells, CSV as Russian Excel opens it, XLSX, the audit record, and a round
trip (export, then import into an empty base) that gives the same accounts back."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from orbit.accounts import services
from orbit.accounts.models import Account, AccountStatus, OwnershipPeriod
from orbit.imports.accounts import import_accounts
from orbit.imports.exporting import safe
from orbit.imports.models import ExportLog
from orbit.imports.reading import open_table
from tests.factories import make_account


def test_cells_a_spreadsheet_would_run_are_neutralised():
    assert [safe(v) for v in ("=1+2", "+7 495", "-x", "@SUM(A1)", "\tx", "\rx", "ООО «Ромашка»")] == [
        "'=1+2",
        "'+7 495",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ООО «Ромашка»",
    ]
    assert safe(Decimal("-5.50")) == Decimal("-5.50") and safe(None) == "" and safe(-3) == -3  # numbers stay


@pytest.fixture
def base(org):
    holding = make_account(
        org.head, org.am_a, legal_name="АО «Холдинг»", inn="7728168971", kpp="772801001", tier="key"
    )
    make_account(
        org.head,
        org.am_a,
        legal_name='=HYPERLINK("http://evil.example")',
        inn="7702070139",
        kpp="770201001",
        parent=holding,
        agreed_budget=Decimal("1234567.89"),
    )
    dormant = make_account(
        org.head, org.am_a1, legal_name="ООО «Спящая»", inn="7707083893", kpp="770701001", tier="A"
    )
    services.account_set_status(by=org.head, account=dormant, status=AccountStatus.DORMANT)
    make_account(org.head, None, legal_name="ИП Соколов", inn="500100732259", status=AccountStatus.PROSPECT)
    make_account(org.head, org.am_b, legal_name="Чужой", inn="7736207543", kpp="773601001")
    return org


def _csv(client, **params) -> list[list[str]]:
    response = client.get(reverse("imports:accounts_export"), {"format": "csv", **params})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by its BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_holds_the_rows_he_sees_with_the_pages_filters(base, client):
    client.force_login(base.am_a)
    rows = _csv(client, sort="name")  # in his language, Russian
    assert rows[0][:4] == ["полное наименование", "краткое наименование", "ИНН", "КПП"]
    assert [r[2] for r in rows[1:]] == ["7702070139", "7728168971"]  # his two; sorted by name as the page
    formula = rows[1]
    assert formula[0] == '\'=HYPERLINK("http://evil.example")' and formula[8] == "1234567,89"
    assert [r[2] for r in _csv(client, q="Холдинг")[1:]] == ["7728168971"]  # the search of the page
    log = ExportLog.objects.order_by("at").last()
    assert (log.by, log.list_name, log.format, log.rows, log.query) == (
        base.am_a,
        "accounts",
        "csv",
        1,
        "q=%D0%A5%D0%BE%D0%BB%D0%B4%D0%B8%D0%BD%D0%B3",
    )


def test_a_wrong_format_is_a_400(base, client):
    client.force_login(base.head)
    assert client.get(reverse("imports:accounts_export"), {"format": "pdf"}).status_code == 400
    assert not ExportLog.objects.exists()


def test_round_trip_through_xlsx_gives_the_same_accounts(base, client):
    client.force_login(base.head)
    response = client.get(reverse("imports:accounts_export"), {"format": "xlsx"})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 6  # header + five accounts

    def snapshot():
        return {
            (
                a.legal_name,
                a.inn,
                a.kpp,
                a.status,
                a.tier,
                a.responsible_manager_id,
                a.parent.inn if a.parent else "",
                a.agreed_budget,
            )
            for a in Account.objects.select_related("parent")
        }

    before = snapshot()
    # An empty base: the accounts go (their ownership periods with them), the people stay.
    Account.objects.update(parent=None)
    OwnershipPeriod.objects.all().delete()
    Account.objects.all().delete()
    with translation.override("ru"):
        report = import_accounts(
            by=base.head, table=open_table(io.BytesIO(data), "accounts.xlsx"), file_name="accounts.xlsx"
        )
    assert report.errors == [] and report.new == 5
    # The formula's text comes back without the apostrophe the export put before it? No: the import refuses
    # formulas, and the export wrote it as text with a leading apostrophe, which is what comes back.
    after = snapshot()
    fixed = {r for r in before if not r[0].startswith("=")} | {
        ("'" + r[0], *r[1:]) for r in before if r[0].startswith("=")
    }
    assert after == fixed


def test_the_requests_list_exports_with_its_filters_in_local_time(org, client):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from orbit.requests.defaults import ensure_defaults
    from orbit.requests.models import Department, Request
    from orbit.requests.services import request_create

    ensure_defaults()
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", inn="7707083893", kpp="770701001")
    made = [
        request_create(
            by=org.am_a,
            account=account,
            request_type=kind,
            priority="normal",
            department=Department.objects.first(),
            subject=subject,
        )
        for kind, subject in (("complaint", "=Недовоз"), ("question", "Счёт"))
    ]
    # 23:30 on 31 December in Moscow is still 2026 there (20:30 UTC).
    Request.objects.filter(pk=made[0].pk).update(
        received_at=dt.datetime(2026, 12, 31, 20, 30, tzinfo=ZoneInfo("UTC"))
    )
    client.force_login(org.am_a)
    response = client.get(reverse("imports:requests_export"), {"format": "csv", "type": "complaint"})
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";")
    )
    assert len(rows) == 2  # the header and the one complaint
    number, received, name, inn, subject = rows[1][:5]
    assert (number, received, name, inn) == (
        str(made[0].pk),
        "31.12.2026 23:30",
        "ООО «Ромашка»",
        "7707083893",
    )
    assert subject == "'=Недовоз"  # neutralised
    assert ExportLog.objects.get().list_name == "requests"


def test_round_trip_of_accounts_and_their_contacts(base, client):
    """Accounts and their contacts taken out as XLSX, the base emptied, the two files imported back: the same
    contacts on the same accounts (the contacts file names its accounts by INN and KPP)."""
    from orbit.accounts.models import BuyingRole, Contact
    from orbit.imports.contacts import import_contacts

    holding = Account.objects.get(inn="7728168971")
    services.contact_create(
        by=base.head,
        account=holding,
        full_name="Кузнецова Анна Петровна",
        position="Финансовый директор",
        phone="+79161234567",
        email="a.kuznetsova@holding.ru",
        buying_role=BuyingRole.DECISION_MAKER,
    )
    services.contact_create(by=base.head, account=holding, full_name="Петров Игорь", phone="+74951234567")
    services.contact_create(
        by=base.head, account=Account.objects.get(inn="500100732259"), full_name="Соколов Павел"
    )
    client.force_login(base.head)
    files = {}
    for name in ("accounts", "contacts"):
        response = client.get(reverse(f"imports:{name}_export"), {"format": "xlsx"})
        assert response.status_code == 200
        files[name] = b"".join(response.streaming_content)

    def snapshot():
        return {
            (c.account.inn, c.account.kpp, c.full_name, c.position, c.phone, c.email, c.buying_role)
            for c in Contact.objects.select_related("account")
        }

    before = snapshot()
    assert len(before) == 3
    Contact.history.model.objects.all().delete()
    Contact.objects.all().delete()
    Account.objects.update(parent=None)
    OwnershipPeriod.objects.all().delete()
    Account.objects.all().delete()
    with translation.override("ru"):
        accounts = import_accounts(
            by=base.head, table=open_table(io.BytesIO(files["accounts"]), "a.xlsx"), file_name="a.xlsx"
        )
        contacts = import_contacts(
            by=base.head, table=open_table(io.BytesIO(files["contacts"]), "c.xlsx"), file_name="c.xlsx"
        )
    assert accounts.errors == [] and contacts.errors == []
    assert contacts.new == 3
    assert snapshot() == before
