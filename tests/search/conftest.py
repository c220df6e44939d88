"""A small world for the search: a shared surname on each team's accounts, so every persona's search finds
something and nothing of the other team's."""

from types import SimpleNamespace

import pytest

from orbit.accounts import services
from orbit.accounts.models import AccountStatus
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department
from orbit.requests.services import request_create
from tests.factories import make_account


@pytest.fixture
def found(org):
    accounts = {
        "acct_a": make_account(
            org.head, org.am_a, legal_name="ООО «Кристалл Альфа»", short_name="Кристалл-А"
        ),
        "acct_a1": make_account(org.head, org.am_a1, legal_name="ООО «Кристалл Север»"),
        "acct_b": make_account(org.head, org.am_b, legal_name="АО «Кристалл Бета»"),
        "prospect_s": make_account(
            org.sales, None, status=AccountStatus.PROSPECT, legal_name="ООО «Кристалл Лид»"
        ),
    }
    contacts = {
        key: services.contact_create(
            by=org.head,
            account=account,
            full_name=f"Орлова Анна ({key})",
            phone=f"+7 (921) 555-0{n}-1{n}",
            email=f"anna.orlova{n}@example.ru",
        )
        for n, (key, account) in enumerate(accounts.items())
    }
    ensure_defaults()
    support = Department.objects.get(code="support")
    requests = {
        key: request_create(
            by=org.head,
            account=account,
            request_type="question",
            priority="normal",
            department=support,
            subject=f"Вопрос {key}",
        )
        for key, account in accounts.items()
    }
    return SimpleNamespace(accounts=accounts, contacts=contacts, requests=requests)
