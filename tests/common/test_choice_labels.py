"""`get_<field>_display` answers as Django's own does (orbit/common/models.py keeps each field's labels)."""

from django.utils import translation

from orbit.accounts.models import Account, AccountStatus, Tier


def test_labels_follow_the_active_language_after_the_first_call():
    account = Account(status=AccountStatus.ACTIVE, tier=Tier.KEY)
    for _ in range(2):  # the labels are kept after the first call; the language is still each call's
        with translation.override("en"):
            assert (account.get_status_display(), account.get_tier_display()) == ("Active", "Key account")
        with translation.override("ru"):
            assert (account.get_status_display(), account.get_tier_display()) == (
                "Активный",
                "Ключевой клиент",
            )


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Account(status="no-such-status").get_status_display() == "no-such-status"
