"""The kinds of import Orbit offers, by the name the CLI and the import page use (`orbit import KIND FILE`)."""

from orbit.imports import accounts, contacts, touches
from orbit.imports.engine import Kind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (accounts.KIND, contacts.KIND, touches.KIND)}


def preset_names() -> list[str]:
    return sorted({name for kind in KINDS.values() for name in kind.presets})
