"""Where a mapping comes from by name: a built-in preset (the shape of a CRM's export, per kind) or one the
department saved from the mapping screen (SavedMapping)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orbit.imports.engine import Kind
from orbit.imports.kinds import KINDS
from orbit.imports.models import SavedMapping
from orbit.org.models import User


def preset_mapping(kind: Kind, name: str) -> dict[str, str] | None:
    """The mapping called `name` for this kind, or None."""
    if not name:
        return {}
    if name in kind.presets:
        return kind.presets[name]
    saved = SavedMapping.objects.filter(kind=kind.name, name=name).first()
    return saved.mapping if saved else None


def preset_choices() -> list[tuple[str, str]]:
    built_in = sorted({name for kind in KINDS.values() for name in kind.presets})
    saved = [
        (m.name, f"{m.name} ({m.get_kind_display().lower()})")
        for m in SavedMapping.objects.filter(kind__in=KINDS).order_by("name", "kind")
    ]
    seen: set[str] = set()
    choices = []
    for value, label in [(n, n) for n in built_in] + saved:
        if value not in seen:
            seen.add(value)
            choices.append((value, label))
    return choices


def save_mapping(*, by: User, kind: Kind, name: str, mapping: dict[str, str]) -> SavedMapping:
    """Save (or replace) the department's mapping called `name` for this kind."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"save_as": _("Name the mapping to save it.")})
    if len(name) > 80:
        raise ValidationError({"save_as": _("A mapping's name is at most 80 characters.")})
    if any(name in k.presets for k in KINDS.values()):
        raise ValidationError(
            {"save_as": _("“%(name)s” is a built-in preset: choose another name.") % {"name": name}}
        )
    saved, _created = SavedMapping.objects.update_or_create(
        kind=kind.name, name=name, defaults={"mapping": mapping, "by": by}
    )
    return saved
