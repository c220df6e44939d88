"""The duplicates report (accounts/duplicates.py): groups by name key, INN (branches) and INN+KPP, among the
accounts the reader sees, with counts, pages, and a bounded number of queries."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from orbit.accounts import duplicates
from orbit.accounts.models import Account
from tests.factories import make_account

INN = "7707083893"


@pytest.fixture
def base(org):
    a = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    b = make_account(org.head, org.am_b, legal_name="Ромашка, ООО")  # another team's
    c = make_account(org.head, org.am_a, legal_name="Общество с ограниченной ответственностью РОМАШКА")
    head = make_account(org.head, org.am_a, legal_name="ПАО «Сбербанк»", inn=INN, kpp="773601001")
    branch = make_account(org.head, org.am_b, legal_name="Сбербанк, филиал", inn=INN, kpp="540601001")
    make_account(org.head, org.am_a, legal_name="ООО «Одна»")
    # A duplicate from before the (INN, KPP) constraint: written past it, as an old base may hold one.
    twin = make_account(org.head, org.am_a, legal_name="АО «Близнец»", inn="7736207543", kpp="773601001")
    with connection.cursor() as cursor:
        # The ownership check runs first: no pending trigger events may meet the DROP.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP INDEX accounts_account_live_inn_kpp_unique")  # a partial unique index
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    twin2 = Account.objects.create(legal_name="Близнец", inn=twin.inn, kpp=twin.kpp, created_by=org.am_a)
    return {"a": a, "b": b, "c": c, "head": head, "branch": branch, "twin": twin, "twin2": twin2}


def _page(user, kind):
    return [(g.key, g.size, [x.pk for x in g.accounts]) for g in duplicates.page(user, kind, 1).object_list]


def test_the_head_sees_every_group_a_manager_those_among_his_accounts(org, base):
    ids = {k: v.pk for k, v in base.items()}
    assert duplicates.counts(org.head) == {"name": 1, "inn": 1, "inn_kpp": 1}
    assert _page(org.head, "name") == [({"name_key": "ромашка"}, 3, [ids["a"], ids["b"], ids["c"]])]
    assert _page(org.head, "inn") == [({"inn": INN}, 2, [ids["branch"], ids["head"]])]
    assert _page(org.head, "inn_kpp") == [
        ({"inn": "7736207543", "kpp": "773601001"}, 2, [ids["twin"], ids["twin2"]])
    ]
    # am_a sees a, c, head, twin and his prospect twin2: Ромашка is a pair for him, the branch is am_b's.
    assert duplicates.counts(org.am_a) == {"name": 1, "inn": 0, "inn_kpp": 1}
    assert _page(org.am_a, "name") == [({"name_key": "ромашка"}, 2, [ids["a"], ids["c"]])]
    assert duplicates.counts(org.outsider) == {"name": 0, "inn": 0, "inn_kpp": 0}


def test_the_page_lists_groups_in_few_queries_and_offers_the_merge(org, base, django_assert_max_num_queries):
    client = Client()
    client.force_login(org.head)
    for n in range(15):  # more groups: the number of queries does not grow with them
        make_account(org.head, org.am_a, legal_name=f"ООО «Пара {n}»")
        make_account(org.head, org.am_a, legal_name=f"Пара {n} ООО")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accounts:duplicates"), {"kind": "name"})
    assert response.status_code == 200
    groups = response.context["page"].object_list
    assert len(groups) == 16 and all(g.can_merge for g in groups)
    html = response.content.decode()
    a, c = base["a"], base["c"]
    assert f"{reverse('accounts:merge', args=[a.pk])}?with={c.pk}" in html
    # Branches are information: no merge offered.
    branches = client.get(reverse("accounts:duplicates"), {"kind": "inn"})
    assert not any(g.can_merge for g in branches.context["page"].object_list)
