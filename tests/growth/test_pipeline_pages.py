"""The opportunity pages: the list with its filters and totals (hand-computed), the page with its moves, the
create and edit forms (bad input re-rendered with field errors, 400; a stale edit 409; a double submit writes
once), and the query counts that stay flat however many rows there are."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from orbit.growth.models import Opportunity, OpportunityStageChange
from orbit.growth.opportunities import opportunity_create, opportunity_move
from orbit.notifications.models import Notification
from tests.factories import make_account

D = Decimal


@pytest.fixture(autouse=True)
def _people_read_english(org):
    """The pages speak the user's language: English here; the tests that check Russian switch him."""
    from orbit.org.models import User

    User.objects.update(language="en")


@pytest.fixture
def accounts(org):
    return {
        "a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»"),
        "a1": make_account(org.head, org.am_a1, legal_name="ООО «Альфа-1»"),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Бета»"),
    }


def _open(by, account, *, days=30, amount="1000.00", **kw):
    return opportunity_create(
        by=by,
        account=account,
        kind=kw.pop("kind", "upsell"),
        title=kw.pop("title", f"Deal {amount}"),
        amount=D(amount),
        expected_close_on=timezone.localdate() + dt.timedelta(days=days),
        **kw,
    )


@pytest.fixture
def deals(org, stages, accounts):
    """Three open deals of am_a (one at 30 %), one of am_a1, one of am_b, and a lost one of am_a."""
    g = stages["account_growth"]
    first = _open(org.am_a, accounts["a"], amount="100000.00", title="Licences")  # identified, 10 %
    second = _open(org.am_a, accounts["a"], amount="250000.50", title="Support", probability=35)
    third = _open(org.am_a, accounts["a"], amount="80000.00", title="Training", stage=g["identified"])
    opportunity_move(by=org.am_a, opportunity=third, stage=g["qualified"])  # 30 %
    a1 = _open(org.am_a1, accounts["a1"], amount="40000.00", title="Audit")  # 10 %
    b = _open(org.am_b, accounts["b"], amount="999999.99", title="Beta deal")
    lost = _open(org.am_a, accounts["a"], amount="5000.00", title="Lost one")
    lost = opportunity_move(
        by=org.am_a, opportunity=lost, stage=g["lost"], lost_reason=_reason(), lost_note="too dear"
    )
    return {"first": first, "second": second, "third": third, "a1": a1, "b": b, "lost": lost}


def _reason():
    from orbit.growth.models import LostReason

    return LostReason.objects.get(code="price")


def test_list_totals_are_the_hand_computed_sums_of_the_filtered_rows(client, org, deals):
    client.force_login(org.lead_a)  # sees team A and its subteam A1: a, a1 (not b)
    page = client.get(reverse("growth:opportunities"))
    assert page.status_code == 200
    listed = {o.title for o in page.context["page"].object_list}
    assert listed == {"Licences", "Support", "Training", "Audit"}  # open only, by default
    totals = page.context["totals"]
    # amount: 100 000.00 + 250 000.50 + 80 000.00 + 40 000.00 = 470 000.50
    # weighted: 100 000 × 10 % = 10 000.00; 250 000.50 × 35 % = 87 500.175; 80 000 × 30 % = 24 000.00;
    #           40 000 × 10 % = 4 000.00 → 125 500.175 → 125 500.18 (rounded once, half up)
    assert (totals.count, totals.amount, totals.weighted) == (4, D("470000.50"), D("125500.18"))
    body = page.content.decode()
    assert 'id="total-weighted"' in body
    # Filtered on the owner am_a: 100 000 + 250 000.50 + 80 000 = 430 000.50; weighted 121 500.18
    mine = client.get(reverse("growth:opportunities"), {"owner": org.am_a.pk}).context["totals"]
    assert (mine.count, mine.amount, mine.weighted) == (3, D("430000.50"), D("121500.18"))
    # The team A1 (a subteam): only am_a1's 40 000 at 10 %.
    a1 = client.get(reverse("growth:opportunities"), {"team": org.team_a1.pk}).context["totals"]
    assert (a1.count, a1.amount, a1.weighted) == (1, D("40000.00"), D("4000.00"))
    # Team A covers its subteam A1: all four.
    assert client.get(reverse("growth:opportunities"), {"team": org.team_a.pk}).context["totals"].count == 4
    lost = client.get(reverse("growth:opportunities"), {"status": "lost"}).context["totals"]
    assert (lost.count, lost.amount, lost.weighted) == (1, D("5000.00"), D("0.00"))  # lost: 0 %
    assert client.get(reverse("growth:opportunities"), {"status": "all"}).context["totals"].count == 5


def test_list_filters_stage_kind_close_month_and_sorts(client, org, stages, deals):
    client.force_login(org.head)
    g = stages["account_growth"]
    url = reverse("growth:opportunities")
    at_qualified = client.get(url, {"pipeline": g["qualified"].pipeline_id, "stage": g["qualified"].pk})
    assert [o.title for o in at_qualified.context["page"].object_list] == ["Training"]
    assert client.get(url, {"kind": "renewal"}).context["totals"].count == 0
    month = (timezone.localdate() + dt.timedelta(days=30)).strftime("%Y-%m")
    assert client.get(url, {"close_month": month}).context["totals"].count == 5
    assert client.get(url, {"close_month": "2001-01"}).context["totals"].count == 0
    by_amount = client.get(url, {"sort": "-amount"}).context["page"].object_list
    assert [o.title for o in by_amount][:2] == ["Beta deal", "Support"]
    by_weighted = client.get(url, {"sort": "-weighted"}).context["page"].object_list
    # weighted: Beta 99 999.9999 (10 %), Support 87 500.175, Training 24 000, Licences 10 000, Audit 4 000
    assert [o.title for o in by_weighted] == ["Beta deal", "Support", "Training", "Licences", "Audit"]
    assert client.get(url, {"sort": "nonsense", "owner": "x", "close_month": "13"}).status_code == 200
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "growth/pipeline/_list.html"


def test_list_costs_the_same_queries_for_few_and_many_rows(client, org, stages, accounts, deals):
    client.force_login(org.head)
    url = reverse("growth:opportunities")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(12):
        _open(org.am_b, accounts["b"], amount=f"{i + 1}000.00", kind="renewal" if i % 2 else "upsell")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_detail_shows_fields_history_and_moves(client, org, stages, deals):
    client.force_login(org.am_a)
    third = deals["third"]
    page = client.get(reverse("growth:opportunity", args=[third.pk]))
    assert page.status_code == 200
    history = page.context["history"]
    assert [(c.from_stage and c.from_stage.code, c.to_stage.code) for c in history] == [
        (None, "identified"),
        ("identified", "qualified"),
    ]
    body = page.content.decode()
    assert reverse("accounts:detail", args=[third.account_id]) in body
    assert reverse("growth:opportunity_move", args=[third.pk]) in body
    g = stages["account_growth"]
    moved = client.post(
        reverse("growth:opportunity_move", args=[third.pk]), {"stage": g["proposal"].pk, "version": 2}
    )
    assert moved.status_code == 302
    third.refresh_from_db()
    assert third.stage == g["proposal"] and third.probability == 60 and third.version == 3


def test_detail_move_refused_with_reasons_in_english_and_russian(client, org, stages, deals):
    client.force_login(org.am_a)
    first, g, nb = deals["first"], stages["account_growth"], stages["new_business"]
    url = reverse("growth:opportunity_move", args=[first.pk])
    skipped = client.post(url, {"stage": g["commitment"].pk, "version": first.version})
    assert skipped.status_code == 400
    assert "cannot be skipped" in skipped.content.decode()
    other = client.post(url, {"stage": nb["proposal"].pk, "version": first.version})
    assert other.status_code == 400
    assert "another pipeline" in other.content.decode()
    no_reason = client.post(url, {"stage": g["lost"].pk, "action": "lose", "version": first.version})
    assert no_reason.status_code == 400 and "Say why" in no_reason.content.decode()
    org.am_a.language = "ru"
    org.am_a.save(update_fields=["language"])
    russian = client.post(url, {"stage": g["commitment"].pk, "version": first.version})
    assert russian.status_code == 400
    with translation.override("ru"):
        assert "нельзя пропустить" in russian.content.decode()
    stale = client.post(url, {"stage": g["qualified"].pk, "version": first.version - 1 + 10})
    assert stale.status_code == 409
    first.refresh_from_db()
    assert (
        first.stage == g["identified"]
        and OpportunityStageChange.objects.filter(opportunity=first).count() == 1
    )


def test_lost_opportunity_reopens_with_a_new_date(client, org, stages, deals):
    client.force_login(org.am_a)
    lost, g = deals["lost"], stages["account_growth"]
    page = client.get(reverse("growth:opportunity", args=[lost.pk])).content.decode()
    assert "Reopen" in page
    new_date = timezone.localdate() + dt.timedelta(days=45)
    response = client.post(
        reverse("growth:opportunity_move", args=[lost.pk]),
        {
            "stage": g["identified"].pk,
            "action": "reopen",
            "version": lost.version,
            "expected_close_on": new_date,
        },
    )
    assert response.status_code == 302
    lost.refresh_from_db()
    assert lost.status == "open" and lost.expected_close_on == new_date and lost.lost_reason is None


def test_create_from_the_account_with_prefilled_kind_and_line_writes_once(client, org, stages, accounts):
    from orbit.revenue.models import ProductLine

    line = ProductLine.objects.create(code="svc", name_ru="Сервис", name_en="Service")
    client.force_login(org.am_a)
    url = reverse("growth:opportunity_create")
    form = client.get(url, {"account": accounts["a"].pk, "kind": "cross_sell", "product_line": line.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["kind"] == "cross_sell"
    assert form.context["form"].initial["product_line"] == line.pk
    data = {
        "account": accounts["a"].pk,
        "title": "Service contract",
        "kind": "cross_sell",
        "amount": "1 500 000,00",
        "currency": "RUB",
        "expected_close_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "product_line": line.pk,
        "idempotency_key": "k-1",
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    created = Opportunity.objects.get(title="Service contract")
    assert created.amount == D("1500000.00") and created.product_line == line
    assert created.pipeline.code == "account_growth" and created.probability == 10
    assert first.url == reverse("growth:opportunity", args=[created.pk])
    assert Opportunity.objects.filter(title="Service contract").count() == 1


def test_the_owner_is_told_with_a_link_to_the_opportunity(org, stages, accounts):
    opp = _open(org.lead_a, accounts["a"])  # the owner is am_a, the account's manager
    note = Notification.objects.get(recipient=org.am_a, kind="opportunity_assigned")
    assert note.url == reverse("growth:opportunity", args=[opp.pk])


@pytest.mark.parametrize(
    ("field", "value", "english", "russian"),
    [
        ("amount", "-5", "cannot be negative", "не может быть отрицательной"),
        ("probability", "101", "from 0 to 100", "от 0 до 100"),
        ("expected_close_on", "2020-01-01", "in the past", "в прошлом"),
    ],
)
def test_bad_input_re_renders_the_form_with_field_errors(
    client, org, stages, accounts, field, value, english, russian
):
    client.force_login(org.am_a)
    data = {
        "account": accounts["a"].pk,
        "title": "Bad",
        "kind": "upsell",
        "amount": "100",
        "currency": "RUB",
        "expected_close_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        field: value,
    }
    response = client.post(reverse("growth:opportunity_create"), data)
    assert response.status_code == 400
    assert any(english in e for e in response.context["form"].errors[field])
    org.am_a.language = "ru"
    org.am_a.save(update_fields=["language"])
    response = client.post(reverse("growth:opportunity_create"), data)
    assert response.status_code == 400
    assert russian in " ".join(response.context["form"].errors[field])
    assert not Opportunity.objects.filter(title="Bad").exists()


def test_create_form_refuses_skipped_stage_and_other_pipeline(client, org, stages, accounts):
    client.force_login(org.am_a)
    base = {
        "account": accounts["a"].pk,
        "title": "Skip",
        "kind": "upsell",
        "amount": "100",
        "currency": "RUB",
        "expected_close_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
    }
    g, nb = stages["account_growth"], stages["new_business"]
    skipped = client.post(reverse("growth:opportunity_create"), base | {"stage": g["commitment"].pk})
    assert skipped.status_code == 400 and "cannot be skipped" in " ".join(
        skipped.context["form"].errors["stage"]
    )
    other = client.post(
        reverse("growth:opportunity_create"),
        base | {"pipeline": g["identified"].pipeline_id, "stage": nb["qualification"].pk},
    )
    assert other.status_code == 400 and "another pipeline" in " ".join(other.context["form"].errors["stage"])
    assert not Opportunity.objects.filter(title="Skip").exists()


def test_create_needs_an_account_the_user_may_work(client, org, stages, accounts):
    url = reverse("growth:opportunity_create")
    client.force_login(org.am_a)
    assert client.get(url).status_code == 400  # no account: says where to start
    assert client.get(url, {"account": accounts["b"].pk}).status_code == 404  # not his to see
    client.force_login(org.auditor)
    assert client.get(url, {"account": accounts["a"].pk}).status_code == 403  # sees, does not sell


def test_edit_with_a_stale_version_is_a_conflict_that_keeps_the_input(client, org, stages, deals):
    client.force_login(org.am_a)
    first = deals["first"]
    url = reverse("growth:opportunity_edit", args=[first.pk])
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"]["version"].value() == first.version
    data = {
        "title": "Licences, 200 seats",
        "kind": "upsell",
        "amount": "200000",
        "currency": "RUB",
        "probability": "20",
        "expected_close_on": first.expected_close_on.isoformat(),
        "owner": org.am_a.pk,
        "version": first.version,
    }
    assert client.post(url, data).status_code == 302
    first.refresh_from_db()
    assert (first.title, first.amount, first.probability, first.version) == (
        "Licences, 200 seats",
        200000,
        20,
        2,
    )
    stale = client.post(url, data | {"title": "Mine"})
    assert stale.status_code == 409
    assert stale.context["form"].data["version"] == 2  # armed: saving again overwrites deliberately
    assert "changed by someone else" in stale.content.decode()
    first.refresh_from_db()
    assert first.title == "Licences, 200 seats"
    bad = client.post(url, data | {"version": 2, "amount": "-1"})
    assert bad.status_code == 400 and bad.context["form"].errors["amount"]


def test_queries_of_the_opportunity_page_do_not_grow_with_its_history(client, org, stages, deals):
    client.force_login(org.am_a)
    third, g = deals["third"], stages["account_growth"]
    url = reverse("growth:opportunity", args=[third.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for stage in ("proposal", "qualified", "proposal", "commitment"):
        third = opportunity_move(by=org.am_a, opportunity=third, stage=g[stage])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
