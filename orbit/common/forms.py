from django.core.exceptions import PermissionDenied, ValidationError


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
