"""The reactivation API: the queue and the changes as each caller sees them; giving a case up answers with the
reason of every refusal (422 without a reason, 403, 404, 409 on a stale version) and a retry changes nothing."""

import pytest
from django.test import Client

from orbit.analytics.models import ReactivationCase, SegmentChange
from orbit.api.models import ApiToken
from tests.analytics.rows import done_run, metrics
from tests.factories import make_account


def _api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='t')[1]}")


@pytest.fixture
def case(org):
    run = done_run()
    account = make_account(org.head, org.am_a, status="dormant", legal_name="ООО «Альфа»")
    metrics(account, run, typical_interval_days="21.0", clv="5000.00")
    SegmentChange.objects.create(account=account, run=run, on=run.as_of, kind="abc", old="B", new="A")
    return ReactivationCase.objects.create(account=account, manager=org.am_a, opened_on=run.as_of)


def test_lists_what_he_sees(org, case):
    page = _api(org.am_a).get("/api/analytics/reactivation").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert (item["account_name"], item["typical_interval_days"], item["clv"]) == (
        "ООО «Альфа»",
        "21.0",
        "5000.00",
    )
    assert _api(org.am_b).get("/api/analytics/reactivation").json()["count"] == 0
    changes = _api(org.am_a).get("/api/analytics/changes").json()
    assert [(c["kind"], c["old"], c["new"]) for c in changes["items"]] == [("abc", "B", "A")]
    assert _api(org.am_b).get("/api/analytics/changes").json()["count"] == 0


def test_mark_lost_answers_every_refusal_with_its_reason(org, case):
    org.am_a.language = "en"
    org.am_a.save(update_fields=["language"])
    url = f"/api/analytics/reactivation/{case.pk}/lost"
    api = _api(org.am_a)
    missing = api.post(url, {"reason": " ", "version": case.version}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"] == {
        "reason": ["Say why the account is lost."]
    }
    stale = api.post(url, {"reason": "ушли", "version": case.version + 3}, content_type="application/json")
    assert stale.status_code == 409 and "changed while you were looking" in stale.json()["detail"]
    current = stale.json()["current"]  # the case as it is now, for the writer to decide again
    assert (current["id"], current["status"], current["version"]) == (case.pk, "open", case.version)
    assert _api(org.am_b).post(url, {"reason": "ушли"}, content_type="application/json").status_code == 404
    refused = _api(org.auditor).post(url, {"reason": "ушли"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"]
    done = api.post(url, {"reason": "ушли", "version": case.version}, content_type="application/json")
    assert done.status_code == 200 and (done.json()["status"], done.json()["version"]) == (
        "lost",
        case.version + 1,
    )
    again = api.post(url, {"reason": "ушли", "version": case.version}, content_type="application/json")
    assert (
        again.status_code == 200 and again.json()["version"] == case.version + 1
    )  # the retry changed nothing
