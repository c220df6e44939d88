"""Manager profiles: who reads and writes them, field errors in Russian and English, history and trend, the
version check on edits, one row for a double submit."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.staffing import profiles, selectors
from orbit.staffing.models import Competency, CompetencyAssessment, LeadAssessment, Training

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiation(db):
    return Competency.objects.create(code="negotiation", name_ru="Переговоры", name_en="Negotiation")


def _assess(client, person, competency, **data):
    payload = {"competency": competency.pk, "level": 3, "assessed_on": "2026-01-15", **data}
    return client.post(reverse("staffing:assess", args=[person.pk]), payload)


def test_a_manager_reads_only_his_own_profile(org, client, negotiation):
    client.force_login(org.am_a)
    assert client.get(reverse("staffing:profile", args=[org.am_a.pk])).status_code == 200
    assert _assess(client, org.am_a, negotiation).status_code == 403  # never his own assessment
    for colleague in (org.am_b, org.am_a1, org.lead_a, org.head):
        assert client.get(reverse("staffing:profile", args=[colleague.pk])).status_code == 404
        assert _assess(client, colleague, negotiation).status_code == 404
    training = Training.objects.create(
        person=org.am_b, course="c", started_on=dt.date(2026, 1, 1), created_by=org.head
    )
    assert client.get(reverse("staffing:training_edit", args=[training.pk])).status_code == 404
    assert not CompetencyAssessment.objects.exists()
    people = client.get(reverse("staffing:people")).context["people"]
    assert [p.pk for p in people] == [org.am_a.pk]


def test_the_auditor_reads_no_profile(org, client):
    client.force_login(org.auditor)
    assert client.get(reverse("staffing:profile", args=[org.am_a.pk])).status_code == 404


def test_the_lead_assesses_his_people_and_the_history_is_the_trend(org, client, negotiation):
    client.force_login(org.lead_a)
    assert _assess(client, org.am_a1, negotiation, level=2, assessed_on="2026-01-15").status_code == 302
    assert _assess(client, org.am_a1, negotiation, level=4, assessed_on="2026-06-01").status_code == 302
    assert _assess(client, org.am_b, negotiation).status_code == 404  # not his
    (line,) = selectors.profile(org.lead_a, org.am_a1).lines
    assert [a.level for a in line.history] == [2, 4] and line.latest.level == 4 and line.trend == "up"
    page = client.get(reverse("staffing:profile", args=[org.am_a1.pk])).content.decode()
    assert "4 / 5" in page


def test_a_double_submit_writes_one_assessment(org, client, negotiation):
    client.force_login(org.head)
    for _ in range(2):
        response = client.post(
            reverse("staffing:lead_assessment", args=[org.am_a.pk]),
            {"text": "Сильный переговорщик", "written_on": "2026-01-15", "idempotency_key": "k-1"},
        )
        assert response.status_code == 302
    assert LeadAssessment.objects.filter(person=org.am_a).count() == 1


@pytest.mark.parametrize(
    ("language", "level_error", "future_error"),
    [
        ("en", "The level is from 1 to 5.", "The date is in the future: enter a day that has come."),
        ("ru", "Уровень — от 1 до 5.", "Дата в будущем: укажите день, который уже наступил."),
    ],
)
def test_field_errors_in_both_languages(org, client, negotiation, language, level_error, future_error):
    org.lead_a.language = language
    org.lead_a.save()
    client.force_login(org.lead_a)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _assess(client, org.am_a, negotiation, level=9)
    assert response.status_code == 400
    assert response.context["assess_form"].errors["level"] == [level_error]
    response = client.post(
        reverse("staffing:training_add", args=[org.am_a.pk]),
        {"course": "Переговоры", "started_on": "2026-01-10", "finished_on": tomorrow},
    )
    assert response.status_code == 400
    assert response.context["training_form"].errors["finished_on"] == [future_error]
    assert not CompetencyAssessment.objects.exists() and not Training.objects.exists()


def test_a_course_cannot_finish_before_it_starts_nor_lack_a_name(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        profiles.training_add(
            by=org.head,
            person=org.am_a,
            course=" ",
            started_on=dt.date(2026, 3, 1),
            finished_on=dt.date(2026, 2, 1),
        )
    assert set(refused.value.error_dict) == {"course", "finished_on"}


def test_a_stale_version_is_a_conflict(org, client):
    training = profiles.training_add(
        by=org.head, person=org.am_a, course="Переговоры", started_on=dt.date(2026, 1, 10)
    )
    profiles.training_update(by=org.lead_a, training=training, version=1, provider="Школа продаж")
    client.force_login(org.head)
    response = client.post(
        reverse("staffing:training_edit", args=[training.pk]),
        {"course": "Переговоры 2", "started_on": "2026-01-10", "version": 1},
    )
    assert response.status_code == 409
    training.refresh_from_db()
    assert training.course == "Переговоры" and training.provider == "Школа продаж" and training.version == 2


def test_only_the_head_edits_competencies(org, client, negotiation):
    client.force_login(org.lead_a)
    assert client.get(reverse("staffing:competencies")).status_code == 403
    client.force_login(org.head)
    response = client.post(
        reverse("staffing:competencies"),
        {"code": "negotiation", "name_ru": "x", "name_en": "y", "position": 0},
    )
    assert response.status_code == 400 and "code" in response.context["form"].errors
    response = client.post(
        reverse("staffing:competency_edit", args=[negotiation.pk]),
        {
            "code": "negotiation",
            "name_ru": "Переговоры",
            "name_en": "Negotiation",
            "position": 1,
            "version": 1,
        },
    )
    assert response.status_code == 302
    negotiation.refresh_from_db()
    assert negotiation.position == 1 and negotiation.version == 2
