"""SLA policies: overlapping active rules are refused with a field error; the most specific rule wins."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from orbit.requests import services, sla
from orbit.requests.models import Priority, RequestType, SlaPolicy


def _rule(org, request_type="", priority="", first="2", resolution="10", **extra):
    return services.sla_policy_save(
        by=org.head,
        request_type=request_type,
        priority=priority,
        first_response_hours=Decimal(first),
        resolution_hours=Decimal(resolution),
        calendar=None,
        active=True,
        **extra,
    )


def test_the_most_specific_rule_wins(org):
    # Seeded: any type with each priority. Add any+any, complaint+any, complaint+critical.
    any_any = _rule(org, first="24", resolution="120")
    complaint_any = _rule(org, RequestType.COMPLAINT, first="4", resolution="24")
    complaint_critical = _rule(org, RequestType.COMPLAINT, Priority.CRITICAL, first="0.5", resolution="4")
    assert sla.policy_for(RequestType.COMPLAINT, Priority.CRITICAL) == complaint_critical
    assert sla.policy_for(RequestType.COMPLAINT, Priority.LOW) == complaint_any
    seeded_high = SlaPolicy.objects.get(request_type="", priority=Priority.HIGH)
    assert sla.policy_for(RequestType.QUESTION, Priority.HIGH) == seeded_high
    seeded_high.active = False
    seeded_high.save()
    assert sla.policy_for(RequestType.QUESTION, Priority.HIGH) == any_any


def test_an_overlapping_active_rule_is_refused_and_nothing_saved(org):
    before = SlaPolicy.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _rule(org, "", Priority.CRITICAL, first="2", resolution="6")
    assert set(error.value.message_dict) == {"request_type", "priority"}
    assert error.value.message_dict["priority"] == [
        "An active rule for any type and Critical already exists (first response 1 h, resolution 8 h). "
        "Both would apply to the same requests: change that rule or deactivate it first."
    ]
    assert SlaPolicy.objects.count() == before
    # An inactive twin is fine, and so is a rule of another specificity for the same requests.
    services.sla_policy_save(
        by=org.head,
        request_type="",
        priority=Priority.CRITICAL,
        first_response_hours=Decimal("2"),
        resolution_hours=Decimal("6"),
        calendar=None,
        active=False,
    )
    _rule(org, RequestType.INCIDENT, Priority.CRITICAL)
    assert SlaPolicy.objects.count() == before + 2


def test_reactivating_into_an_overlap_is_refused(org):
    old = SlaPolicy.objects.get(request_type="", priority=Priority.LOW)
    services.sla_policy_save(by=org.head, policy=old, active=False)
    replacement = _rule(org, "", Priority.LOW, first="12", resolution="60")
    with pytest.raises(ValidationError):
        services.sla_policy_save(by=org.head, policy=old, active=True)
    old.refresh_from_db()
    assert old.active is False
    assert sla.policy_for(RequestType.QUESTION, Priority.LOW) == replacement


def test_hours_are_validated_per_field(org):
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        _rule(org, RequestType.DOCUMENTS, "", first="0", resolution="5")
    assert error.value.message_dict == {
        "first_response_hours": ["Укажите положительное число рабочих часов."]
    }
    with pytest.raises(ValidationError) as error:
        _rule(org, RequestType.DOCUMENTS, "", first="8", resolution="4")
    assert list(error.value.message_dict) == ["resolution_hours"]


@pytest.mark.parametrize("persona", ["am_a", "lead_a", "auditor"])
def test_only_the_head_and_admins_set_policies(org, persona):
    with pytest.raises(PermissionDenied):
        _rule_by(org, getattr(org, persona))


def _rule_by(org, user):
    return services.sla_policy_save(
        by=user,
        request_type=RequestType.DOCUMENTS,
        priority="",
        first_response_hours=Decimal(1),
        resolution_hours=Decimal(2),
        calendar=None,
        active=True,
    )


def test_policy_page_shows_the_overlap_next_to_the_fields(org, client):
    client.force_login(org.head)
    org.head.language = "ru"
    org.head.save()
    response = client.post(
        reverse("requests:policies"),
        {
            "request_type": "",
            "priority": "normal",
            "first_response_hours": "4",
            "resolution_hours": "20",
            "active": "on",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "priority" in form.errors and "Уже есть действующее правило" in form.errors["priority"][0]
    response = client.post(
        reverse("requests:policies"),
        {
            "request_type": "complaint",
            "priority": "normal",
            "first_response_hours": "4",
            "resolution_hours": "20",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert SlaPolicy.objects.filter(request_type="complaint", priority="normal", active=True).exists()
