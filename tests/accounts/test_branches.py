"""Branches by KPP: one live account per INN and KPP; a branch (the head company's INN, its own KPP) is allowed;
where an INN alone names an account (import, holdings) two live accounts with it ask for the KPP."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from orbit.accounts import services
from orbit.accounts.models import Account
from tests.factories import make_account

INN = "7707083893"


def test_a_branch_with_its_own_kpp_is_allowed_the_same_kpp_is_a_duplicate(org):
    head = make_account(org.head, org.am_a, legal_name="ПАО «Сбербанк»", inn=INN, kpp="773601001")
    branch = make_account(org.head, org.am_a, legal_name="Сбербанк, филиал", inn=INN, kpp="540601001")
    assert branch.inn == head.inn and branch.kpp != head.kpp
    with translation.override("en"), pytest.raises(ValidationError) as error:
        make_account(org.head, org.am_a, inn=INN, kpp="540601001")
    message = error.value.message_dict["inn"][0]
    assert message == (
        f"INN {INN} already belongs to the account “Сбербанк, филиал” (№{branch.pk}). A branch has the INN of "
        "its head company and its own KPP: check the KPP, and put the branch under its head company as its "
        "holding."
    )
    # The database refuses it too, whoever writes past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(legal_name="x", inn=INN, kpp="773601001")
    # Editing a branch onto the head's KPP is the same duplicate.
    with pytest.raises(ValidationError):
        services.account_update(by=org.head, account=branch, version=None, kpp="773601001")


def test_an_entrepreneur_has_one_account_per_inn(org):
    make_account(org.head, org.am_a, inn="500100732259", kpp="")
    with pytest.raises(ValidationError):
        make_account(org.head, org.am_a, inn="500100732259", kpp="")


def test_live_with_inn_asks_for_the_kpp_when_branches_share_it(org):
    assert services.live_with_inn(INN) is None
    head = make_account(org.head, org.am_a, inn=INN, kpp="773601001")
    assert services.live_with_inn(INN) == head  # the only one: no KPP needed
    assert services.live_with_inn(INN, "773601001") == head
    assert services.live_with_inn(INN, "540601001") is None  # a new branch
    branch = make_account(org.head, org.am_a, inn=INN, kpp="540601001")
    assert services.live_with_inn(INN, "540601001") == branch
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.live_with_inn(INN)
    assert error.value.message_dict == {
        "kpp": [f"Several accounts have INN {INN} (a company and its branches): give the KPP."]
    }
    services.account_archive(by=org.head, account=branch)
    assert services.live_with_inn(INN) == head  # archived accounts do not count
