import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from orbit.accounts import services
from orbit.accounts.models import Account, AccountStatus
from orbit.common.errors import ConflictError
from tests.factories import make_account


def test_create_active_account_with_its_manager(org):
    account = services.account_create(
        by=org.am_a,
        status=AccountStatus.ACTIVE,
        responsible_manager=org.am_a,
        legal_name="ООО «Ромашка»",
        inn="7707083893",
        kpp="773601001",
    )
    assert (account.created_by, account.responsible_manager, account.version) == (org.am_a, org.am_a, 2)
    assert account.search_text == "ооо «ромашка» 7707083893"


def test_duplicate_inn_names_the_existing_account(org):
    first = make_account(
        org.head,
        org.am_a,
        legal_name="ПАО «Сбербанк России»",
        short_name="Сбербанк",
        inn="7707083893",
        kpp="773601001",
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        make_account(org.head, org.am_b, inn="7707083893", kpp="773601001")
    message = error.value.message_dict["inn"][0]
    assert "Сбербанк" in message and f"№{first.pk}" in message
    assert Account.objects.filter(inn="7707083893").count() == 1


def test_archived_account_frees_its_inn(org):
    first = make_account(org.head, org.am_a, inn="7707083893", kpp="773601001")
    first.archived_at = first.created_at
    first.save(update_fields=["archived_at"])
    make_account(org.head, org.am_a, inn="7707083893", kpp="773601001")


@pytest.mark.parametrize(
    ("inn", "kpp", "field"),
    [
        ("7707083894", "773601001", "inn"),
        ("7707083893", "", "kpp"),
        ("500100732259", "773601001", "kpp"),
        ("7707083893", "77360100", "kpp"),
    ],
)
def test_tax_ids_are_checked_field_by_field(org, inn, kpp, field):
    with pytest.raises(ValidationError) as error:
        make_account(org.head, org.am_a, inn=inn, kpp=kpp)
    assert field in error.value.message_dict


def test_messages_follow_the_language(org):
    with translation.override("ru"):  # the message is lazy: read it in the language it is for
        with pytest.raises(ValidationError) as error:
            make_account(org.head, org.am_a, inn="7707083894", kpp="773601001")
        assert "контрольн" in error.value.message_dict["inn"][0]


def test_update_bumps_version_and_detects_a_stale_writer(org):
    account = make_account(org.head, org.am_a)
    seen = account.version
    updated = services.account_update(by=org.am_a, account=account, version=seen, goals="Рост на 20 %")
    assert updated.version == seen + 1
    with pytest.raises(ConflictError) as error:
        services.account_update(by=org.lead_a, account=account, version=seen, goals="Другое")
    assert error.value.current.goals == "Рост на 20 %"
    account.refresh_from_db()
    assert account.goals == "Рост на 20 %"


def test_holding_cannot_contain_itself(org):
    top = make_account(org.head, org.am_a)
    middle = make_account(org.head, org.am_a, parent=top)
    bottom = make_account(org.head, org.am_a, parent=middle)
    with pytest.raises(ValidationError) as error:
        services.account_update(by=org.head, account=top, version=None, parent=bottom)
    assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.account_update(by=org.head, account=top, version=None, parent=top)


def test_permission_is_checked_before_anything_is_written(org):
    account = make_account(org.head, org.am_a, goals="Исходное")
    for intruder in (org.am_b, org.auditor, org.outsider, org.lead_b):
        with pytest.raises(PermissionDenied):
            services.account_update(by=intruder, account=account, version=None, goals="Взлом")
    account.refresh_from_db()
    assert account.goals == "Исходное"


def test_lead_may_edit_his_team_tree(org):
    account = make_account(org.head, org.am_a1)  # sub-team of lead_a's team
    services.account_update(by=org.lead_a, account=account, version=None, tier="A")


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (AccountStatus.ACTIVE, AccountStatus.DORMANT, True),
        (AccountStatus.DORMANT, AccountStatus.REACTIVATED, True),
        (AccountStatus.CHURNED, AccountStatus.REACTIVATED, True),
        (AccountStatus.REACTIVATED, AccountStatus.ACTIVE, True),
        (AccountStatus.ACTIVE, AccountStatus.PROSPECT, False),
        (AccountStatus.CHURNED, AccountStatus.ACTIVE, False),
    ],
)
def test_lifecycle_transitions(org, start, target, allowed):
    account = make_account(org.head, org.am_a, status=start)
    if allowed:
        assert services.account_set_status(by=org.am_a, account=account, status=target).status == target
    else:
        with pytest.raises(ValidationError):
            services.account_set_status(by=org.am_a, account=account, status=target)


def test_prospect_without_owner_cannot_become_active(org):
    prospect = make_account(org.sales, None, status=AccountStatus.PROSPECT)
    with pytest.raises(ValidationError) as error:
        services.account_set_status(by=org.sales, account=prospect, status=AccountStatus.ACTIVE)
    assert "status" in error.value.message_dict


def test_only_entitled_people_reassign(org):
    account = make_account(org.head, org.am_a)
    with pytest.raises(PermissionDenied):
        services.account_reassign(by=org.am_a, account=account, manager=org.am_b)  # not his call
    with pytest.raises(PermissionDenied):
        services.account_reassign(by=org.lead_a, account=account, manager=org.am_b)  # outside his team
    services.account_reassign(by=org.lead_a, account=account, manager=org.am_a1)
    services.account_reassign(by=org.head, account=account, manager=org.am_b)
    account.refresh_from_db()
    assert account.responsible_manager == org.am_b


def test_contact_phone_is_normalised_and_consent_needs_a_date(org):
    account = make_account(org.head, org.am_a)
    contact = services.contact_create(
        by=org.am_a, account=account, full_name="Иван Петров", phone="8 916 123 45 67"
    )
    assert contact.phone == "+79161234567"
    with pytest.raises(ValidationError) as error:
        services.contact_create(by=org.am_a, account=account, full_name="Мария", consent_given=True)
    assert "consent_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.contact_create(by=org.am_a, account=account, full_name="Мария", email="not-an-email")
    assert "email" in error.value.message_dict


def test_duplicate_inn_of_an_invisible_account_does_not_reveal_it(org):
    make_account(org.head, org.am_b, legal_name="ООО «Секрет»", inn="7707083893", kpp="773601001")
    with pytest.raises(ValidationError) as error:
        make_account(org.am_a, org.am_a, inn="7707083893", kpp="773601001")
    message = error.value.message_dict["inn"][0]
    assert "Секрет" not in message and "№" not in message
