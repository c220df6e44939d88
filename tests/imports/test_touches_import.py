"""Importing touches (the old CRM's history) from real files: done touches at the local moment, by the person the
file names, without closing planned touches or planning new ones; duplicates (account, moment, person,
channel), all or nothing, undo, the CLI's JSON, and who may import touches on whose name."""

import datetime as dt
import io
import json
import pathlib
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from orbit.access.models import VisibilityPolicy
from orbit.activities import services
from orbit.activities.models import Touch, TouchStatus
from orbit.imports.engine import SKIP
from orbit.imports.models import ImportBatch, ImportedRow, ImportStatus
from orbit.imports.reading import open_table
from orbit.imports.touches import import_touches, parse_moment
from orbit.imports.undo import undo_import
from orbit.imports.values import ValueProblem
from tests.factories import make_account

FILES = pathlib.Path(__file__).parent / "files"
HEADER = "ИНН;Дата;Тип;Ответственный;Длительность;Тема;Результат"
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MOSCOW)


@pytest.fixture
def base(org):
    """am_a: "Смирнова Ольга" with Ромашка; am_b: "Петров Иван" with Вектор."""
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
    return org


def run(by, text: str, **options):
    with translation.override("en"):
        table = open_table(io.BytesIO(text.encode("utf-8")), "touches.csv")
        return import_touches(by=by, table=table, file_name="touches.csv", **options)


def test_a_history_file_becomes_done_touches_and_plans_nothing(base):
    planned = services.touch_plan(
        by=base.am_a, account=base.romashka, planned_for=timezone.localdate() + dt.timedelta(days=3)
    )
    with (FILES / "touches.csv").open("rb") as stream, translation.override("en"):
        report = import_touches(
            by=base.head, table=open_table(stream, "touches.csv"), file_name="touches.csv"
        )
    assert report.as_json() == {"new": 3, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}
    done = Touch.objects.filter(status=TouchStatus.DONE).order_by("happened_at")
    assert [
        (
            t.account.inn,
            t.happened_at,
            t.kind,
            t.owner,
            t.duration_minutes,
            t.subject,
            t.outcome,
            t.created_by,
        )
        for t in done
    ] == [
        ("7707083893", at(2025, 3, 15, 10, 30), "call", base.am_a, 15, "Продление", "Ждут КП", base.head),
        ("7707083893", at(2025, 3, 20, 14, 0), "meeting", base.am_a, 90, "КП", "Согласовали", base.head),
        ("7736207543", at(2025, 4, 1), "email", base.am_b, 5, "Счёт", "", base.head),
    ]
    # The history closes no planned touch and plans no next one.
    assert list(Touch.objects.exclude(status=TouchStatus.DONE).values_list("pk", "status")) == [
        (planned.pk, TouchStatus.PLANNED)
    ]
    rows = ImportedRow.objects.filter(batch_id=report.batch_id).values_list("row", "target", "account_id")
    assert list(rows) == [
        (2, "activities.touch", base.romashka.pk),
        (3, "activities.touch", base.romashka.pk),
        (4, "activities.touch", base.vector.pk),
    ]


@pytest.mark.parametrize(
    ("cell", "time", "expected"),
    [
        ("31.12.2025 09:05", None, at(2025, 12, 31, 9, 5)),
        ("2025-12-31T23:59:59", None, at(2025, 12, 31, 23, 59, 59)),
        ("31.12.2025", "18:00", at(2025, 12, 31, 18)),
        (46022.75, None, at(2025, 12, 31, 18)),  # an Excel serial with its time of day
        (dt.datetime(2025, 12, 31, 8, 0), None, at(2025, 12, 31, 8)),  # noqa: DTZ001 (XLSX: a wall clock)
        ("46022", None, at(2025, 12, 31)),
    ],
)
def test_a_moment_is_read_as_local_time(cell, time, expected):
    assert parse_moment(cell, time) == expected


def test_an_ambiguous_or_broken_moment_is_refused():
    with translation.override("en"):
        with pytest.raises(ValueProblem, match="may be month/day or day/month"):
            parse_moment("12/31/2024 10:00")
        with pytest.raises(ValueProblem, match="is not a time of day"):
            parse_moment("31.12.2025 25:00")


def test_one_bad_row_refuses_the_whole_file_and_every_error_is_reported(base):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d.%m.%Y")
    report = run(
        base.head,
        "\n".join(
            [
                HEADER,
                "7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;;",  # fine, but not committed
                "7710140679;15.03.2025 10:30;звонок;Смирнова Ольга;15;;",  # no such INN
                f"7707083893;{tomorrow} 10:00;звонок;Смирнова Ольга;15;;",  # in the future
                "7707083893;15.03.2025;телеграмма;Сидоров Пётр;полчаса;;",  # kind, person, minutes
                "7707083893;15.03.2025 10:30;Звонок;olga@example.com;20;;",  # the touch of row 2 again
                "7707083893;;звонок;Смирнова Ольга;0;;",  # no date, zero minutes
                "7707083893;01.01.2010 10:00;звонок;Смирнова Ольга;15;;",  # more than ten years ago
            ]
        ),
    )
    assert not Touch.objects.exists() and not report.committed
    assert (report.new, report.failed) == (1, 6)
    assert [(e.row, e.column, e.value, e.message) for e in report.errors] == [
        (
            3,
            "ИНН",
            "7710140679",
            "No account with INN 7710140679 among the accounts you see: import the account first.",
        ),
        (4, "Дата", f"{tomorrow} 10:00", "A touch in the future cannot be done yet: plan it instead."),
        (
            5,
            "Тип",
            "телеграмма",
            "“телеграмма” is not a kind of touch: write звонок, встреча, визит, письмо or сообщение.",
        ),
        (
            5,
            "Ответственный",
            "Сидоров Пётр",
            "No user “Сидоров Пётр” in Orbit: add the person or fix the name.",
        ),
        (5, "Длительность", "полчаса", "“полчаса” is not a number of minutes."),
        (6, "Дата", "15.03.2025 10:30", "The same touch is in row 2."),
        (7, "Дата", "", "Say when the touch happened."),
        (8, "Дата", "01.01.2010 10:00", "A touch more than 10 years ago cannot be logged."),
    ]
    # Zero minutes on row 7 is the service's to refuse, after the row's own errors: not reached.
    assert ImportBatch.objects.get().status == ImportStatus.REFUSED


def test_zero_minutes_and_a_missing_column_are_refused(base):
    report = run(base.head, HEADER + "\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;0;;")
    assert [(e.column, e.message) for e in report.errors] == [
        ("Длительность", "How long did it take? At least one minute.")
    ]
    missing = run(base.head, "ИНН;Дата;Тип\n7707083893;15.03.2025;звонок")
    assert [(e.row, e.message) for e in missing.errors] == [
        (1, "No column for: manager, duration, minutes. Map it and try again.")
    ]


def test_a_dry_run_counts_and_changes_nothing(base):
    report = run(base.head, HEADER + "\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;;", dry_run=True)
    assert report.new == 1 and not report.committed
    assert not Touch.objects.exists() and not ImportBatch.objects.exists()


def test_the_same_touch_in_the_base_is_updated_or_skipped(base):
    touch = services.touch_record_past(
        by=base.am_a,
        account=base.romashka,
        owner=base.am_a,
        kind="call",
        happened_at=at(2025, 3, 15, 10, 30),
        duration_minutes=10,
        subject="Продление",
    )
    text = "\n".join(
        [
            HEADER,
            "7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;Продление;Ждут КП",  # the same touch
            "7707083893;15.03.2025 10:30;встреча;Смирнова Ольга;60;;",  # another channel: another touch
        ]
    )
    skipped = run(base.head, text, on_duplicate=SKIP)
    assert (skipped.new, skipped.unchanged) == (1, 1)
    assert Touch.objects.get(pk=touch.pk).duration_minutes == 10
    Touch.objects.filter(kind="meeting").delete()

    report = run(base.head, text)
    assert (report.new, report.updated) == (1, 1)
    touch.refresh_from_db()
    assert (touch.duration_minutes, touch.subject, touch.outcome) == (15, "Продление", "Ждут КП")
    row = ImportedRow.objects.get(batch_id=report.batch_id, object_id=touch.pk)
    assert (row.action, row.before) == ("updated", {"duration_minutes": 10, "outcome": ""})


def test_undo_deletes_created_touches_and_restores_changed_ones(base):
    touch = services.touch_record_past(
        by=base.am_a,
        account=base.romashka,
        owner=base.am_a,
        kind="call",
        happened_at=at(2025, 3, 15, 10, 30),
        duration_minutes=10,
    )
    report = run(
        base.head,
        HEADER
        + "\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;;"
        + "\n7736207543;01.04.2025 12:00;визит;Петров Иван;120;;",
    )
    assert (report.new, report.updated) == (1, 1)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    undo_import(by=base.head, batch=batch)
    assert list(Touch.objects.values_list("pk", "duration_minutes")) == [(touch.pk, 10)]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE


def test_undo_is_refused_when_a_touch_changed_since(base):
    report = run(base.head, HEADER + "\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;;")
    touch = Touch.objects.get()
    services.touch_amend_done(by=base.am_a, touch=touch, version=touch.version, outcome="Перезвонить")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        undo_import(by=base.head, batch=ImportBatch.objects.get(pk=report.batch_id))
    assert refused.value.messages == ["Row 2: the touch was changed after the import."]
    assert Touch.objects.count() == 1


def test_touches_go_only_on_ones_own_name_or_ones_peoples(base):
    """Logged minutes are a person's work (hours, KPIs, bonuses): a manager imports his own touches on the
    accounts he works; his lead also his people's; the head anyone's. Another manager's client is answered as
    an unknown INN; the auditor, who only reads, may not import at all."""
    mine = "\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;;"
    as_lead = "\n7707083893;15.03.2025 11:30;звонок;lead_a;15;;"
    report = run(base.am_a, HEADER + mine + as_lead + "\n7736207543;15.03.2025 10:30;звонок;Петров Иван;5;;")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "Ответственный", "You may not log touches on Lead_A's name."),
        (4, "ИНН", "No account with INN 7736207543 among the accounts you see: import the account first."),
    ]
    assert run(base.am_a, HEADER + mine).new == 1
    assert run(base.lead_a, HEADER + "\n7707083893;16.03.2025 10:30;звонок;Смирнова Ольга;15;;").new == 1
    assert run(base.lead_a, HEADER + as_lead).new == 1
    with pytest.raises(PermissionDenied):
        run(base.auditor, HEADER + mine)
    assert Touch.objects.count() == 3


def test_queries_do_not_grow_beyond_the_rows_own_writes(base, django_assert_max_num_queries):
    rows = [f"7707083893;15.03.2025 {h:02d}:00;звонок;Смирнова Ольга;15;;" for h in range(20)]
    # Per row 22, all the row's own: its savepoint and the service's (4), the lookup of the same touch (1), the
    # touch form's checks (full_clean: 3 references, 3 constraints in savepoints = 12), the insert, its history
    # and the history's reads (4), the account's pulse (1). Once (9): the account, the people, the access context, the batch (made, then
    # completed) and its rows.
    with django_assert_max_num_queries(9 + 20 * 22):
        report = run(base.head, "\n".join([HEADER, *rows]))
    assert report.new == 20


def test_the_command_prints_json_and_exits_by_the_outcome(base, tmp_path, capsys):
    base.head.language = "en"
    base.head.save()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;;\n", encoding="cp1251")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;1500;;\n", encoding="utf-8")
    call_command("import", "touches", str(good), "--dry-run", "--format", "json")
    assert json.loads(capsys.readouterr().out) == {
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "errors": [],
    }
    assert not Touch.objects.exists()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "touches", str(bad), "--format", "json")
    assert exit_.value.code == 1
    assert json.loads(capsys.readouterr().out)["errors"] == [
        {
            "row": 2,
            "column": "Длительность",
            "value": "1500",
            "message": "A touch cannot take more than 24 hours.",
        }
    ]
    call_command("import", "touches", str(good), "--format", "json")
    assert Touch.objects.get().duration_minutes == 15


def test_an_account_he_sees_but_may_not_work_gets_no_touches(base):
    """With the team shown to managers, sales sees his teammate am_b's Вектор but does not work it."""
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"managers_see_team": True})
    report = run(base.sales, HEADER + "\n7736207543;15.03.2025 10:30;звонок;sales;15;;")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "ИНН", "You may not log touches on this account.")
    ]
    assert not Touch.objects.exists()


def test_the_import_page_previews_and_commits_touches(base, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base.head.language = "en"
    base.head.save()
    client.force_login(base.head)
    upload = SimpleUploadedFile(
        "touches.csv",
        (HEADER + "\r\n7707083893;15.03.2025 10:30;звонок;Смирнова Ольга;15;;").encode("cp1251"),
        content_type="text/csv",
    )
    form = {"kind": "touches", "on_duplicate": "update"}
    preview = client.post(reverse("imports:preview"), {**form, "file": upload})
    assert preview.status_code == 200 and preview.context["report"].new == 1
    assert not Touch.objects.exists()
    done = client.post(reverse("imports:commit"), {**form, "token": preview.context["token"]})
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("imports:batch", args=[batch.pk])
    assert (batch.kind, Touch.objects.get().happened_at) == ("touches", at(2025, 3, 15, 10, 30))
    assert client.get(done["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("ИНН;когда состоялось;тип;менеджер;длительность, минут;тема;итоги", "Встреча"),
        ("INN;happened at;kind;manager;duration, minutes;subject;outcome", "Meeting"),
    ],
)
def test_the_touchs_own_field_names_import_back_without_a_mapping(base, header, kind):
    """What an export of touches writes as its headers (the fields' labels, RU or EN) and values."""
    report = run(base.head, f"{header}\n7707083893;15.03.2025 10:30;{kind};Смирнова Ольга;45;КП;Ждут")
    assert report.errors == [] and report.new == 1
    assert Touch.objects.values_list("kind", "owner", "duration_minutes", "subject", "outcome").get() == (
        "meeting",
        base.am_a.pk,
        45,
        "КП",
        "Ждут",
    )


def test_a_status_column_keeps_the_done_rows_and_warns_about_the_others(base):
    """Only done touches are history: a planned or cancelled row is left out with a warning (counted as
    unchanged); a status nobody knows is a row error, and nothing goes in."""
    header = "ИНН;Статус;Когда состоялось;Тип;Ответственный;Длительность"
    rows = [
        "7707083893;Сделано;15.03.2025 10:30;Звонок;Смирнова Ольга;15",
        "7707083893;Запланировано;;Звонок;Смирнова Ольга;",
        "7707083893;Отменено;;Визит;Смирнова Ольга;",
    ]
    report = run(base.head, "\n".join([header, *rows]))
    assert (report.new, report.unchanged, report.failed, report.errors) == (1, 2, 0, [])
    assert [(w.row, w.column, w.value) for w in report.warnings] == [
        (3, "Статус", "Запланировано"),
        (4, "Статус", "Отменено"),
    ]
    assert report.as_json()["warnings"][0]["message"].startswith("A planned touch is not history")
    assert list(Touch.objects.values_list("status", "duration_minutes")) == [(TouchStatus.DONE, 15)]

    wrong = run(base.head, "\n".join([header, "7707083893;Перенесено;16.03.2025 10:30;Звонок;am_a;5"]))
    assert not wrong.committed and [(e.row, e.column, e.value) for e in wrong.errors] == [
        (2, "Статус", "Перенесено")
    ]
    assert Touch.objects.count() == 1
