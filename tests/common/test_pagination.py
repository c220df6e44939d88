from django.urls import reverse

from tests.factories import make_account


def test_list_count_stops_at_the_cap(client, org, settings):
    settings.ORBIT_COUNT_CAP = 5
    settings.ORBIT_PAGE_SIZE = 2
    for _ in range(8):
        make_account(org.head, org.am_a)
    org.am_a.language = "en"
    org.am_a.save()
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:list"))
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.count_is_capped, paginator.num_pages) == (5, True, 3)
    assert "More than 5 accounts" in response.content.decode()
    last = client.get(reverse("accounts:list"), {"page": 9})  # past the end: the last page, not a stub
    # A full page: there are more rows than the capped count says (keyset pages read what is there).
    assert (last.context["page"].number, len(last.context["page"].object_list)) == (3, 2)


def test_exact_count_under_the_cap(client, org, settings):
    settings.ORBIT_COUNT_CAP = 5
    for _ in range(3):
        make_account(org.head, org.am_a)
    client.force_login(org.am_a)
    paginator = client.get(reverse("accounts:list")).context["page"].paginator
    assert (paginator.count, paginator.count_is_capped) == (3, False)
