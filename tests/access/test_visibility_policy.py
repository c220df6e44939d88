from django.urls import reverse

from orbit.access.models import VisibilityPolicy
from orbit.access.policy import visible_accounts
from tests.factories import make_account


def _visible(user):
    fresh = type(user).objects.get(pk=user.pk)  # per-request caches start empty
    return set(visible_accounts(fresh).values_list("pk", flat=True))


def test_defaults_manager_sees_own_lead_sees_subteams(org):
    own = make_account(org.head, org.am_a)
    teammate = make_account(org.head, org.lead_a)  # the lead also manages accounts himself
    sub = make_account(org.head, org.am_a1)
    assert _visible(org.am_a) == {own.pk}
    assert _visible(org.lead_a) == {own.pk, teammate.pk, sub.pk}


def test_head_can_let_managers_see_their_team_and_limit_leads(client, org):
    own = make_account(org.head, org.am_a)
    teammate = make_account(org.head, org.lead_a)
    sub = make_account(org.head, org.am_a1)
    client.force_login(org.head)
    response = client.post(reverse("access:visibility"), {"managers_see_team": "on"})
    assert response.status_code == 302
    assert _visible(org.am_a) == {own.pk, teammate.pk}
    assert _visible(org.am_a1) == {sub.pk}  # his sub-team has only him
    assert _visible(org.lead_a) == {own.pk, teammate.pk}  # sub-teams off
    record = VisibilityPolicy.history.latest("history_date")
    assert record.history_user == org.head


def test_seeing_a_teammates_account_does_not_allow_changing_it(client, org):
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"managers_see_team": True})
    teammate = make_account(org.head, org.lead_a)
    client.force_login(org.am_a)
    assert client.get(reverse("accounts:detail", args=[teammate.pk])).status_code == 200
    assert client.get(reverse("accounts:edit", args=[teammate.pk])).status_code == 403


def test_only_head_and_admin_see_the_settings_link(client, org):
    client.force_login(org.head)
    assert reverse("access:visibility") in client.get(reverse("accounts:list")).content.decode()
    client.force_login(org.am_a)
    assert reverse("access:visibility") not in client.get(reverse("accounts:list")).content.decode()
