"""`__any` (orbit/access/lookups.py), the access scope's lookup: the same rows as `__in` for every shape of value
list, as one array parameter on PostgreSQL (a division lead's scope was 140 parameters in every query)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orbit.access import policy
from orbit.accounts.models import Account, AccountStatus
from orbit.activities.models import Touch
from tests.factories import make_account


@pytest.fixture
def accounts(org):
    owned = [make_account(org.head, manager) for manager in (org.am_a, org.am_a, org.am_a1, org.am_b)]
    return [*owned, make_account(org.sales, None, status=AccountStatus.PROSPECT)]  # no manager


@pytest.mark.parametrize(
    "values",
    [
        lambda org: [org.am_a.pk],
        lambda org: {org.am_a.pk, org.am_b.pk},
        lambda org: [org.am_a.pk, org.am_a.pk, None],  # repeats and None, as __in drops them
        lambda org: [None],
        lambda org: [],
        lambda org: (pk for pk in [org.am_a1.pk]),  # any iterable
    ],
    ids=["one", "a set", "repeats and None", "only None", "empty", "a generator"],
)
def test_the_same_rows_as_in(org, accounts, values):
    chosen = list(values(org))
    any_of = set(
        Account.objects.filter(responsible_manager_id__any=iter(chosen)).values_list("pk", flat=True)
    )
    in_ = set(Account.objects.filter(responsible_manager_id__in=chosen).values_list("pk", flat=True))
    assert any_of == in_
    ids = [accounts[0].pk, accounts[3].pk]
    assert set(Account.objects.filter(id__any=ids).values_list("pk", flat=True)) == set(ids)
    # Through a relation, as account_scope writes it for the models that hang off an account.
    touches = Touch.objects.filter(account__responsible_manager_id__any=chosen)
    assert set(touches.values_list("pk", flat=True)) == set(
        Touch.objects.filter(account__responsible_manager_id__in=chosen).values_list("pk", flat=True)
    )


def test_a_subquery_works_as_in(org, accounts):
    managers = Account.objects.filter(pk=accounts[3].pk).values("responsible_manager_id")
    assert list(Account.objects.filter(responsible_manager_id__any=managers)) == [accounts[3]]


def test_on_postgresql_the_list_is_one_array_parameter(org, accounts, postgres_only):
    people = [org.am_a.pk, org.am_a1.pk, org.am_b.pk]
    with CaptureQueriesContext(connection) as captured:
        list(Account.objects.filter(responsible_manager_id__any=people))
    sql = captured.captured_queries[0]["sql"]
    assert '"responsible_manager_id" = ANY(' in sql and "::bigint[]" in sql and " IN (" not in sql


def test_a_leads_scope_uses_it_and_still_finds_his_peoples_accounts(org, accounts):
    seen = set(policy.visible_accounts(org.lead_a).values_list("pk", flat=True))
    assert seen == {a.pk for a in accounts[:3]}
    assert "__any" in str(policy.account_scope(org.lead_a))
