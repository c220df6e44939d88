"""A lead opens the People tab (his span: one direct report, "could take more"), opens his manager's profile,
assesses a competency and sees the level with its trend; the manager reads his own profile without forms."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.staffing.models import Competency, CompetencyAssessment
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD


def test_a_lead_assesses_his_manager(org, page):
    negotiation = Competency.objects.create(code="negotiation", name_ru="Переговоры", name_en="Negotiation")
    CompetencyAssessment.objects.create(
        person=org.am_a,
        competency=negotiation,
        level=2,
        assessed_on=timezone.localdate() - dt.timedelta(days=200),
        assessed_by=org.lead_a,
    )
    login(page, "lead_a", PASSWORD)
    page.goto("/managers/staffing/")
    settle(page)
    expect(page.locator("tr[data-span='under']")).to_contain_text("может взять больше")
    page.get_by_role("link", name="Am_A").first.click()
    settle(page)
    form = page.get_by_role("form", name="Новая оценка")
    form.get_by_label("Компетенция").select_option(label="Переговоры")
    form.get_by_label("Уровень").fill("4")
    form.get_by_role("button", name="Сохранить оценку").click()
    settle(page)
    row = page.locator("tr", has_text="Переговоры").first
    expect(row).to_contain_text("4 / 5")
    expect(row).to_contain_text("рост")
    screenshot(page, "staffing-profile")
    assert CompetencyAssessment.objects.filter(person=org.am_a).count() == 2

    page.context.clear_cookies()
    login(page, "am_a", PASSWORD)
    page.goto(f"/managers/staffing/people/{org.am_a.pk}/")
    settle(page)
    expect(page.get_by_text("только чтение")).to_be_visible()
    expect(page.get_by_role("form", name="Новая оценка")).to_have_count(0)
