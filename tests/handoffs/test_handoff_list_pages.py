from django.urls import reverse
from django.utils import timezone

from orbit.handoffs.models import Handoff, HandoffKind, HandoffStatus
from tests.factories import make_account


def test_all_handoffs_are_paginated_with_a_fixed_number_of_queries(
    client, org, django_assert_max_num_queries
):
    accounts = [make_account(org.head, org.am_a) for _ in range(6)]
    Handoff.objects.bulk_create(
        Handoff(
            account=accounts[n % 6],
            kind=HandoffKind.BETWEEN_MANAGERS,
            from_user=org.am_a,
            to_user=org.am_a1,
            status=HandoffStatus.COMPLETED,
            previous_account_status="active",
            decided_at=timezone.now(),
            created_by=org.am_a,
        )
        for n in range(60)
    )
    client.force_login(org.head)
    client.get(reverse("handoffs:list"))
    with django_assert_max_num_queries(12):
        first = client.get(reverse("handoffs:list"), {"view": "all"})
    assert len(first.context["handoffs"]) == 50
    assert 'href="?view=all&amp;page=2"' in first.content.decode()
    second = client.get(reverse("handoffs:list"), {"view": "all", "page": 2})
    assert len(second.context["handoffs"]) == 10
