from django.urls import reverse

from orbit.accounts.models import Account
from orbit.handoffs.models import BulkMove
from tests.factories import make_account


def test_lead_proposes_adjusts_and_moves_a_portfolio(client, org, django_capture_on_commit_callbacks):
    holding = make_account(org.head, org.am_a, legal_name="АО «Холдинг»")
    daughter = make_account(org.head, org.am_a, legal_name="ООО «Дочка»", parent=holding)
    single = make_account(org.head, org.am_a, legal_name="ООО «Одиночка»")
    client.force_login(org.lead_a)
    url = reverse("handoffs:bulk")
    form = {"manager": org.am_a.pk, "receivers": [org.am_a1.pk, org.lead_a.pk], "reason": "departure"}
    proposal = client.get(url, form)
    groups = proposal.context["groups"]
    assert sorted(len(g["accounts"]) for g in groups) == [1, 2]  # the holding is one row
    chosen = {f"group-{g['id']}": org.am_a1.pk for g in groups}
    with django_capture_on_commit_callbacks(execute=True):  # the background task (in-line in tests)
        response = client.post(url, {**form, **chosen, "execute": "1"})
    move = BulkMove.objects.get()
    assert (response.status_code, response.url) == (302, reverse("handoffs:bulk_move", args=[move.pk]))
    page = client.get(response.url)
    assert (page.context["move"].status, page.context["moved"]) == ("done", 3)
    assert "every 1s" not in page.content.decode()  # finished: no more polling
    client.force_login(org.am_b)
    assert client.get(response.url).status_code == 404  # someone else's move
    assert set(
        Account.objects.filter(pk__in=[holding.pk, daughter.pk, single.pk]).values_list(
            "responsible_manager", flat=True
        )
    ) == {org.am_a1.pk}


def test_a_missing_choice_moves_nothing(client, org):
    make_account(org.head, org.am_a)
    client.force_login(org.lead_a)
    form = {"manager": org.am_a.pk, "receivers": [org.am_a1.pk], "reason": "overload", "execute": "1"}
    response = client.post(reverse("handoffs:bulk"), form)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Account.objects.filter(responsible_manager=org.am_a).count() == 1
