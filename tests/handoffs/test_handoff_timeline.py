from django.utils import translation

from orbit.accounts.history import account_timeline
from orbit.handoffs import services
from tests.handoffs.test_handoff_flow import _walk_to_acceptance, won  # noqa: F401  (fixture)


def test_the_handoff_tells_its_story_on_the_timeline(org, won, django_assert_max_num_queries):  # noqa: F811
    handoff = _walk_to_acceptance(org, won, org.am_a)
    services.handoff_accept(by=org.am_a, handoff=handoff, comment="Бриф понятен")
    with translation.override("en"), django_assert_max_num_queries(4):
        events = account_timeline(won, kind="handoff")
    story = [(e.title, e.actor.username if e.actor else None) for e in reversed(events)]
    assert story[:4] == [
        ("Handoff started: Sales → Am_A", "sales"),
        ("Write the brief", "sales"),
        ("Receiver joins the last stages of the deal", "am_a"),
        ("Joint meeting with the client", "sales"),
    ]
    # the acceptance step and the decision happen at the same moment
    assert set(story[4:]) == {
        ("Accept or reject the account", "am_a"),
        ("Handoff: Accepted, check-up pending", "am_a"),
    }
    decision = next(e for e in events if e.title.startswith("Handoff:"))
    assert decision.changes[0].new == "Бриф понятен"
    everything = {e.kind for e in account_timeline(won)}
    assert {"handoff", "ownership", "account"} <= everything
