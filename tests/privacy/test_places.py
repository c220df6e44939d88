"""Every model that can hold a contact's personal data is handled by erasure or declared as holding none.

The models are found in the app registry (django.apps), history and many-to-many tables included: every model
with a path to an account (the scoping guard's search, tests/access/test_scoping_guard.py) or to a contact within
two steps, and the records of imports and exports, which belong to no account. Their fields that can hold a
person's data are every CharField, TextField, EmailField and JSONField that is not a code from a fixed list.
A new model or field fails here until orbit/privacy/places.py says what erasure does with it.
"""

from django.apps import apps
from django.db import models

from orbit.accounts.models import Contact
from orbit.privacy.places import NOT_CONTACT_DATA, PLACES, SPECIAL
from tests.access.test_scoping_guard import account_linked_models, reaches

# Records that name no account and may still carry a person's data: an import's file name and row report, an
# export's filters and file.
NOT_AN_ACCOUNTS = ("imports.ImportBatch", "imports.ExportLog")


def candidate_models() -> list:
    found = {m._meta.label: m for m in account_linked_models()}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.abstract and not model._meta.proxy and reaches(model, Contact, depth=2):
            found[model._meta.label] = model
    for label in NOT_AN_ACCOUNTS:
        found[label] = apps.get_model(label)
    return sorted(found.values(), key=lambda m: m._meta.label)


def personal_fields(model) -> set[str]:
    return {
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField) and not field.choices
    }


def problems(places=PLACES, special=SPECIAL, not_data=NOT_CONTACT_DATA) -> list[str]:
    handled = {p.label: set(p.scrubbed) | set(p.kept) for p in places}
    handled |= {label: set(s["replaced"]) | set(s["kept"]) for label, s in special.items()}
    found = []
    seen = set()
    for model in candidate_models():
        label = model._meta.label
        seen.add(label)
        fields = personal_fields(model)
        if not fields or label in not_data:
            continue
        if label not in handled:
            found.append(
                f"{label} ({sorted(fields)}) is neither erased (places.PLACES) nor in NOT_CONTACT_DATA"
            )
        elif handled[label] != fields:
            missing, stale = fields - handled[label], handled[label] - fields
            found.append(
                f"{label}: fields not said scrubbed or kept {sorted(missing)}, unknown {sorted(stale)}"
            )
    for label in set(handled) | set(not_data):
        if label not in seen:
            found.append(
                f"{label} is declared but no longer found among the models that can hold contact data"
            )
    return found


def test_every_model_that_can_hold_contact_data_is_erased_or_declared():
    assert problems() == []


def test_the_walk_sees_history_and_through_tables():
    labels = {m._meta.label for m in candidate_models()}
    assert {
        "accounts.HistoricalContact",
        "activities.HistoricalTouch",
        "activities.HistoricalTouch_contacts",
        "requests.Attachment",
        "privacy.ConsentRecord",
        "imports.ImportedRow",
    } <= labels


def test_a_place_left_out_is_reported():
    without_comments = tuple(p for p in PLACES if p.label != "requests.RequestComment")
    assert problems(places=without_comments) == [
        "requests.RequestComment (['text']) is neither erased (places.PLACES) nor in NOT_CONTACT_DATA"
    ]


def test_every_kept_field_says_why():
    for place in PLACES:
        assert all(reason.strip() for reason in place.kept.values()), place.label
    assert all(reason.strip() for reason in NOT_CONTACT_DATA.values())
