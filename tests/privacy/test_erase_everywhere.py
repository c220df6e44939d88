"""The issue's "done when": a contact with data in every place that can hold it is erased, then no trace of his
name, e-mail or phone is left in any text column of the database, and nothing but personal fields changed."""

import json
import pathlib
from urllib.parse import parse_qs, quote_plus, urlencode

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.imports.models import ExportLog, ImportBatch, ImportedRow
from orbit.notifications.models import Notification
from orbit.privacy import erasure
from orbit.privacy.models import Erasure
from orbit.privacy.places import PLACES
from orbit.requests.models import RequestComment

NAME = "Петров Пётр Сергеевич"
EMAIL = "p.petrov@alfa.example"
PHONE = "+7 916 123-45-67"
# How the traces appear in free text: the name whole and as "name surname", the e-mail, the phone as typed.
TEXT = f"Звонил {NAME}; Пётр Петров просил писать на {EMAIL.upper()} или звонить 8 (916) 123-45-67."
# What must be found nowhere afterwards (the phone as its digits, whatever the separators were).
NEEDLES = ("Петров Пётр", "Пётр Петров", "Сергеевич", EMAIL)
PHONE_DIGITS = "9161234567"


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('character varying', 'text', 'jsonb', 'json', 'character')"
        )
        return cursor.fetchall()


def traces_in_database() -> list[str]:
    """Every (table, column) whose text holds a needle, as it is or URL-encoded (an export's filters): a plain
    SQL search over all text columns."""
    needles = [n.lower() for n in NEEDLES] + [quote_plus(n).lower() for n in NEEDLES]
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            conditions = " OR ".join([f'lower("{column}"::text) LIKE %s'] * len(needles))
            digits = f"""regexp_replace("{column}"::text, '[^0-9]', '', 'g') LIKE %s"""
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE {conditions} OR {digits}',
                [f"%{n}%" for n in needles] + [f"%{PHONE_DIGITS}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def _put_traces(model, rows, fields) -> int:
    values = {}
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.JSONField):
            values[name] = {"full_name": NAME, "note": TEXT}
        else:
            values[name] = TEXT[: field.max_length] if field.max_length else TEXT
    return rows.update(**values)


def _non_personal(place, account_id, contact_ids) -> dict:
    """Every value of the place's rows except its scrubbed fields: what erasure must leave as it was."""
    model = place.model
    names = [f.attname for f in model._meta.concrete_fields if f.name not in place.scrubbed]
    return {row["pk"]: row for row in place.rows(account_id, contact_ids).values("pk", *names)}


@pytest.fixture
def filled(world, org, settings, tmp_path):
    """acct_a's contact with his traces in every place of places.PLACES, in imports and in exports."""
    account = world.accounts["acct_a"]
    contact = world.contacts["acct_a"]
    contact = account_services.contact_update(
        by=org.head,
        contact=contact,
        version=None,
        full_name=NAME,
        email=EMAIL,
        phone=PHONE,
        position="Финансовый директор",
    )
    world.touches["acct_a"].contacts.add(contact)
    RequestComment.objects.create(request=world.requests["acct_a"], author=org.head, text="t")
    Notification.objects.create(recipient=org.am_a, kind="task_due", title="t", account=account)
    world.cover.accounts.add(account)
    ids = [contact.pk]
    missing = []
    for place in PLACES:
        if not _put_traces(place.model, place.rows(account.pk, ids), place.scrubbed):
            missing.append(place.label)
    assert not missing, f"the test's world has no row of {missing} on the account: add one"
    ImportedRow.objects.create(
        batch=world.imported["acct_a"].batch,
        account=account,
        target="accounts.contact",
        object_id=contact.pk,
        row=9,
        action="updated",
        before={"position": "Главный бухгалтер", "email": "old@alfa.example"},
    )
    ImportBatch.objects.filter(pk=world.imported["acct_a"].batch_id).update(
        file_name=f"{NAME}.csv", errors=[{"row": 3, "message": TEXT}]
    )
    previews = pathlib.Path(settings.MEDIA_ROOT) / "imports"  # files between an import's preview and commit
    previews.mkdir(parents=True, exist_ok=True)
    (previews / ("a" * 32)).write_text(f"ФИО;Телефон\n{NAME};8 916 123 45 67\n", encoding="utf-8")
    (previews / ("b" * 32)).write_text("ФИО;Телефон\nДругой Человек;8 495 000 00 00\n", encoding="utf-8")
    folder = pathlib.Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1-contacts.csv").write_text(TEXT)
    kept = ExportLog.objects.create(
        by=org.head,
        list_name="contacts",
        format="csv",
        background=True,
        status="done",
        file="exports/1-contacts.csv",
        finished_at=timezone.now(),
        query=urlencode({"q": NAME, "status": "active"}),
    )
    running = ExportLog.objects.create(
        by=org.head, list_name="touches", format="xlsx", background=True, status="running"
    )
    accounts_export = ExportLog.objects.create(
        by=org.head, list_name="accounts", format="csv", background=True, status="done", file="exports/2.csv"
    )
    return world, account, contact, (kept, running, accounts_export, folder / "1-contacts.csv")


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
                counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


def test_erasure_leaves_no_trace_and_changes_nothing_else(filled, org, django_capture_on_commit_callbacks):
    world, account, contact, (kept, running, accounts_export, kept_file) = filled
    ids = [contact.pk]
    planted = {
        f"{place.model._meta.db_table}.{place.model._meta.get_field(name).column}"
        for place in PLACES
        for name in place.scrubbed
    }
    planted |= {
        "accounts_contact.full_name",
        "accounts_historicalcontact.email",
        "imports_importbatch.errors",
    }
    planted |= {"imports_importbatch.file_name", "imports_exportlog.query"}
    assert set(traces_in_database()) >= planted  # the search finds what was planted: it can see a leak
    before_counts = _row_counts()
    before = {place.label: _non_personal(place, account.pk, ids) for place in PLACES}

    with django_capture_on_commit_callbacks(execute=True):
        done = erasure.erase_contact(by=org.head, contact=contact, reference="№ 15 от 01.12.2026")

    assert traces_in_database() == []
    # An export's filters are URL-encoded, out of the SQL search's sight: decoded, they hold no trace either.
    kept.refresh_from_db()
    assert parse_qs(kept.query) == {"q": ["×"], "status": ["active"]}
    # Rows are rewritten, never added or removed: only the audit row and the contact's erasure history row.
    after_counts = _row_counts()
    changed = {
        t: after_counts[t] - before_counts[t] for t in after_counts if after_counts[t] != before_counts[t]
    }
    assert changed == {"privacy_erasure": 1, "accounts_historicalcontact": 1}
    # Counts, hours, SLA times, money, links: every value other than the scrubbed texts is as it was.
    for place in PLACES:
        assert _non_personal(place, account.pk, ids) == before[place.label], place.label
    contact.refresh_from_db()
    assert contact.full_name == erasure.erased_name(contact.pk)
    assert (contact.email, contact.phone, contact.position) == ("", "", "")
    assert contact.archived_at is not None
    assert world.touches["acct_a"].contacts.filter(pk=contact.pk).exists()  # the touch still counts him
    # The import's undo values of his row are masked too (a position is no trace, but personal).
    row = ImportedRow.objects.get(target="accounts.contact", object_id=contact.pk)
    assert row.before == {"position": "×", "email": "×"}
    # Exports: the kept contacts file is gone, the running touches export stopped, the accounts one untouched.
    kept.refresh_from_db()
    running.refresh_from_db()
    accounts_export.refresh_from_db()
    assert (kept.status, kept.file, kept_file.exists()) == ("expired", "", False)
    assert running.status == "failed"
    assert (accounts_export.status, accounts_export.file) == ("done", "exports/2.csv")
    # An import's preview naming him is removed; another one stays.
    previews = kept_file.parent.parent / "imports"
    assert sorted(p.name for p in previews.iterdir()) == ["b" * 32]
    # The audit: who, when, which contact, on what request — and no personal data in it.
    audit = Erasure.objects.get()
    assert (audit.contact_id, audit.by, audit.reference, audit.kind) == (
        contact.pk,
        org.head,
        "№ 15 от 01.12.2026",
        "request",
    )
    assert audit == done and audit.counts["activities.Touch"] == 1
    assert NAME not in json.dumps(audit.counts, ensure_ascii=False)


def test_a_namesake_on_another_account_keeps_his_text(filled, org):
    world, _account, contact, _exports = filled
    other = world.touches["acct_b"]
    type(other).objects.filter(pk=other.pk).update(outcome=TEXT)
    erasure.erase_contact(by=org.head, contact=contact, reference="№ 16")
    other.refresh_from_db()
    assert other.outcome == TEXT
