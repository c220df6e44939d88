"""The runs' changes: the changes page (latest run by default, since a day, per kind, manager, team; visible
accounts only), the account's timeline, the managers' digest and the manager's day."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from orbit.accounts.history import account_timeline
from orbit.analytics import digest
from orbit.analytics.models import ReactivationCase, SegmentChange
from orbit.analytics.selectors_changes import describe
from orbit.notifications.models import Notification
from tests.analytics.rows import done_run
from tests.factories import make_account


@pytest.fixture
def runs(org):
    """An older run and the latest: am_a's account moved B → A, went dormant, its LTV fell; am_b's moved RFM."""
    older, latest = done_run(dt.date(2026, 10, 31)), done_run(dt.date(2026, 11, 30))
    alpha = make_account(org.head, org.am_a, legal_name="ООО «Альфа»")
    beta = make_account(org.head, org.am_b, legal_name="ООО «Бета»")
    day = latest.as_of
    rows = [
        SegmentChange(account=alpha, run=older, on=older.as_of, kind="xyz", old="X", new="Y"),
        SegmentChange(account=alpha, run=latest, on=day, kind="abc", old="B", new="A"),
        SegmentChange(account=alpha, run=latest, on=day, kind="dormant", old="", new="2026-08-28"),
        SegmentChange(account=alpha, run=latest, on=day, kind="ltv_drop", old="250000.00", new="100000.00"),
        SegmentChange(account=beta, run=latest, on=day, kind="rfm", old="at_risk", new="champion"),
    ]
    SegmentChange.objects.bulk_create(rows)
    return {"older": older, "latest": latest, "alpha": alpha, "beta": beta}


def _kinds(response):
    return sorted(change.kind for change, _text in response.context["items"])


def test_the_latest_run_by_default_and_only_visible_accounts(client, org, runs):
    client.force_login(org.am_a)
    assert _kinds(client.get(reverse("analytics:changes"))) == ["abc", "dormant", "ltv_drop"]
    client.force_login(org.head)
    assert _kinds(client.get(reverse("analytics:changes"))) == ["abc", "dormant", "ltv_drop", "rfm"]
    client.force_login(org.outsider)
    assert _kinds(client.get(reverse("analytics:changes"))) == []


def test_since_a_day_kind_manager_and_team(client, org, runs):
    client.force_login(org.head)
    url = reverse("analytics:changes")
    assert _kinds(client.get(url, {"since": "2026-10-01"})) == ["abc", "dormant", "ltv_drop", "rfm", "xyz"]
    assert _kinds(client.get(url, {"kind": "rfm"})) == ["rfm"]
    assert _kinds(client.get(url, {"manager": org.am_b.pk})) == ["rfm"]
    assert _kinds(client.get(url, {"team": org.team_a.pk})) == ["abc", "dormant", "ltv_drop"]
    assert _kinds(client.get(url, {"run": runs["older"].pk})) == ["xyz"]


def test_each_row_reads_as_a_sentence(client, org, runs):
    with translation.override("en"):
        assert describe("abc", "B", "A") == "ABC class B → A"
        assert describe("rfm", "at_risk", "champion") == "RFM segment At risk → Champions"
        assert describe("dormant", "", "2026-08-28") == "became dormant (last purchase 08/28/2026)"
        assert describe("ltv_drop", "250000.00", "100000.00") == "predicted LTV fell from 250,000 to 100,000"
    with translation.override("ru"):
        assert describe("abc", "", "A") == "Класс ABC — → A"
        assert describe("ltv_drop", "250000.00", "100000.00") == "прогноз LTV упал с 250\xa0000 до 100\xa0000"


def test_the_page_lists_in_a_fixed_number_of_queries(client, org, runs, django_assert_max_num_queries):
    for n in range(40):
        account = make_account(org.head, org.am_a)
        SegmentChange.objects.create(
            account=account,
            run=runs["latest"],
            on=runs["latest"].as_of,
            kind="abc",
            new="C",
            old=str((n % 2 and "B") or "A"),
        )
    client.force_login(org.lead_a)
    client.get(reverse("analytics:changes"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("analytics:changes"))
    assert len(response.context["items"]) == 43


def _english(user):
    user.language = "en"
    user.save(update_fields=["language"])


def test_no_run_yet_says_so(client, org):
    _english(org.am_a)
    client.force_login(org.am_a)
    response = client.get(reverse("analytics:changes"))
    assert "No analytics run has finished yet" in response.content.decode()


def test_the_timeline_shows_the_changes_and_the_case(org, runs):
    alpha = runs["alpha"]
    ReactivationCase.objects.create(
        account=alpha,
        manager=org.am_a,
        opened_on=runs["latest"].as_of,
        status="lost",
        lost_reason="ушли",
        closed_by=org.am_a,
    )
    with translation.override("en"):
        titles = [e.title for e in account_timeline(alpha, kind="analytics")]
    assert "Analytics: ABC class B → A" in titles and "Analytics: XYZ class X → Y" in titles
    assert "In the reactivation queue of Am_A" in titles and "Reactivation given up" in titles


def test_one_digest_per_manager_in_his_language(org, runs):
    _english(org.am_a)  # am_b reads Russian, the default
    assert digest.notify(runs["latest"]) == 2
    mine = Notification.objects.get(recipient=org.am_a)
    # alpha's three changes of the latest run (the older run's XYZ move is not in it)
    assert mine.title == "The analytics run found 3 changes in your accounts"
    assert mine.body == "ABC class: 1\nBecame dormant: 1\nPredicted LTV fell: 1"
    assert mine.url == f"/analytics/changes/?run={runs['latest'].pk}&manager={org.am_a.pk}"
    theirs = Notification.objects.get(recipient=org.am_b)
    assert theirs.title == "Анализ нашёл 1 изменение в ваших клиентах"
    assert digest.notify(runs["latest"]) == 0  # the same run again tells nobody twice


def test_the_day_block_counts_his_queue_and_the_latest_runs_changes(client, org, runs):
    ReactivationCase.objects.create(account=runs["alpha"], manager=org.am_a, opened_on=timezone.localdate())
    for user in (org.am_a, org.lead_a, org.am_b):
        _english(user)
    client.force_login(org.am_a)
    agenda = client.get(reverse("activities:agenda")).content.decode()
    assert f"{reverse('analytics:day')}?person={org.am_a.pk}" in agenda
    html = client.get(reverse("analytics:day"), {"person": org.am_a.pk}).content.decode()
    assert "Reactivation queue: 1 account" in html and "Changes since the last run: 3" in html
    client.force_login(org.lead_a)  # his person's day
    assert (
        "Changes since the last run: 3"
        in client.get(reverse("analytics:day"), {"person": org.am_a.pk}).content.decode()
    )
    assert client.get(reverse("analytics:day"), {"person": org.am_b.pk}).status_code == 404
    client.force_login(org.am_b)  # no case of his; the RFM move of his account
    html = client.get(reverse("analytics:day")).content.decode()
    assert "Reactivation queue: 0 accounts" in html and "Changes since the last run: 1" in html
    client.force_login(org.outsider)  # nothing of his: no block at all
    assert client.get(reverse("analytics:day")).content.decode().strip() == ""
