"""What of a contact can be found in free text: his name, e-mail and phone, as one regular expression.

Orbit writes a contact's name into texts it composes (a touch's or task's subject, a notification, an import's
row report) and people type it into notes. Erasure replaces every occurrence inside the contact's account with
MASK. The name is matched in full and as "surname name" / "name surname"; the e-mail case-insensitively; the
phone by its last ten digits with any spaces, dashes, dots or brackets between them and an optional +7 or 8.
"""

import json
import re
from collections.abc import Iterable

MASK = "×"


def _words(name: str) -> list[str]:
    return [re.escape(word) for word in name.split() if word]


def _name_patterns(name: str) -> list[str]:
    words = _words(name)
    if not words:
        return []
    found = [r"\s+".join(words)]
    if len(words) >= 2:
        found += [rf"{words[0]}\s+{words[1]}", rf"{words[1]}\s+{words[0]}"]
    return found


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return None
    tail = digits[-10:]
    body = r"[\s().\-]{0,2}".join(tail)
    prefix = r"(?:(?:\+?7|8)[\s().\-]{0,2})?" if len(digits) > 10 else ""
    return rf"(?<!\d){prefix}{body}(?!\d)"


def pattern_for(people: Iterable) -> re.Pattern | None:
    """One expression for the traces of these contacts (objects with full_name, email, phone); None if none."""
    parts: list[str] = []
    for person in people:
        parts += _name_patterns(person.full_name or "")
        if person.email:
            parts.append(re.escape(person.email))
        if person.phone:
            phone = _phone_pattern(person.phone)
            if phone:
                parts.append(phone)
    if not parts:
        return None
    # Longest first, so a full name is replaced whole rather than its first two words; whole words only, so a
    # short name never eats the inside of another word.
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def scrub(value, pattern: re.Pattern):
    """The value with every trace replaced by MASK: texts directly, JSON through its text. Unchanged: same object."""
    if pattern is None or value is None:
        return value
    if isinstance(value, str):
        return pattern.sub(MASK, value)
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        cleaned = pattern.sub(MASK, text)
        return value if cleaned == text else json.loads(cleaned)
    return value


def holds(value, pattern: re.Pattern | None) -> bool:
    if pattern is None or value is None:
        return False
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return bool(pattern.search(text))
