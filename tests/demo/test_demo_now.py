"""The demo never shows an event later than the moment it was seeded (issue 10, defect 1): touches done, requests
received and answered, comments, handoffs decided, periods started — all in the past, at any hour (the
clocks of tests/clock.py: around local midnight, before 03:00 Moscow, on DST days). Only planned things (a
planned touch, a task's due day, an SLA deadline, a reminder, a handoff step's due date, a project's planned work) lie ahead."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from orbit.demo import generator

pytestmark = pytest.mark.clock

# Deadlines and plans (and the deadline a warning was sent for): in the future by nature.
AHEAD = {
    "first_response_due",
    "resolution_due",
    "first_response_warned_for",
    "resolution_warned_for",
    "remind_at",
}
# Planned by nature on one model only (the same names elsewhere are events that happened).
AHEAD_ON = {("growth.PlannedWork", "starts_at"), ("growth.PlannedWork", "ends_at")}


def _moments():
    """(model, field) for every moment Orbit stores, history tables included."""
    for model in apps.get_models():
        if not model.__module__.startswith("orbit."):
            continue
        for field in model._meta.concrete_fields:
            ahead = field.name in AHEAD or (model._meta.label, field.name) in AHEAD_ON
            if isinstance(field, models.DateTimeField) and not ahead:
                yield model, field.name


def test_no_demo_event_is_later_than_now(db, at_clock):
    # Rows the migrations wrote (before the clock was set) are not the demo's.
    before = {model: set(model._default_manager.values_list("pk", flat=True)) for model, _n in _moments()}
    generator.seed(accounts=200, seed=3)
    now = timezone.now()
    late = {
        f"{model._meta.label}.{name}": model._default_manager.filter(**{f"{name}__gt": now})
        .exclude(pk__in=before[model])
        .count()
        for model, name in _moments()
    }
    assert {k: n for k, n in late.items() if n} == {}
