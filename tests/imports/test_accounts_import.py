"""Importing accounts from real files: all or nothing, the row report, duplicates, owners, holdings, presets,
and the CLI's JSON and exit codes."""

import io
import json
import pathlib

import pytest
from django.core.management import call_command
from django.utils import translation

from orbit.accounts.models import Account, AccountStatus, ChangeReason, OwnershipPeriod
from orbit.imports.accounts import SKIP, import_accounts
from orbit.imports.mapping import PRESETS
from orbit.imports.models import ImportBatch, ImportStatus
from orbit.imports.reading import open_table
from tests.factories import make_account

FILES = pathlib.Path(__file__).parent / "files"
HEADER = "Название;ИНН;КПП;Ответственный;Категория"


@pytest.fixture
def people(org):
    """Export names: am_a is "Смирнова Ольга" (olga@example.com), am_b "Петров Иван"."""
    for user, first, last, email in (
        (org.am_a, "Ольга", "Смирнова", "olga@example.com"),
        (org.am_b, "Иван", "Петров", ""),
    ):
        user.first_name, user.last_name, user.email, user.display_name = first, last, email, f"{last} {first}"
        user.save()
    return org


def table_of(text: str, name: str = "accounts.csv"):
    return open_table(io.BytesIO(text.encode("utf-8")), name)


def run(org, text: str, **options):
    with translation.override("en"):
        return import_accounts(by=org.head, table=table_of(text), file_name="accounts.csv", **options)


def test_a_clean_file_is_committed_with_owners_through_the_ledger(people):
    report = run(
        people,
        "\n".join(
            [
                HEADER,
                "ООО «Ромашка»;7707083893;770701001;Смирнова Ольга;A",
                "ИП Соколов А.В.;500100732259;;;",  # no owner: a prospect
                "АО «Вектор»;7736207543;773601001;olga@example.com;ключевой",
            ]
        ),
    )
    assert report.as_json() == {
        "new": 3,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "errors": [],
    }
    assert report.committed
    romashka = Account.objects.get(inn="7707083893")
    assert (romashka.status, romashka.tier, romashka.responsible_manager) == (
        AccountStatus.ACTIVE,
        "A",
        people.am_a,
    )
    period = OwnershipPeriod.objects.get(account=romashka)
    assert (period.reason, period.changed_by, period.ended_at) == (ChangeReason.IMPORT, people.head, None)
    assert Account.objects.get(inn="500100732259").status == AccountStatus.PROSPECT
    assert Account.objects.get(inn="7736207543").tier == "key"
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.COMMITTED and batch.counts["new"] == 3 and batch.by == people.head
    assert batch.mapping == {
        "Название": "legal_name",
        "ИНН": "inn",
        "КПП": "kpp",
        "Ответственный": "owner",
        "Категория": "tier",
    }


def test_one_bad_row_refuses_the_whole_file_and_every_error_is_reported(people):
    before = Account.objects.count()
    report = run(
        people,
        "\n".join(
            [
                HEADER,
                "ООО «Ромашка»;7707083893;770701001;Смирнова Ольга;A",  # fine, but not committed
                "АО «Вектор»;7736207542;773601001;Петров Иван;B",  # checksum
                "ООО «Ромашка-2»;7707083893;770701001;Петров Иван;B",  # the INN of row 2 again
                "ООО «Заря»;7712345671;;Петров Иван;B",  # an organisation without KPP
                "ООО «Мир»;7720123457;772001001;Сидоров Пётр;Z",  # unknown owner and tier
                '=HYPERLINK("x");7702070139;770201001;;',  # a formula
            ]
        ),
    )
    assert Account.objects.count() == before and not report.committed
    assert (report.new, report.failed) == (1, 5)
    assert [(e.row, e.column, e.value, e.message) for e in report.errors] == [
        (3, "ИНН", "7736207542", "INN 7736207542 fails the checksum: check for a typo."),
        (4, "ИНН", "7707083893", "INN 7707083893 is in row 2 too."),
        (5, "КПП", "", "An organisation (10-digit INN) needs a KPP."),
        (
            6,
            "Ответственный",
            "Сидоров Пётр",
            "No user “Сидоров Пётр” in Orbit: add the person or fix the name.",
        ),
        (6, "Категория", "Z", "“Z” is not a tier: write A, B, C or “ключевой”."),
        (
            7,
            "Название",
            '=HYPERLINK("x")',
            '“=HYPERLINK("x")” is a formula, not a value: put its result in the cell.',
        ),
    ]
    assert ImportBatch.objects.get().status == ImportStatus.REFUSED


def test_a_dry_run_counts_and_changes_nothing(people):
    report = run(people, HEADER + "\nООО «Ромашка»;7707083893;770701001;Смирнова Ольга;A", dry_run=True)
    assert report.new == 1 and not report.committed
    assert not Account.objects.filter(inn="7707083893").exists() and not ImportBatch.objects.exists()


def test_duplicates_in_the_base_are_updated_or_skipped(people):
    existing = make_account(
        people.head, people.am_b, legal_name="Ромашка (старое)", inn="7707083893", kpp="770701001"
    )
    same = make_account(
        people.head, people.am_b, legal_name="Вектор", inn="7736207543", kpp="773601001", tier="B"
    )
    text = "\n".join(
        [
            HEADER,
            "ООО «Ромашка»;7707083893;770701001;Смирнова Ольга;",
            "Вектор;7736207543;773601001;Петров Иван;B",
        ]
    )
    skipped = run(people, text, on_duplicate=SKIP)
    assert (
        skipped.as_json()["unchanged"] == 2
        and Account.objects.get(pk=existing.pk).legal_name == "Ромашка (старое)"
    )
    report = run(people, text)
    assert (report.updated, report.unchanged) == (1, 1)
    existing.refresh_from_db()
    assert (existing.legal_name, existing.responsible_manager) == ("ООО «Ромашка»", people.am_a)
    assert OwnershipPeriod.objects.filter(account=existing, reason=ChangeReason.IMPORT).count() == 1
    assert Account.objects.get(pk=same.pk).version == same.version  # nothing differed: not touched


def test_an_inn_of_a_client_he_may_not_see_is_refused_without_naming_it(people):
    make_account(people.head, people.am_b, legal_name="Чужой клиент", inn="7707083893", kpp="770701001")
    with translation.override("en"):
        report = import_accounts(
            by=people.am_a, table=table_of(HEADER + "\nРомашка;7707083893;770701001;;"), file_name="x.csv"
        )
    assert [e.message for e in report.errors] == [
        "INN 7707083893 already belongs to another client in the base. Ask your lead who holds it."
    ]


def test_an_active_client_needs_an_owner_and_a_missing_column_is_named(people):
    report = run(people, "Название;ИНН;КПП;Статус\nРомашка;7707083893;770701001;клиент")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "", "An active client needs a responsible manager: fill in the column.")
    ]  # no owner column to point at
    missing = run(people, "Компания;Адрес\nРомашка;Москва")
    assert missing.errors[0].message == "No column for: INN. Map it and try again."


@pytest.mark.parametrize(
    ("preset", "name", "expected"),
    [
        ("amocrm", "amocrm_companies.csv", {"7707083893": "active", "500100732259": "active"}),
        ("bitrix24", "bitrix24_companies.csv", {"7736207543": "active", "7712345671": "prospect"}),
        ("salesforce", "salesforce_accounts.csv", {"7728168971": "active", "7702070139": "active"}),
    ],
)
def test_the_presets_read_the_crms_exports(people, preset, name, expected):
    with (FILES / name).open("rb") as stream, translation.override("en"):
        report = import_accounts(
            by=people.head,
            table=open_table(stream, name),
            file_name=name,
            mapping=PRESETS[preset],
            preset=preset,
        )
    assert report.errors == [] and report.new == len(expected)
    assert dict(Account.objects.filter(inn__in=expected).values_list("inn", "status")) == expected
    if preset == "salesforce":  # Parent Account ID → the holding
        assert Account.objects.get(inn="7702070139").parent == Account.objects.get(inn="7728168971")


def test_the_command_prints_json_and_exits_by_the_outcome(people, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "\nООО «Ромашка»;7707083893;770701001;Смирнова Ольга;A\n", encoding="cp1251")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\nООО «Ромашка»;7707083893;;Смирнова Ольга;A\n", encoding="utf-8")
    people.head.language = "en"
    people.head.save()
    call_command("import", "accounts", str(good), "--dry-run", "--format", "json")
    assert json.loads(capsys.readouterr().out) == {
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "errors": [],
    }
    assert not Account.objects.filter(inn="7707083893").exists()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "accounts", str(bad), "--format", "json")
    assert exit_.value.code == 1
    assert json.loads(capsys.readouterr().out)["errors"] == [
        {"row": 2, "column": "КПП", "value": "", "message": "An organisation (10-digit INN) needs a KPP."}
    ]
    call_command("import", "accounts", str(good), "--format", "json")
    assert Account.objects.filter(inn="7707083893").exists()


@pytest.mark.django_db
def test_a_login_with_an_underscore_finds_its_person_whatever_his_name(org):
    from orbit.imports.engine import People

    org.am_a.first_name, org.am_a.last_name = "Ольга", "Смирнова"
    org.am_a.email = "o.smirnova@example.ru"
    org.am_a.save()
    people = People()
    assert people.find("am_a") == org.am_a
    assert people.find("Смирнова Ольга") == org.am_a
    assert people.find("O.Smirnova@Example.ru") == org.am_a


def test_the_companys_phone_address_and_website_are_read_as_the_form_reads_them(people):
    header = "Название;ИНН;КПП;Телефон;Адрес;Сайт"
    report = run(
        people,
        "\n".join(
            [
                header,
                "ООО «Ромашка»;7707083893;770701001;8 (495) 123-45-67, +7 916 000-00-00;г Москва, ул Тверская, д 1;romashka.ru",
            ]
        ),
    )
    assert report.as_json()["new"] == 1, report.as_json()
    romashka = Account.objects.get(inn="7707083893")
    assert (romashka.phone, romashka.address, romashka.website) == (
        "+74951234567",
        "г Москва, ул Тверская, д 1",
        "https://romashka.ru",
    )
    failed = run(people, "\n".join([header, "АО «Вектор»;7736207543;773601001;12;;not a site"]), dry_run=True)
    assert {e["column"] for e in failed.as_json()["errors"]} == {"Телефон", "Сайт"}, failed.as_json()
