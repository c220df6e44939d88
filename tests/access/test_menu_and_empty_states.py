"""Any screen (issue 17): the menu offers the settings and the admin to those allowed and to nobody else, and the
main lists' empty states fit the role — a reader who may only look (the auditor) is not told to add things, a
manager is told what to do."""

import pytest
from django.urls import reverse

# Who finds which entries in the menu: the product's rules written out (settings: the head and administrators;
# the admin site: staff accounts only).
SETTINGS = {"head", "admin"}
PEOPLE = ["head", "admin", "auditor", "lead_a", "am_a", "sales", "outsider"]


def _menu(client, user) -> set[str]:
    client.force_login(user)
    return {item["url"] for item in client.get(reverse("activities:agenda")).context["nav_items"]}


@pytest.mark.parametrize("who", PEOPLE)
def test_settings_in_the_menu_only_for_who_may_change_them(client, org, who):
    menu = _menu(client, getattr(org, who))
    assert (reverse("access:visibility") in menu) == (who in SETTINGS)
    assert reverse("admin:index") not in menu  # none of them is a staff account


def test_the_admin_site_in_the_menu_for_staff_only(client, org):
    org.admin.is_staff = True
    org.admin.save(update_fields=["is_staff"])
    assert reverse("admin:index") in _menu(client, org.admin)
    body = client.get(reverse("access:visibility")).content.decode()
    for page in (
        "worktime:list",
        "requests:policies",
        "analytics:settings",
        "bonuses:rules",
        "workload:norms",
    ):
        assert reverse(page) in body  # the settings page leads to every other setting
    assert reverse("admin:index") in body
    client.force_login(org.head)
    assert reverse("admin:index") not in client.get(reverse("access:visibility")).content.decode()


# (page, what the empty page tells a writer and must not tell a reader, what the reader is told instead)
EMPTY = [
    ("handoffs:list", "Hand over", "Handoffs of the accounts you may see appear here."),
    (
        "growth:board",
        "Open one from an account's card",
        "The opportunities of the accounts you may see appear here.",
    ),
    ("growth:forecast", "Open one from an account's card", "The weighted pipeline fills in"),
    ("requests:list", "New request", "Requests on the accounts you may see appear here."),
    ("accounts:list", "New account", "No accounts yet."),
]


@pytest.mark.parametrize(("page", "told_to_writer", "told_to_reader"), EMPTY)
@pytest.mark.parametrize("who", ["auditor", "am_a"])
def test_empty_lists_fit_the_role(client, org, who, page, told_to_writer, told_to_reader):
    user = getattr(org, who)
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    body = client.get(reverse(page), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    if who == "auditor":
        assert told_to_writer not in body and told_to_reader in body
    else:
        assert told_to_writer in body
