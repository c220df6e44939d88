import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from orbit.access.policy import can_change_account, visible_accounts
from orbit.accounts import services
from orbit.handoffs import covers
from orbit.handoffs.models import Cover
from tests.factories import make_account


def today():
    """The local day of the test's clock (not of its import: tests run at fixed clock times)."""
    return timezone.localdate()


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.clock
def test_deputy_works_the_accounts_only_during_the_cover(org):
    mine = make_account(org.head, org.am_a)
    other = make_account(org.head, org.am_b)
    cover = covers.cover_create(
        by=org.am_a,
        owner=org.am_a,
        deputy=org.am_b,
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=13),
        reason="vacation",
    )
    deputy = _fresh(org.am_b)
    assert set(visible_accounts(deputy).values_list("pk", flat=True)) == {mine.pk, other.pk}
    assert can_change_account(deputy, mine)
    mine.refresh_from_db()
    assert mine.responsible_manager == org.am_a  # responsibility and credit stay with the owner
    Cover.objects.filter(pk=cover.pk).update(
        starts_on=today() - dt.timedelta(days=20), ends_on=today() - dt.timedelta(days=1)
    )
    assert set(visible_accounts(_fresh(org.am_b)).values_list("pk", flat=True)) == {
        other.pk
    }  # over by itself


def test_partial_cover_and_its_summary(org):
    covered = make_account(org.head, org.am_a, legal_name="ООО «Покрытый»")
    make_account(org.head, org.am_a, legal_name="ООО «Не покрытый»")
    cover = covers.cover_create(
        by=org.lead_a,
        owner=org.am_a,
        deputy=org.am_a1,
        starts_on=today(),
        ends_on=today(),
        reason="sick_leave",
        whole_portfolio=False,
        accounts=[covered],
    )
    deputy = _fresh(org.am_a1)
    assert list(
        visible_accounts(deputy).filter(responsible_manager=org.am_a).values_list("pk", flat=True)
    ) == [covered.pk]
    services.account_update(by=deputy, account=covered, version=None, goals="Уточнить бюджет на 2027")
    services.contact_create(by=deputy, account=covered, full_name="Новый контакт")
    [line] = covers.cover_summary(cover)
    assert line.account == covered
    assert {e.kind for e in line.events} == {"account", "contact"}


@pytest.mark.clock
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deputy": "am_a"}, "deputy"),
        ({"deputy": "outsider"}, "deputy"),
        ({"ends_on": -2, "starts_on": -5}, "ends_on"),  # days from today
        ({"ends_on": 0, "starts_on": 3}, "ends_on"),
        ({"whole_portfolio": False}, "accounts"),
    ],
)
def test_bad_covers_are_refused_field_by_field(org, change, field):
    kwargs = {
        "owner": org.am_a,
        "deputy": org.am_b,
        "starts_on": today(),
        "ends_on": today() + dt.timedelta(days=5),
        "reason": "vacation",
    }
    days = {k: today() + dt.timedelta(days=v) for k, v in change.items() if k in ("starts_on", "ends_on")}
    kwargs.update({k: getattr(org, v) if k == "deputy" else v for k, v in change.items()}, **days)
    with pytest.raises(ValidationError) as error:
        covers.cover_create(by=org.am_a, **kwargs)
    assert field in error.value.message_dict
    assert not Cover.objects.exists()


def test_overlapping_covers_and_strangers_are_refused(org):
    covers.cover_create(
        by=org.am_a,
        owner=org.am_a,
        deputy=org.am_b,
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=5),
        reason="vacation",
    )
    with pytest.raises(ValidationError):
        covers.cover_create(
            by=org.am_a,
            owner=org.am_a,
            deputy=org.am_a1,
            starts_on=today() + dt.timedelta(days=3),
            ends_on=today() + dt.timedelta(days=9),
            reason="vacation",
        )
    with pytest.raises(PermissionDenied):  # nobody arranges a cover of someone else's portfolio for himself
        covers.cover_create(
            by=org.am_b,
            owner=org.am_a,
            deputy=org.am_b,
            starts_on=today() + dt.timedelta(days=30),
            ends_on=today() + dt.timedelta(days=31),
            reason="vacation",
        )
