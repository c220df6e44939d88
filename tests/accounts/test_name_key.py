import pytest

from orbit.accounts.names import name_key
from tests.factories import make_account


@pytest.mark.parametrize(
    "typed",
    [
        "ООО «Ромашка»",
        'Общество с ограниченной ответственностью "РОМАШКА"',
        "ромашка, ООО",
        "  Ромашка  ",
        "OOO Ромашка".replace("OOO", "ООО"),
    ],
)
def test_one_company_typed_many_ways_has_one_key(typed):
    assert name_key(typed) == "ромашка"


def test_what_tells_companies_apart_stays():
    assert name_key("ПАО «Сбербанк России»") == "сбербанк россии"
    assert name_key("АО «Ёлка-Плюс»") == "елка плюс"
    assert name_key("Публичное акционерное общество «Вектор»") == "вектор"
    assert name_key("Аорта") == "аорта"  # a legal form inside a word is part of the name
    assert name_key("ООО") == ""


@pytest.mark.django_db
def test_the_account_keeps_its_key_when_renamed(org):
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    assert account.name_key == "ромашка"
    account.legal_name = "АО «Вектор»"
    account.save(update_fields=["legal_name"])
    account.refresh_from_db()
    assert account.name_key == "вектор"
