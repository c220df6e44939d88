"""Saved views (orbit/savedviews): who reads a view (owner; if shared, the owner's team, its sub-teams and its
lead; nobody else, the head included), names unique per owner and list, only the owner changes a view, and a
shared view is only filters: the reader sees in it what he may see."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from orbit.savedviews import rules
from orbit.savedviews.models import SavedView
from tests.factories import make_account


def _names(user) -> set[str]:
    return {v.name for v in rules.visible_to(user, "accounts")}


@pytest.fixture
def views(org):
    return {
        "shared_a": rules.view_create(
            by=org.am_a, kind="accounts", name="Ключевые", query="tier=A", shared=True
        ),
        "own_a": rules.view_create(
            by=org.am_a, kind="accounts", name="Мои черновики", query="status=prospect"
        ),
        "shared_b": rules.view_create(by=org.am_b, kind="accounts", name="Команда Б", query="", shared=True),
    }


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("am_a", {"Ключевые", "Мои черновики"}),  # the owner: all his own
        ("lead_a", {"Ключевые"}),  # a member (and the lead) of the owner's team: the shared one
        ("am_a1", {"Ключевые"}),  # a sub-team's member
        ("am_b", {"Команда Б"}),  # another team: not team A's
        ("lead_b", {"Команда Б"}),
        ("head", set()),  # the head has his own views; others' are not his by his role
        ("auditor", set()),
        ("outsider", set()),
    ],
)
def test_who_reads_a_view(org, views, persona, sees):
    user = getattr(org, persona)
    assert _names(user) == sees
    for view in views.values():
        if view.name in sees:
            assert rules.get_visible(user, view.pk) == view
        else:
            with pytest.raises(Http404):
                rules.get_visible(user, view.pk)


def test_the_lead_of_a_sub_team_reads_its_shared_views_the_parent_team_does_not(org):
    org.team_a1.lead = org.lead_b  # a lead from outside the team
    org.team_a1.save()
    rules.view_create(by=org.am_a1, kind="accounts", name="Подкоманда", query="", shared=True)
    assert "Подкоманда" in _names(org.lead_b)
    assert "Подкоманда" not in _names(org.am_a)  # a member of the team above reads only his own team's


def test_names_are_unique_per_owner_and_list_in_both_languages(org, views, settings):
    with pytest.raises(ValidationError) as error:
        rules.view_create(by=org.am_a, kind="accounts", name="  ключевые ", query="")
    assert "У вас уже есть вид «ключевые»" in error.value.message_dict["name"][0]
    rules.view_create(by=org.am_b, kind="accounts", name="Ключевые", query="")  # another owner may
    with pytest.raises(ValidationError, match="Дайте виду название"):
        rules.view_create(by=org.am_a, kind="accounts", name="   ", query="")
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match="You already have a view named"):
        rules.view_update(by=org.am_a, view=views["own_a"], name="КЛЮЧЕВЫЕ")


def test_only_the_owner_renames_shares_or_deletes(org, views):
    view = views["shared_a"]
    for action in (
        lambda: rules.view_update(by=org.lead_a, view=view, name="Другое"),
        lambda: rules.view_update(by=org.lead_a, view=view, shared=False),
        lambda: rules.view_delete(by=org.lead_a, view=view),
    ):
        with pytest.raises(PermissionDenied):
            action()
    rules.view_update(by=org.am_a, view=view, name="Ключевые клиенты", shared=False)
    assert _names(org.lead_a) == set()
    rules.view_delete(by=org.am_a, view=view)
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_sharing_without_a_team_is_refused(org):
    with pytest.raises(ValidationError, match="не состоите в команде"):
        rules.view_create(by=org.outsider, kind="accounts", name="Мой", query="", shared=True)


def test_a_view_keeps_the_query_without_the_page_cursor_or_the_chosen_view():
    assert rules.clean_query("?q=сталь&tier=A&tier=B&page=abc&view=3&cols=inn,tier") == (
        "q=%D1%81%D1%82%D0%B0%D0%BB%D1%8C&tier=A&tier=B&cols=inn%2Ctier"
    )


def test_saving_from_the_bar_and_opening_it(client, org):
    client.force_login(org.am_a)
    response = client.post(
        reverse("savedviews:create"),
        {"kind": "accounts", "name": "Категория A", "query": "tier=A&sort=-name&page=xyz", "shared": "1"},
    )
    view = SavedView.objects.get(owner=org.am_a)
    assert view.query == "tier=A&sort=-name" and view.shared
    assert (
        response.status_code == 302
        and response.url == f"{reverse('accounts:list')}?tier=A&sort=-name&view={view.pk}"
    )
    opened = client.get(reverse("savedviews:open"), {"view": view.pk})
    assert opened.url == response.url
    page = client.get(opened.url)
    assert page.context["current_view"] == view.pk and page.context["filters"].tier == ["A"]


def test_a_duplicate_name_from_the_bar_is_a_400_with_the_field_error(client, org, views):
    client.force_login(org.am_a)
    response = client.post(
        reverse("savedviews:create"), {"kind": "accounts", "name": "Ключевые", "query": ""}
    )
    assert response.status_code == 400 and "У вас уже есть вид «Ключевые»" in response.content.decode()


def test_a_shared_view_never_widens_what_the_reader_sees(client, org):
    mine = make_account(org.head, org.am_a, legal_name="ООО «Только для А»")
    make_account(org.head, org.am_a1, legal_name="ООО «Для А1»")
    view = rules.view_create(by=org.am_a, kind="accounts", name="Все", query="sort=name", shared=True)
    client.force_login(org.am_a1)  # reads the view (sub-team) but not am_a's accounts
    page = client.get(rules.url_of(view))
    names = [a.legal_name for a in page.context["page"].object_list]
    assert names == ["ООО «Для А1»"] and mine.legal_name not in page.content.decode()


def test_pages_answer_404_to_a_stranger_and_403_to_a_reader(client, org, views):
    view = views["shared_a"]
    client.force_login(org.am_b)
    assert client.get(reverse("savedviews:open"), {"view": view.pk}).status_code == 404
    assert client.post(reverse("savedviews:delete", args=[view.pk])).status_code == 404
    client.force_login(org.lead_a)
    assert client.post(reverse("savedviews:rename", args=[view.pk]), {"name": "X"}).status_code == 403
    client.force_login(org.am_a)
    assert (
        client.post(reverse("savedviews:rename", args=[view.pk]), {"name": "Мои черновики"}).status_code
        == 400
    )
    assert client.post(reverse("savedviews:share", args=[view.pk]), {"shared": "0"}).status_code == 302
    assert client.post(reverse("savedviews:delete", args=[view.pk])).status_code == 302
    assert client.get(reverse("savedviews:manage"), {"kind": "accounts"}).status_code == 200
