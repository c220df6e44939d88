"""The kinds of import Orbit offers, by the name the CLI and the import page use (`orbit import KIND FILE`).
Accounts first: the other kinds find their accounts in the base."""

from orbit.imports import accounts, contacts, invoices, ownership, payments, touches
from orbit.imports.engine import Kind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (accounts.KIND, contacts.KIND, ownership.KIND, invoices.KIND, payments.KIND, touches.KIND)
}
