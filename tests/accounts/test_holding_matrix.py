from django.urls import reverse

from orbit.accounts import team
from orbit.accounts.models import TeamRole
from orbit.activities import services as activities
from tests.factories import make_account


def test_the_matrix_shows_subsidiaries_their_national_managers_and_only_what_the_user_sees(
    client, org, django_assert_max_num_queries
):
    top = make_account(org.head, org.am_a1, legal_name="АО «Холдинг Восток»")
    east = make_account(org.head, org.am_a, legal_name="ООО «Восток-Сибирь»", parent=top)
    west = make_account(org.head, org.am_a1, legal_name="ООО «Восток-Запад»", parent=top)
    foreign = make_account(org.head, org.am_b, legal_name="ООО «Восток-Юг»", parent=top)
    team.team_member_add(by=org.head, account=top, user=org.am_a1, role=TeamRole.GLOBAL_ACCOUNT_MANAGER)
    for account, manager in ((east, org.am_a), (west, org.am_a1), (foreign, org.am_b)):
        team.team_member_add(
            by=org.head, account=account, user=manager, role=TeamRole.NATIONAL_ACCOUNT_MANAGER
        )
    activities.touch_log(by=org.am_a, account=east, duration_minutes=20, outcome="Созвон")

    client.force_login(org.head)
    url = reverse("accounts:holding", args=[east.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    matrix = response.context["matrix"]
    assert [r.account.legal_name for r in matrix.rows] == [
        "АО «Холдинг Восток»",
        "ООО «Восток-Запад»",
        "ООО «Восток-Сибирь»",
        "ООО «Восток-Юг»",
    ]
    assert [m.username for m in matrix.global_managers] == ["am_a1"]
    assert [m.username for m in matrix.national_managers] == ["am_a", "am_a1", "am_b"]
    marks = {r.account.legal_name: r.marks for r in matrix.rows}
    assert marks["ООО «Восток-Сибирь»"] == [True, False, False]
    assert next(r for r in matrix.rows if r.account == east).last_touch is not None

    client.force_login(org.lead_a)  # sees his team's companies only: not am_b's «Восток-Юг»
    names = [r.account.legal_name for r in client.get(url).context["matrix"].rows]
    assert "ООО «Восток-Юг»" not in names and len(names) == 3
    client.force_login(org.am_b)
    assert client.get(url).status_code == 404  # «Восток-Сибирь» is not his
