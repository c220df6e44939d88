"""Every date and time input of every form renders a value the browser accepts, in Russian and English.

<input type="date"> takes only YYYY-MM-DD and "datetime-local" only YYYY-MM-DDTHH:MM: a default rendered in
the Russian format (02.12.2026) shows an empty field, and submitting it fails with "required" (issue 10, #3).
"""

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

import orbit
from orbit.activities.models import Task
from orbit.common.forms import DateInput, DateTimeInput, MonthInput, TimeInput
from tests.clock import local
from tests.factories import make_account
from tests.growth.rows import growth_rows

LANGUAGES = ["ru", "en"]
ISO = {
    DateInput: (re.compile(r"^\d{4}-\d{2}-\d{2}$"), dt.date(2026, 12, 2)),
    DateTimeInput: (re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"), None),  # a local moment, made per test
    TimeInput: (re.compile(r"^\d{2}:\d{2}$"), dt.time(9, 30)),
    MonthInput: (re.compile(r"^\d{4}-\d{2}$"), dt.date(2026, 12, 1)),  # a month picker: its first day
}
WIDGET_FOR = {forms.DateField: DateInput, forms.DateTimeField: DateTimeInput, forms.TimeField: TimeInput}


def _orbit_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(orbit.__path__, "orbit."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("orbit."):
                found.add(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


ORBIT_FORMS = _orbit_forms()


def _temporal_fields(form_class):
    for name, field in form_class.base_fields.items():
        for kind, widget in WIDGET_FOR.items():
            if isinstance(field, kind):
                # A date field may be a month picker (filters by month): the month input, "2026-12".
                yield name, field, MonthInput if isinstance(field.widget, MonthInput) else widget


def test_the_forms_are_found():
    names = {c.__name__ for c in ORBIT_FORMS}
    assert {"TaskForm", "ReassignmentReportForm", "CoverForm", "RequestForm", "CalendarForm"} <= names
    assert sum(1 for c in ORBIT_FORMS for _ in _temporal_fields(c)) >= 12


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("form_class", ORBIT_FORMS, ids=lambda c: c.__name__)
def test_every_date_input_renders_and_reads_back_iso(form_class, language):
    for name, field, widget_class in _temporal_fields(form_class):
        assert isinstance(field.widget, widget_class), f"{form_class.__name__}.{name}: use {widget_class}"
        pattern, value = ISO[widget_class]
        if value is None:
            value = local(2026, 12, 2, 0, 30)
        with translation.override(language):
            html = field.widget.render(name, value)
            rendered = re.search(r'value="([^"]*)"', html).group(1)
            assert pattern.match(rendered), f"{form_class.__name__}.{name} in {language}: {rendered!r}"
            assert field.clean(field.widget.value_from_datadict({name: rendered}, {}, name)) == value


def _bound_values(form) -> dict[str, str]:
    """The value attribute each temporal field of the form renders with its initial data ('' when empty)."""
    values = {}
    for name, _field, _widget in _temporal_fields(type(form)):
        value = re.search(r'value="([^"]*)"', str(form[name]))
        values[name] = value.group(1) if value else ""
    return values


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("form_class", ORBIT_FORMS, ids=lambda c: c.__name__)
def test_every_form_renders_its_initial_dates_in_iso(db, form_class, language, org):
    """Forms that need no arguments, rendered as a page would show them, with their own initial values."""
    if not any(_temporal_fields(form_class)):
        return
    # What the views pass: the acting user, and the account for the forms that are always about one (the
    # contract and order forms); the touch and task forms take an optional account (none here).
    params = inspect.signature(form_class.__init__).parameters
    kwargs = {"user": org.head} if "user" in params else {}
    if "account" in params and params["account"].default is inspect.Parameter.empty:
        kwargs["account"] = make_account(org.head, org.am_a)
    if "project" in params and params["project"].default is inspect.Parameter.empty:  # planned work's form
        kwargs["project"] = growth_rows(make_account(org.head, org.am_a), by=org.head).project
    form = form_class(**kwargs)
    with translation.override(language):
        for name, value in _bound_values(form).items():
            widget_class = dict((n, w) for n, _f, w in _temporal_fields(form_class))[name]
            assert value == "" or ISO[widget_class][0].match(value), (
                f"{form_class.__name__}.{name}: {value!r}"
            )


def _inputs(html: str) -> dict[str, tuple[str, str]]:
    """name -> (type, value) of the page's date and time inputs."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        if kind in ("date", "datetime-local", "time"):
            value = re.search(r'value="([^"]*)"', tag)
            found[re.search(r'name="([^"]+)"', tag).group(1)] = (kind, value.group(1) if value else "")
    return found


@pytest.mark.clock
@pytest.mark.parametrize("language", LANGUAGES)
def test_new_task_submits_its_default_due_day(client, org, language):
    org.am_a.language = language
    org.am_a.save(update_fields=["language"])
    client.force_login(org.am_a)
    page = client.get(reverse("activities:task_create")).content.decode()
    inputs = _inputs(page)
    assert inputs["due_on"] == ("date", timezone.localdate().isoformat())
    response = client.post(
        reverse("activities:task_create"),
        {"title": "Сверка", "assignee": org.am_a.pk, "due_on": inputs["due_on"][1], "remind_at": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Task.objects.get(title="Сверка").due_on == timezone.localdate()


@pytest.mark.clock
@pytest.mark.parametrize("language", LANGUAGES)
def test_reassignment_report_resubmits_its_default_period(client, org, language):
    org.head.language = language
    org.head.save(update_fields=["language"])
    client.force_login(org.head)
    inputs = _inputs(client.get(reverse("accounts:reassignments")).content.decode())
    today = timezone.localdate()
    assert inputs["start"] == ("date", (today - dt.timedelta(days=90)).isoformat())
    assert inputs["end"] == ("date", today.isoformat())
    response = client.get(reverse("accounts:reassignments"), {k: v for k, (_t, v) in inputs.items()})
    assert response.context["form"].is_valid(), response.context["form"].errors
