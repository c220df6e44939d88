from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from orbit.common.errors import ConflictError
from orbit.common.validators import validate_reasonable_date

# The browser's pickers take and send only ISO values, whatever the page's language: a date rendered in the
# Russian format (02.12.2026) leaves <input type="date"> empty, and the form then fails with "required".
# Every date, time and moment in Orbit's forms uses these widgets (tests/common/test_form_dates.py checks).
ISO_DATE = "%Y-%m-%d"
ISO_MONTH = "%Y-%m"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


class MonthInput(forms.DateInput):
    """A month (`<input type="month">`, "2026-03"); the field reads it as the month's first day."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_MONTH)


class DateTimeInput(forms.DateTimeInput):
    """A local moment to the minute (`datetime-local`), in the current time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATETIME_LOCAL)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def apply_service_error(form, exc: Exception) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the form's top)."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or None)
        return
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class DateField(forms.DateField):
    """A day inside Orbit's bounds (`validate_reasonable_date`), entered with the ISO widget: a far date is a
    field error, not an overflow in the view that computes with it."""

    widget = DateInput
    default_validators = [validate_reasonable_date]


def arm_conflict(form, exc) -> None:
    """After a ConflictError: keep the writer's input, say why it was not saved, and arm the form with the
    current version, so saving again is a deliberate decision, not a silent overwrite."""
    form.add_error(None, exc)
    form.data = form.data.copy()
    form.data["version"] = exc.current.version


def save_form(form, save) -> int | None:
    """Submit a bound form to its service: `save(cleaned_data)` when the form is valid. None once saved; else
    the status to show the form again with: 400 (field errors or the service's ValidationError) or 409 (a stale
    version, the form armed with the current one). A PermissionDenied is not caught: it stays a 403. The shape
    every edit view shares."""
    if not form.is_valid():
        return 400
    try:
        save(form.cleaned_data)
    except ConflictError as exc:
        arm_conflict(form, exc)
        return 409
    except ValidationError as exc:
        apply_service_error(form, exc)
        return 400
    return None
