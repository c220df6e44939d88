import pytest
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


class _Uncountable:
    """A list the paginator must not count itself."""

    def order_by(self):
        raise AssertionError("counted again")


def test_a_count_the_caller_took_up_to_a_limit_is_taken_only_when_it_answers_the_cap():
    from orbit.common.pagination import CappedPaginator

    def paginator(matched, counted_to):
        return CappedPaginator(_Uncountable(), 10, cap=5, matched=matched, counted_to=counted_to)

    exact = paginator(4, counted_to=7)  # under its limit: exact
    assert (exact.count, exact.count_is_capped) == (4, False)
    past_both = paginator(7, counted_to=7)  # stopped at 7, beyond the cap of 5: "more than 5" is known
    assert (past_both.count, past_both.count_is_capped) == (5, True)
    unlimited = paginator(9, counted_to=None)
    assert (unlimited.count, unlimited.count_is_capped) == (5, True)
    # Stopped at 4, under the cap: the true count may be 4 or 5 or more, so the paginator counts for itself.
    with pytest.raises(AssertionError, match="counted again"):
        paginator(4, counted_to=4).count  # noqa: B018
