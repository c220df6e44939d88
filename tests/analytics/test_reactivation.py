"""The reactivation queue: who sees which cases, the outcome counts, and giving a case up (reason required, only
whoever works the account, 409 on a stale version, a double click changes nothing more)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from orbit.accounts.models import AccountStatus
from orbit.analytics import reactivation
from orbit.analytics.models import ReactivationCase
from orbit.common.errors import ConflictError
from tests.analytics.rows import done_run, metrics
from tests.factories import make_account

TODAY = timezone.localdate()


def _case(org, manager, *, status="open", closed_on=None, opened_on=None, last=None, **account_fields):
    account = make_account(org.head, manager, status=AccountStatus.DORMANT, **account_fields)
    fields = {"lost_reason": "ушли"} if status == "lost" else {}
    return ReactivationCase.objects.create(
        account=account,
        manager=manager,
        opened_on=opened_on or TODAY - dt.timedelta(days=10),
        last_purchase_on=last,
        status=status,
        closed_on=closed_on,
        **fields,
    )


@pytest.fixture
def queue(org):
    """am_a: two open cases and, in the last 90 days, one reactivated and one lost; am_b: one open case."""
    return {
        "a_open": _case(org, org.am_a, last=TODAY - dt.timedelta(days=94), legal_name="ООО «Альфа»"),
        "a_open2": _case(org, org.am_a, opened_on=TODAY - dt.timedelta(days=30)),
        "a_back": _case(org, org.am_a, status="reactivated", closed_on=TODAY - dt.timedelta(days=5)),
        "a_lost": _case(org, org.am_a, status="lost", closed_on=TODAY - dt.timedelta(days=6)),
        "a_old": _case(org, org.am_a, status="lost", closed_on=TODAY - dt.timedelta(days=200)),
        "b_open": _case(org, org.am_b, legal_name="ООО «Бета»"),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("am_a", {"a_open", "a_open2"}),
        ("lead_a", {"a_open", "a_open2"}),
        ("head", {"a_open", "a_open2", "b_open"}),
        ("am_b", {"b_open"}),
        ("outsider", set()),
    ],
)
def test_the_queue_shows_his_open_cases_his_teams_or_all(client, org, queue, who, expected):
    client.force_login(getattr(org, who))
    response = client.get(reverse("analytics:reactivation"))
    shown = {row["case"].pk for row in response.context["rows"]}
    assert shown == {queue[key].pk for key in expected}


def test_the_outcomes_of_the_period(client, org, queue):
    client.force_login(org.am_a)
    outcomes = client.get(reverse("analytics:reactivation")).context["outcomes"]
    # open 2; in the last 90 days 1 reactivated and 1 lost (the loss 200 days ago is outside): 1 / (1 + 1) = 50 %
    assert (outcomes.open, outcomes.reactivated, outcomes.lost, str(outcomes.rate)) == (2, 1, 1, "50.0")
    lost = client.get(reverse("analytics:reactivation"), {"status": "lost"}).context["rows"]
    assert [row["case"].pk for row in lost] == [queue["a_lost"].pk]
    wide = client.get(reverse("analytics:reactivation"), {"status": "lost", "start": "2020-01-01"}).context
    assert {row["case"].pk for row in wide["rows"]} == {queue["a_lost"].pk, queue["a_old"].pk}
    assert wide["outcomes"].rate.quantize(1) == 33  # 1 reactivated of 3 closed: 33.3 %


def test_no_closed_case_no_rate(client, org):
    client.force_login(org.am_a)
    assert client.get(reverse("analytics:reactivation")).context["outcomes"].rate is None


def test_the_row_has_interval_days_silent_and_ltv(client, org, queue):
    run = done_run()
    metrics(queue["a_open"].account, run, typical_interval_days="21.0", clv="123456.00")
    client.force_login(org.am_a)
    html = client.get(reverse("analytics:reactivation")).content.decode()
    row = html.split(f'data-case="{queue["a_open"].pk}"')[1].split("</tr>")[0]
    assert ">21<" in row and ">94<" in row and "123" in row
    # the growth form, pre-filled: a reactivation opportunity on this account
    assert f"/growth/opportunities/new/?account={queue['a_open'].account_id}&amp;kind=reactivation" in row


def test_the_queue_lists_in_a_fixed_number_of_queries(client, org, django_assert_max_num_queries):
    for _n in range(30):
        _case(org, org.am_a)
    client.force_login(org.lead_a)
    client.get(reverse("analytics:reactivation"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("analytics:reactivation"))
    assert len(response.context["rows"]) == 30


def test_mark_lost_closes_the_case_and_churns_the_account(org, queue):
    case = queue["a_open"]
    done = reactivation.mark_lost(by=org.am_a, case=case, reason=" ушли к конкуренту ", version=case.version)
    assert (done.status, done.lost_reason, done.closed_on, done.closed_by) == (
        "lost",
        "ушли к конкуренту",
        TODAY,
        org.am_a,
    )
    account = case.account
    account.refresh_from_db()
    assert account.status == AccountStatus.CHURNED
    record = account.history.first()
    assert (
        record.history_user == org.am_a
        and record.history_change_reason == f"orbit-reactivation:lost:{case.pk}"
    )


def test_a_double_click_changes_nothing_more(org, queue):
    case = queue["a_open"]
    first = reactivation.mark_lost(by=org.am_a, case=case, reason="закрылись", version=case.version)
    again = reactivation.mark_lost(by=org.am_a, case=case, reason="закрылись", version=case.version)
    assert again.version == first.version and case.account.history.filter(status="churned").count() == 1


def test_a_stale_version_is_a_conflict(org, queue):
    case = queue["a_open"]
    with pytest.raises(ConflictError):
        reactivation.mark_lost(by=org.am_a, case=case, reason="закрылись", version=case.version - 1 or 99)


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Say why the account is lost."), ("ru", "Укажите, почему клиент потерян.")],
)
def test_the_reason_is_required_in_his_language(org, queue, language, message):
    with translation.override(language), pytest.raises(ValidationError) as raised:
        reactivation.mark_lost(by=org.am_a, case=queue["a_open"], reason="  ", version=None)
    assert raised.value.message_dict == {"reason": [message]}


def test_only_who_works_the_account(org, queue):
    for who in ("am_b", "auditor"):
        with pytest.raises(PermissionDenied):
            reactivation.mark_lost(by=getattr(org, who), case=queue["a_open"], reason="x", version=None)
    reactivation.mark_lost(by=org.lead_a, case=queue["a_open"], reason="x", version=None)  # his team's


def test_a_closed_case_cannot_be_lost(org, queue):
    with pytest.raises(ValidationError):
        reactivation.mark_lost(by=org.am_a, case=queue["a_back"], reason="x", version=None)


def test_the_page_answers_400_403_404_409(client, org, queue):
    case = queue["a_open"]
    url = reverse("analytics:reactivation_lost", args=[case.pk])
    org.am_a.language = "en"
    org.am_a.save(update_fields=["language"])
    client.force_login(org.am_a)
    missing = client.post(url, {"reason": "", "version": case.version})
    assert missing.status_code == 400 and missing.context["form"].errors == {
        "reason": ["Say why the account is lost."]
    }
    stale = client.post(url, {"reason": "ушли", "version": case.version + 5})
    assert stale.status_code == 409 and stale.context["form"]["version"].value() == case.version
    done = client.post(
        url, {"reason": "ушли", "version": case.version, "next": "/analytics/reactivation/?status=lost"}
    )
    assert done.status_code == 302 and done.url == "/analytics/reactivation/?status=lost"
    assert (
        client.post(url, {"reason": "ушли", "version": case.version}).status_code == 302
    )  # the double click
    client.force_login(org.am_b)
    assert client.post(url, {"reason": "ушли"}).status_code == 404
    client.force_login(org.auditor)
    assert client.post(url, {"reason": "ушли"}).status_code == 403
