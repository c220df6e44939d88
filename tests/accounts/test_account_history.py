import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation

from orbit.accounts import history, services
from orbit.accounts.models import Account, ChangeReason
from tests.factories import make_account


def test_timeline_records_who_changed_what_from_what_to_what(org):
    account = make_account(org.head, org.am_a, legal_name="ООО «Альфа»", tier="C")
    services.account_update(by=org.am_a, account=account, version=None, tier="A", goals="Расти")
    services.account_reassign(
        by=org.head,
        account=account,
        manager=org.am_b,
        reason=ChangeReason.OVERLOAD,
        at=timezone.now() + dt.timedelta(seconds=1),
    )
    contact = services.contact_create(by=org.am_b, account=account, full_name="Олег Ким")
    services.contact_update(by=org.am_b, contact=contact, version=None, position="Финансовый директор")

    with translation.override("en"):
        events = history.account_timeline(account)
    edits = [e for e in events if e.kind == "account" and e.actor == org.am_a]
    assert len(edits) == 1
    assert {(c.field, c.old, c.new) for c in edits[0].changes} == {
        ("tier", "Tier C", "Tier A"),
        ("goals", "—", "Расти"),
    }
    # A change of responsible manager is told once, as an ownership event with its reason.
    assert not [
        c for e in events if e.kind == "account" for c in e.changes if c.field == "responsible_manager"
    ]
    moved = [e for e in events if e.kind == "ownership" and e.title.endswith(str(org.am_b))]
    assert [(e.actor, e.changes[0].new) for e in moved] == [(org.head, "Workload balancing")]
    contact_changes = [e for e in events if e.kind == "contact" and e.changes]
    assert contact_changes[0].changes[0].new == "Финансовый директор"
    assert [e.kind for e in history.account_timeline(account, kind="ownership")] == ["ownership", "ownership"]


def test_history_page_is_filterable_and_bounded_in_queries(client, org, django_assert_max_num_queries):
    account = make_account(org.head, org.am_a)
    for n in range(15):
        account = services.account_update(by=org.am_a, account=account, version=None, goals=f"Цель {n}")
    client.force_login(org.auditor)
    url = reverse("accounts:history", args=[account.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url, {"kind": "account"})
    assert response.status_code == 200
    assert len(response.context["events"]) == 16  # created + 15 edits
    response = client.get(url, {"actor": org.head.pk})
    by_head = response.context["events"]
    assert sorted(e.kind for e in by_head) == ["account", "ownership"]  # he created it and assigned it
    assert all(e.actor == org.head for e in by_head)


def test_history_of_an_invisible_account_is_a_404(client, org):
    account = make_account(org.head, org.am_b)
    client.force_login(org.am_a)
    assert client.get(reverse("accounts:history", args=[account.pk])).status_code == 404


def test_history_rows_cannot_be_changed_in_admin(client, org):
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    client.force_login(org.admin)
    account = make_account(org.head, org.am_a)
    record = Account.history.filter(id=account.pk).first()
    assert client.get(f"/admin/accounts/historicalaccount/{record.pk}/change/").status_code == 404
