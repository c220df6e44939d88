"""The accounts import's matching (imports/accounts.py `_find_existing`): by INN and KPP for branches, then a
warning — never a merge — for a new account named like one in the base; the warnings in the JSON and the CLI."""

import io
import json

from django.core.management import call_command
from django.utils import translation

from orbit.accounts import services
from orbit.accounts.models import Account
from orbit.imports.accounts import import_accounts
from orbit.imports.engine import RowError
from orbit.imports.reading import open_table
from tests.factories import make_account

HEADER = "Название;ИНН;КПП"
INN = "7707083893"


def run(by, text: str, **options):
    table = open_table(io.BytesIO(text.encode("utf-8")), "accounts.csv")
    with translation.override("en"):
        return import_accounts(by=by, table=table, file_name="accounts.csv", **options)


def test_a_row_with_a_kpp_matches_that_branch_a_new_kpp_is_a_new_branch(org):
    head = make_account(org.head, org.am_a, legal_name="ПАО «Сбербанк»", inn=INN, kpp="773601001")
    report = run(
        org.head,
        f"{HEADER}\nПАО «Сбербанк России»;{INN};773601001\nСбербанк, Сибирский филиал;{INN};540601001",
    )
    assert (report.new, report.updated, report.failed, report.errors) == (1, 1, 0, [])
    head.refresh_from_db()
    assert head.legal_name == "ПАО «Сбербанк России»"
    branch = Account.objects.get(inn=INN, kpp="540601001")
    assert branch.legal_name == "Сбербанк, Сибирский филиал"
    # The same INN and KPP twice in one file is the second row's error; another KPP is not.
    again = run(org.head, f"{HEADER}\nА;{INN};111111111\nБ;{INN};111111111\nВ;{INN};222222222")
    assert [(e.row, e.message) for e in again.errors] == [(3, f"INN {INN} is in row 2 too.")]


def test_a_row_without_a_kpp_matches_the_only_account_and_fails_among_branches(org):
    make_account(org.head, org.am_a, legal_name="ИП Соколов", inn="500100732259", kpp="")
    one = run(org.head, "Название;ИНН\nИП Соколов А. В.;500100732259")
    assert (one.updated, one.errors) == (1, [])
    make_account(org.head, org.am_a, inn=INN, kpp="773601001")
    make_account(org.head, org.am_a, inn=INN, kpp="540601001")
    report = run(org.head, f"Название;ИНН\nСбербанк;{INN}")
    assert report.errors == [
        RowError(
            2, "ИНН", INN, f"Several accounts have INN {INN} (a company and its branches): give the KPP."
        )
    ]


def test_a_namesake_is_not_merged_but_warned_about_naming_the_inn_only_to_who_sees_it(org):
    seen = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", inn=INN, kpp="773601001")
    make_account(org.head, org.am_b, legal_name="АО «Вектор»", inn="7736207543", kpp="773601001")
    text = f"{HEADER}\nРомашка, ООО;7728168971;772801001\nЗАО «ВЕКТОР»;7704217370;770401001\nНовая;7702070139;770201001"
    report = run(org.am_a, text)
    assert (report.new, report.failed) == (3, 0) and report.committed
    assert report.warnings == [
        RowError(
            2,
            "Название",
            "Ромашка, ООО",
            f"A company with this name is already in Orbit (INN {seen.inn}): if it is the same one, fix the INN.",
        ),
        RowError(
            3,
            "Название",
            "ЗАО «ВЕКТОР»",  # am_b's client: am_a learns only that the name is taken
            "A company with this name is already in Orbit: if it is the same one, fix the INN.",
        ),
    ]
    assert Account.objects.filter(name_key="ромашка").count() == 2  # two accounts: a person decides


def test_the_cli_prints_the_warnings_in_json_and_text(org, tmp_path, capsys):
    make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", inn=INN, kpp="773601001")
    org.head.language = "en"
    org.head.save()
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER}\nРомашка;7728168971;772801001\n", encoding="utf-8")
    call_command("import", "accounts", str(path), "--dry-run", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert (out["new"], out["errors"]) == (1, [])
    assert out["warnings"] == [
        {
            "row": 2,
            "column": "Название",
            "value": "Ромашка",
            "message": f"A company with this name is already in Orbit (INN {INN}): if it is the same one, fix "
            "the INN.",
        }
    ]
    call_command("import", "accounts", str(path), "--dry-run")
    assert (
        f"  2 [Название] «Ромашка»: Warning: A company with this name is already in Orbit (INN {INN})"
        in capsys.readouterr().out
    )


def test_a_holding_named_by_an_inn_its_branches_share_is_their_head_company(org):
    head = make_account(org.head, org.am_a, legal_name="ПАО «Сбербанк»", inn=INN, kpp="773601001")
    branch = make_account(org.head, org.am_a, legal_name="Сбербанк, филиал", inn=INN, kpp="540601001")
    text = f"Название;ИНН;КПП;ИНН холдинга\nДочка;7728168971;772801001;{INN}"
    failed = run(org.head, text)
    assert [e.message for e in failed.errors] == [
        f"Several accounts have INN {INN} (a company and its branches): put the branches under their head "
        "company first."
    ]
    services.account_update(by=org.head, account=branch, version=None, parent=head)
    report = run(org.head, text)
    assert (report.new, report.errors) == (1, [])
    assert Account.objects.get(inn="7728168971").parent == head


def test_a_new_branch_is_warned_about_a_namesake_with_another_inn_not_about_its_own_company(org):
    """Up to two namesakes per name are looked up (imports/accounts.py `namesakes`): one whose INN differs from
    the row's is found even when the first one found is the row's own company."""
    make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", inn=INN, kpp="773601001")
    make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", inn=INN, kpp="540601001")
    branch_only = run(org.head, f"{HEADER}\nООО «Ромашка»;{INN};660601001")
    assert (branch_only.new, branch_only.warnings) == (1, [])
    other = make_account(org.head, org.am_a, legal_name="Ромашка", inn="7728168971", kpp="772801001")
    report = run(org.head, f"{HEADER}\nООО «Ромашка»;{INN};250601001", dry_run=True)
    assert [w.message for w in report.warnings] == [
        f"A company with this name is already in Orbit (INN {other.inn}): if it is the same one, fix the INN."
    ]


def test_warnings_are_all_counted_and_the_first_ones_kept(org, monkeypatch):
    monkeypatch.setattr("orbit.imports.engine.WARNINGS_KEPT", 2)
    make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", inn=INN, kpp="773601001")
    rows = "\n".join(f"Ромашка;{inn};{inn[:4]}01001" for inn in ("7728168971", "7704217370", "7702070139"))
    report = run(org.head, f"{HEADER}\n{rows}", dry_run=True)
    assert [w.row for w in report.warnings] == [2, 3]
    assert (report.as_json()["warnings_total"], len(report.as_json()["warnings"])) == (3, 2)
