"""The Russian catalog is complete and compiled: a new string without its translation fails here."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "orbit" / "locale" / "ru" / "LC_MESSAGES"


def _po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgctxt, msgid, fuzzy) of every entry but the header."""
    entries, ctxt, fuzzy, field, parts = [], "", False, None, {}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            field, _, literal = line.partition(" ")
            parts[field] = ast.literal_eval(literal)
        elif line.startswith('"') and field:
            parts[field] += ast.literal_eval(line)
        elif not line.strip() and parts:
            if parts.get("msgid"):
                entries.append((parts.get("msgctxt", ctxt), parts["msgid"], fuzzy))
            parts, field, fuzzy = {}, None, False
    return entries


def test_every_russian_string_is_translated_and_compiled():
    entries = _po_entries(LOCALE / "django.po")
    assert len(entries) > 400
    assert not [msgid for _ctx, msgid, fuzzy in entries if fuzzy]
    with open(LOCALE / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    missing = []
    for ctxt, msgid, _fuzzy in entries:
        key = f"{ctxt}\x04{msgid}" if ctxt else msgid
        translated = catalog.get(key) or catalog.get((key, 0))
        if not translated:
            missing.append(msgid)
    assert not missing, f"untranslated or not compiled (run compilemessages): {missing[:10]}"
