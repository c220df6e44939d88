"""Importing contacts from real files: the account by INN or by name among those the importer sees, duplicates
by e-mail or phone within an account (in the base and in the file), all or nothing, the CRMs' presets, undo,
the CLI's JSON, the import page, and who may import what."""

import io
import json
import pathlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from orbit.access.models import VisibilityPolicy
from orbit.accounts import services
from orbit.accounts.models import Contact
from orbit.imports.contacts import PRESETS, import_contacts
from orbit.imports.engine import SKIP
from orbit.imports.models import ImportBatch, ImportedRow, ImportStatus
from orbit.imports.reading import open_table
from orbit.imports.undo import undo_import
from tests.factories import make_account

FILES = pathlib.Path(__file__).parent / "files"
HEADER = "ИНН;ФИО;Должность;Телефон;Email;Роль"


@pytest.fixture
def base(org):
    """am_a: "Смирнова Ольга" with Ромашка and Holding Group; am_b: "Петров Иван" with Вектор."""
    for user, first, last, email in (
        (org.am_a, "Ольга", "Смирнова", "olga@example.com"),
        (org.am_b, "Иван", "Петров", ""),
    ):
        user.first_name, user.last_name, user.email, user.display_name = first, last, email, f"{last} {first}"
        user.save()
    org.romashka = make_account(
        org.head, org.am_a, legal_name="ООО «Ромашка»", inn="7707083893", kpp="770701001"
    )
    org.vector = make_account(org.head, org.am_b, legal_name="АО «Вектор»", inn="7736207543", kpp="773601001")
    org.holding = make_account(
        org.head, org.am_a, legal_name="Holding Group JSC", inn="7728168971", kpp="772801001"
    )
    return org


def table_of(text: str, encoding: str = "utf-8"):
    return open_table(io.BytesIO(text.encode(encoding)), "contacts.csv")


def run(by, text: str, **options):
    with translation.override("en"):
        return import_contacts(by=by, table=table_of(text), file_name="contacts.csv", **options)


def test_a_clean_file_is_committed_through_the_contact_services(base):
    report = run(
        base.head,
        "\n".join(
            [
                HEADER,
                "7707083893;Анна Кузнецова;Главный бухгалтер;8 (495) 123-45-67;Anna@Romashka.ru;ЛПР",
                "7736207543;Пётр Морозов;Директор;;morozov@vector.ru;",
            ]
        ),
    )
    assert report.as_json() == {"new": 2, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}
    anna = Contact.objects.get(account=base.romashka)
    assert (anna.full_name, anna.position, anna.phone, anna.email, anna.buying_role, anna.created_by) == (
        "Анна Кузнецова",
        "Главный бухгалтер",
        "+74951234567",  # as the services keep a phone: E.164
        "Anna@Romashka.ru",
        "decision_maker",
        base.head,
    )
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.counts["new"]) == ("contacts", ImportStatus.COMMITTED, 2)
    rows = list(
        ImportedRow.objects.filter(batch=batch).values_list("row", "target", "object_id", "account_id")
    )
    morozov = Contact.objects.get(account=base.vector)
    assert rows == [
        (2, "accounts.contact", anna.pk, base.romashka.pk),
        (3, "accounts.contact", morozov.pk, base.vector.pk),
    ]


def test_one_bad_row_refuses_the_whole_file_and_every_error_is_reported(base):
    make_account(  # another "Ромашка" he sees: a name is never a guess
        base.head,
        base.am_a,
        legal_name='Общество с ограниченной ответственностью "РОМАШКА"',
        inn="7702070139",
    )
    before = Contact.objects.count()
    report = run(
        base.head,
        "\n".join(
            [
                "ИНН;Компания;Имя;Фамилия;Телефон;Email",
                "7707083893;;Анна;Кузнецова;+7 495 123-45-67;anna@romashka.ru",  # fine, but not committed
                "7707083890;;Олег;Сидоров;;",  # no such INN (and a bad checksum)
                "7710140679;;Олег;Сидоров;;",  # a valid INN nobody has
                ";ООО Ромашка;Олег;Сидоров;;",  # two accounts with that name key
                ";Заря;Олег;Сидоров;;",  # no such name
                "7707083893;;Анна;К.;8 495 123 45 67;",  # the phone of row 2: the same person
                "7707083893;;Борис;Орлов;12345;boris@romashka.ru",  # a bad phone
                "7736207543;;;;;x@vector.ru",  # no name
                ";;Ира;Лис;;",  # no account at all
            ]
        ),
    )
    assert Contact.objects.count() == before and not report.committed
    assert (report.new, report.failed) == (1, 8)
    assert [(e.row, e.column, e.value, e.message) for e in report.errors] == [
        (3, "ИНН", "7707083890", "INN 7707083890 fails the checksum: check for a typo."),
        (
            4,
            "ИНН",
            "7710140679",
            "No account with INN 7710140679 among the accounts you see: import the account first.",
        ),
        (
            5,
            "Компания",
            "ООО Ромашка",
            "Several accounts you see are named “ООО Ромашка”: add a column with the INN.",
        ),
        (
            6,
            "Компания",
            "Заря",
            "No account named “Заря” among the accounts you see: fix the name or add a column with its INN.",
        ),
        (7, "Телефон", "8 495 123 45 67", "The same person of this account is in row 2."),
        (8, "Телефон", "12345", "Enter a phone number such as +7 495 123-45-67."),
        (9, "Фамилия", "", "Fill in the contact's name."),
        (10, "ИНН", "", "Say which account: fill in its INN or name."),
    ]
    assert ImportBatch.objects.get().status == ImportStatus.REFUSED


def test_a_bad_email_is_reported_at_its_column(base):
    report = run(base.head, "ИНН;ФИО;Email\n7707083893;Борис Орлов;boris(at)romashka")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "Email", "Enter a valid email address.")
    ]


def test_missing_columns_are_named_on_the_header_row(base):
    report = run(base.head, "Должность;Телефон\nДиректор;+7 495 123-45-67")
    assert [(e.row, e.message) for e in report.errors] == [
        (1, "No column for: the account's INN or name, the contact's name. Map it and try again.")
    ]


def test_a_dry_run_counts_and_changes_nothing(base):
    report = run(base.head, HEADER + "\n7707083893;Анна Кузнецова;;;anna@romashka.ru;", dry_run=True)
    assert report.new == 1 and not report.committed
    assert not Contact.objects.exists() and not ImportBatch.objects.exists()


def test_duplicates_by_email_or_phone_within_the_account_are_updated_or_skipped(base):
    anna = services.contact_create(
        by=base.am_a,
        account=base.romashka,
        full_name="Анна К.",
        email="Anna@Romashka.ru",
        position="Бухгалтер",
    )
    oleg = services.contact_create(
        by=base.am_a, account=base.romashka, full_name="Олег Сидоров", phone="+7 495 765-43-21"
    )
    # The same e-mail at another account is another person there.
    services.contact_create(by=base.am_b, account=base.vector, full_name="Анна", email="anna@romashka.ru")
    text = "\n".join(
        [
            HEADER,
            "7707083893;Анна Кузнецова;Главный бухгалтер;;anna@romashka.ru;",  # by e-mail, case aside
            "7707083893;Олег Сидоров;;8 (495) 765 43 21;;",  # by phone, 8 = +7: nothing differs
            "7736207543;Борис Орлов;;;boris@vector.ru;",
        ]
    )
    skipped = run(base.head, text, on_duplicate=SKIP)
    assert (skipped.new, skipped.updated, skipped.unchanged) == (1, 0, 2)
    assert Contact.objects.get(pk=anna.pk).position == "Бухгалтер"
    Contact.objects.filter(email="boris@vector.ru").delete()

    report = run(base.head, text)
    assert (report.new, report.updated, report.unchanged) == (1, 1, 1)
    anna.refresh_from_db()
    assert (anna.full_name, anna.position, anna.email) == (
        "Анна Кузнецова",
        "Главный бухгалтер",
        "Anna@Romashka.ru",
    )
    assert Contact.objects.get(pk=oleg.pk).version == oleg.version  # nothing differed: not touched
    assert Contact.objects.filter(account=base.romashka).count() == 2
    row = ImportedRow.objects.get(batch_id=report.batch_id, object_id=anna.pk)
    assert (row.action, row.before) == ("updated", {"full_name": "Анна К.", "position": "Бухгалтер"})


def test_a_person_matched_twice_in_the_file_is_an_error(base):
    services.contact_create(
        by=base.am_a, account=base.romashka, full_name="Анна", email="anna@romashka.ru", phone="+74951234567"
    )
    report = run(
        base.head,
        HEADER
        + "\n7707083893;Анна;;;anna@romashka.ru;\n7707083893;Анна К.;;+7 495 123-45-67;a2@romashka.ru;",
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "Email", "The same person of this account is in row 2.")
    ]


@pytest.mark.parametrize(
    ("preset", "name", "expected"),
    [
        (
            "amocrm",
            "amocrm_contacts.csv",  # the company by name: "ООО «Ромашка»" and "Ромашка" are one
            {("Анна Кузнецова", "7707083893", "+74951234567", "anna@romashka.ru", "Главный бухгалтер")}
            | {("Олег Сидоров", "7707083893", "", "OLEG@romashka.ru", "Закупщик")},
        ),
        (
            "bitrix24",
            "bitrix24_contacts.csv",  # Windows-1251; first, patronymic and last name put together
            {("Пётр Ильич Морозов", "7736207543", "+78125551234", "morozov@vector.ru", "Директор")}
            | {("Мария Белова", "7736207543", "", "", "Секретарь")},
        ),
        (
            "salesforce",
            "salesforce_contacts.csv",
            {("Helen Grant", "7728168971", "+74957654321", "helen.grant@holding.example", "CFO")},
        ),
    ],
)
def test_the_presets_read_the_crms_contact_exports(base, preset, name, expected):
    with (FILES / name).open("rb") as stream, translation.override("en"):
        report = import_contacts(
            by=base.head,
            table=open_table(stream, name),
            file_name=name,
            mapping=PRESETS[preset],
            preset=preset,
        )
    assert report.errors == [] and report.new == len(expected)
    assert (
        set(Contact.objects.values_list("full_name", "account__inn", "phone", "email", "position"))
        == expected
    )


def test_undo_deletes_created_contacts_and_restores_changed_ones(base):
    anna = services.contact_create(by=base.am_a, account=base.romashka, full_name="Анна К.", email="a@r.ru")
    report = run(base.head, HEADER + "\n7707083893;Анна Кузнецова;;;a@r.ru;\n7707083893;Олег;;;o@r.ru;")
    assert (report.new, report.updated) == (1, 1)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    with translation.override("en"):
        undo_import(by=base.head, batch=batch)
    assert list(Contact.objects.values_list("full_name", flat=True)) == ["Анна К."]
    anna.refresh_from_db()
    assert anna.full_name == "Анна К."
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE


def test_undo_is_refused_when_a_contact_changed_since(base):
    report = run(base.head, HEADER + "\n7707083893;Анна Кузнецова;;;a@r.ru;\n7707083893;Олег;;;o@r.ru;")
    oleg = Contact.objects.get(email="o@r.ru")
    services.contact_update(by=base.am_a, contact=oleg, version=oleg.version, position="Закупщик")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        undo_import(by=base.head, batch=batch)
    assert refused.value.messages == ["Row 3: the contact was changed after the import."]
    assert Contact.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED


def test_a_manager_imports_for_the_accounts_he_may_change_and_an_auditor_not_at_all(base):
    """Importing contacts is writing them: whoever may create accounts may import (the auditor, who only reads,
    may not); each row then needs an account he sees and may change, as the contact form does. Another
    manager's client is answered as an unknown INN: the import does not tell him it exists."""
    text = HEADER + "\n7707083893;Анна Кузнецова;;;a@r.ru;\n7736207543;Пётр Морозов;;;p@v.ru;"
    report = run(base.am_a, text)
    assert [(e.row, e.message) for e in report.errors] == [
        (3, "No account with INN 7736207543 among the accounts you see: import the account first.")
    ]
    assert run(base.am_a, HEADER + "\n7707083893;Анна Кузнецова;;;a@r.ru;").new == 1
    assert run(base.lead_a, HEADER + "\n7707083893;Олег;;;o@r.ru;").new == 1  # his person's client
    with pytest.raises(PermissionDenied):
        run(base.auditor, text)
    assert Contact.objects.count() == 2


def test_queries_do_not_grow_with_the_rows_of_one_account(base, django_assert_max_num_queries):
    rows = [f"7707083893;Контакт {n};;;c{n}@romashka.ru;" for n in range(30)]
    # Per row: the row's and the service's savepoints (set, released), the insert and its history = 6; once:
    # the account (read once for the file), its contacts, the access context, the batch (made, then completed).
    with django_assert_max_num_queries(8 + 30 * 6):
        report = run(base.head, "\n".join([HEADER, *rows]))
    assert report.new == 30


def test_the_command_prints_json_and_exits_by_the_outcome(base, tmp_path, capsys):
    base.head.language = "en"
    base.head.save()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "\n7707083893;Анна Кузнецова;;;a@r.ru;\n", encoding="cp1251")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n7707083893;Анна Кузнецова;;;a@r.ru;Директор\n", encoding="utf-8")
    call_command("import", "contacts", str(good), "--dry-run", "--format", "json")
    assert json.loads(capsys.readouterr().out) == {
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "errors": [],
    }
    assert not Contact.objects.exists()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "contacts", str(bad), "--format", "json")
    assert exit_.value.code == 1
    assert json.loads(capsys.readouterr().out)["errors"] == [
        {
            "row": 2,
            "column": "Роль",
            "value": "Директор",
            "message": "“Директор” is not a buying-centre role: write ЛПР, закупщик or another.",
        }
    ]
    call_command("import", "contacts", str(good), "--preset", "amocrm", "--format", "json")
    assert Contact.objects.get().email == "a@r.ru"


def test_the_import_page_previews_and_commits_contacts(base, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base.head.language = "en"
    base.head.save()
    client.force_login(base.head)
    upload = SimpleUploadedFile(
        "contacts.csv",
        "\r\n".join([HEADER, "7707083893;Анна Кузнецова;;;a@r.ru;"]).encode("cp1251"),
        content_type="text/csv",
    )
    form = {"kind": "contacts", "on_duplicate": "update"}
    preview = client.post(reverse("imports:preview"), {**form, "file": upload})
    assert preview.status_code == 200 and preview.context["report"].new == 1
    assert not Contact.objects.exists()
    done = client.post(reverse("imports:commit"), {**form, "token": preview.context["token"]})
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("imports:batch", args=[batch.pk])
    assert (batch.kind, Contact.objects.get().full_name) == ("contacts", "Анна Кузнецова")


def test_an_account_he_sees_but_may_not_change_gets_no_contacts(base):
    """With the team shown to managers, sales sees his teammate am_b's Вектор but does not work it."""
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"managers_see_team": True})
    existing = services.contact_create(by=base.am_b, account=base.vector, full_name="Пётр", email="p@v.ru")
    report = run(
        base.sales, HEADER + "\n7736207543;Мария Белова;;;m@v.ru;\n7736207543;Пётр Морозов;;;p@v.ru;"
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "ИНН", "You may not add contacts to this account."),
        (3, "ИНН", "You may not change this record."),
    ]
    assert list(Contact.objects.values_list("pk", "full_name")) == [(existing.pk, "Пётр")]


@pytest.mark.parametrize(
    ("header", "role"),
    [
        (
            "ИНН;аккаунт;ФИО;должность;телефон;эл. почта;роль в закупочном центре",
            "Лицо, принимающее решение (ЛПР)",
        ),
        ("INN;account;full name;position;phone;e-mail;buying-centre role", "Decision maker"),
    ],
)
def test_the_contacts_own_field_names_import_back_without_a_mapping(base, header, role):
    """What an export of contacts writes as its headers (the fields' labels, RU or EN) and values."""
    line = f"7707083893;ООО «Ромашка»;Анна Кузнецова;Бухгалтер;+7 495 123-45-67;a@r.ru;{role}"
    report = run(base.head, f"{header}\n{line}")
    assert report.errors == [] and report.new == 1
    assert Contact.objects.values_list("full_name", "position", "phone", "email", "buying_role").get() == (
        "Анна Кузнецова",
        "Бухгалтер",
        "+74951234567",
        "a@r.ru",
        "decision_maker",
    )


def test_a_row_gets_every_reason_at_once(base):
    report = run(base.head, "ИНН;ФИО;Email\n7710140679;;x@r.ru")
    assert [(e.column, e.message) for e in report.errors] == [
        ("ИНН", "No account with INN 7710140679 among the accounts you see: import the account first."),
        ("ФИО", "Fill in the contact's name."),
    ]
