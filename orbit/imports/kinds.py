"""The kinds of import Orbit offers, by the name the CLI and the import page use (`orbit import KIND FILE`)."""

from orbit.imports import accounts
from orbit.imports.engine import Kind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (accounts.KIND,)}
