"""The duplicates report (accounts/duplicates.py): groups by name key and by INN (branches), among the
accounts the reader sees, with counts, pages, and a bounded number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from orbit.accounts import duplicates, services
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
    # Two live accounts with one INN and KPP cannot be (tests/accounts/test_branches.py): no such group.
    twin = make_account(org.head, org.am_a, legal_name="АО «Близнец»", inn="7736207543", kpp="773601001")
    twin2 = services.account_archive(
        by=org.head,
        account=make_account(org.head, org.am_a, legal_name="Близнец", inn="7736207543", kpp="773602001"),
    )  # an archived namesake with the same INN: not a group either
    return {"a": a, "b": b, "c": c, "head": head, "branch": branch, "twin": twin, "twin2": twin2}


def _page(user, kind):
    return [(g.key, g.size, [x.pk for x in g.accounts]) for g in duplicates.page(user, kind, 1).object_list]


def test_the_head_sees_every_group_a_manager_those_among_his_accounts(org, base):
    ids = {k: v.pk for k, v in base.items()}
    assert duplicates.counts(org.head) == {"name": 1, "inn": 1}
    assert _page(org.head, "name") == [({"name_key": "ромашка"}, 3, [ids["a"], ids["b"], ids["c"]])]
    assert _page(org.head, "inn") == [({"inn": INN}, 2, [ids["branch"], ids["head"]])]
    # am_a sees a, c, head and twin: Ромашка is a pair for him, the branch is am_b's.
    assert duplicates.counts(org.am_a) == {"name": 1, "inn": 0}
    assert _page(org.am_a, "name") == [({"name_key": "ромашка"}, 2, [ids["a"], ids["c"]])]
    assert duplicates.counts(org.outsider) == {"name": 0, "inn": 0}


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
