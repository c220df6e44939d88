"""Span of control: 7 direct reports is within the seeds' 5–7, 8 is warned, 4 "could take more"."""

import pytest

from orbit.staffing.span import OVER, UNDER, WITHIN, lead_spans, span_status
from tests.factories import make_team, make_user

pytestmark = pytest.mark.django_db


def _team(name: str, size: int, parent=None):
    lead = make_user(f"lead_{name}")
    team = make_team(name, lead=lead, parent=parent)
    lead.team = team  # the lead is a member of his own team: not his own report
    lead.save()
    for i in range(size):
        make_user(f"{name}_{i}", team=team)
    return lead, team


def test_the_rule_at_its_edges():
    assert span_status(7) == WITHIN and span_status(5) == WITHIN
    assert span_status(8) == OVER
    assert span_status(4) == UNDER


def test_leads_counted_from_the_teams(settings):
    seven, _ = _team("seven", 7)
    eight, _ = _team("eight", 8)
    four, four_team = _team("four", 4)
    # A sub-team's lead reports to the parent's lead: four's 4 members + the sub-lead = 5, within the rule; the
    # sub-team's own 3 members are its lead's, who "could take more".
    sub_lead, _ = _team("sub", 3, parent=four_team)
    make_user("gone", team=four_team, is_active=False)  # an inactive member is not counted
    spans = {s.lead.pk: s for s in lead_spans()}
    assert (spans[seven.pk].reports, spans[seven.pk].status) == (7, WITHIN)
    assert (spans[eight.pk].reports, spans[eight.pk].status) == (8, OVER)
    assert (spans[four.pk].reports, spans[four.pk].status) == (5, WITHIN)
    assert (spans[sub_lead.pk].reports, spans[sub_lead.pk].status) == (3, UNDER)
    assert lead_spans()[0].lead == eight  # the widest first
    settings.ORBIT_SPAN_OF_CONTROL = 8  # the head's setting moves the warning
    assert {s.lead.pk: s for s in lead_spans()}[eight.pk].status == WITHIN


def test_a_lead_of_two_teams_counts_each_person_once():
    lead = make_user("double")
    first, second = make_team("First", lead=lead), make_team("Second", lead=lead)
    for i in range(3):
        make_user(f"f{i}", team=first)
        make_user(f"s{i}", team=second)
    (span,) = lead_spans({lead.pk})
    assert span.reports == 6 and {t.name for t in span.teams} == {"First", "Second"}


def test_the_page_shows_the_head_every_lead_and_a_manager_none(org, client):
    _team("eight", 8)
    client.force_login(org.head)
    page = client.get("/managers/staffing/").content.decode()
    assert 'data-span="over"' in page and "Lead_Eight" in page
    client.force_login(org.am_a)
    page = client.get("/managers/staffing/").content.decode()
    assert "data-span" not in page and "Lead_Eight" not in page
