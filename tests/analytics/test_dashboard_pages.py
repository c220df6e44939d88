"""The analytics overview (analytics:dashboard): the honest empty state, the Pareto chart's figures, the
ABC×XYZ heatmap with its links and treatments, the scope selector, and what a manager may not see."""

import json

import pytest
from django.urls import reverse

from orbit.org.models import User


@pytest.fixture(autouse=True)
def english(org):
    User.objects.update(language="en")


def chart_spec(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="chart-')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_before_the_first_run_the_page_says_where_figures_come_from(client, org):
    client.force_login(org.am_a)
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert "No figures yet." in page and "nightly computation" in page
    assert "head of the department or an administrator" in page  # a manager cannot start one
    client.force_login(org.head)
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert "No figures yet." in page and "head of the department or an administrator" not in page


def test_the_managers_pareto_chart_and_heatmap(client, org, world):
    client.force_login(org.am_a)
    response = client.get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    spec = chart_spec(response)
    assert spec["unit"] == "percent" and len(spec["categories"]) == 100
    share, a_line, b_line = spec["series"]
    # am_a: 500 and 40 (total 540): the top 1–50 % hold 500 / 540 = 92.59 %, the rest 100 %.
    assert share["values"][0] == "92.59" and share["values"][50] == "100.00"
    assert set(a_line["values"]) == {"80"} and set(b_line["values"]) == {"95"}
    page = response.content.decode()
    assert 'data-figure="top20">92.59 %' in page
    # The heatmap: AX holds his 500 (92.6 %), CZ his 40 (7.4 %); each cell links to its accounts.
    assert f'href="{reverse("analytics:accounts")}?cell=AX"' in page
    assert "Key account manager · Monthly strategic meeting" in page
    assert "Self-service · On request" in page
    assert "Win it back, or review its cost to serve" in page
    # Another manager's account is nowhere: b1 is loyal (am_b's), so the loyal segment has no accounts here.
    assert "ООО «b1»" not in page
    # A manager has nobody to narrow to.
    assert 'name="team"' not in page


def test_the_head_narrows_to_a_team_and_the_links_keep_it(client, org, world):
    client.force_login(org.head)
    page = client.get(reverse("analytics:dashboard"), {"team": org.team_b.pk}).content.decode()
    # Team B: 300 (AY) and 100 (B too new): total 400, the top 20 % (one account) hold 300 / 400 = 75 %.
    assert 'data-figure="top20">75.00 %' in page
    assert f"?team={org.team_b.pk}&amp;cell=AY" in page
    assert 'name="team"' in page and "Team A1" in page


def test_the_head_without_narrowing_reads_the_summary(client, org, world, django_assert_max_num_queries):
    client.force_login(org.head)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("analytics:dashboard"))
    assert 'data-figure="top20">50.00 %' in response.content.decode()  # 500 of 1000
    assert "the whole department" in response.content.decode()


def test_nav_has_analytics(client, org):
    client.force_login(org.am_a)
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert f'href="{reverse("analytics:dashboard")}"' in page and ">Analytics<" in page
    assert 'aria-current="page">Overview</a>' in page


def test_a_lead_narrows_within_his_teams(client, org, world):
    client.force_login(org.lead_a)
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert "Team A1" in page and "Team B" not in page
    # Narrowed to team B, which he does not lead: nothing of it.
    page = client.get(reverse("analytics:dashboard"), {"team": org.team_b.pk}).content.decode()
    assert "No revenue in the window for these accounts." in page
