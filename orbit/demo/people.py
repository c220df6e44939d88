"""Russian people at client companies: names, phones and e-mails that pass the project's own validators."""

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from orbit.common.validators import normalize_phone
from orbit.demo import data

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def transliterate(text: str) -> str:
    """Latin letters for domains and mailboxes: «Уралметторг-Казань» → «uralmettorg-kazan»."""
    out = []
    for char in text.lower():
        if char in _TRANSLIT:
            out.append(_TRANSLIT[char])
        elif char.isascii() and (char.isalnum() or char == "-"):
            out.append(char)
        elif char in " .":
            out.append("-")
    return "-".join(part for part in "".join(out).split("-") if part)


def female_surname(surname: str) -> str:
    if surname.endswith(("ов", "ёв", "ев", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    return surname  # Черных, Шевченко, Ким: the same for both


@dataclass(frozen=True)
class PersonName:
    first: str
    patronymic: str
    last: str
    female: bool

    @property
    def full(self) -> str:
        """The way Russian business documents write it: «Соколова Ирина Петровна»."""
        return f"{self.last} {self.first} {self.patronymic}"

    @property
    def initials(self) -> str:
        return f"{self.last} {self.first[0]}. {self.patronymic[0]}."


def person_name(rng: random.Random) -> PersonName:
    female = rng.random() < 0.45
    stem = rng.choice(data.PATRONYMIC_STEMS)
    surname = rng.choice(data.SURNAMES)
    if female:
        return PersonName(rng.choice(data.FEMALE_FIRST), stem + "на", female_surname(surname), True)
    return PersonName(rng.choice(data.MALE_FIRST), stem + "ич", surname, False)


def _valid_phone(build: Callable[[], str]) -> str:
    for _attempt in range(50):
        try:
            return normalize_phone(build())
        except ValidationError:
            continue  # an invalid draw is simply drawn again
    raise RuntimeError("could not draw a valid phone number")


def mobile_phone(rng: random.Random) -> str:
    return _valid_phone(lambda: f"+7{rng.choice(data.MOBILE_CODES)}{rng.randrange(10**7):07d}")


def office_phone(rng: random.Random, region: data.RegionInfo) -> str:
    def build() -> str:
        code = rng.choice(region.phone_codes)
        digits = 10 - len(code)
        # Subscriber numbers do not start with 0 or 1.
        return f"+7{code}{rng.randrange(2 * 10 ** (digits - 1), 10**digits)}"

    return _valid_phone(build)


def mailbox(rng: random.Random, name: PersonName) -> str:
    first, last = transliterate(name.first), transliterate(name.last)
    return rng.choice(
        (f"{first[0]}.{last}", f"{last}", f"{first}.{last}", f"{last}.{first[0]}", f"{last}-{first[0]}")
    )
