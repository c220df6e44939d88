from django.urls import reverse

from orbit.org.selectors import team_tree
from tests.factories import make_team, make_user


def test_span_of_control_warns_above_seven(client, org, django_assert_max_num_queries):
    big = make_team("Большая группа", lead=org.lead_b, parent=org.team_b)
    for n in range(8):
        make_user(f"m{n}", "account_manager", team=big)
    nodes = {n.team.name: n for root in team_tree() for n in [root, *root.children]}
    assert nodes["Большая группа"].direct_reports == 8 and nodes["Большая группа"].over_span
    # Team B: am_b and sales as members; the sub-team has the same lead, so no extra report.
    assert nodes["Team B"].direct_reports == 2 and not nodes["Team B"].over_span
    # Team A: am_a, and the sub-team A1 has no lead of its own.
    assert nodes["Team A"].direct_reports == 1

    client.force_login(org.am_a)
    client.get(reverse("org:teams"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("org:teams"))
    assert response.content.decode().count("msg msg-warning") == 1  # only the big team is flagged
