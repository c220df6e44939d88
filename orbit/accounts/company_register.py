"""Company details by INN from DaData's "find party by id" API (https://dadata.ru/api/find-party/).

POST {ORBIT_DADATA_URL} with {"query": INN} and "Authorization: Token KEY"; the answer is
{"suggestions": [{"value": ..., "data": {"inn", "kpp", "name": {...}, "management": {...}, "state": {...},
"address": {...}}}]}, an empty list when the register has no such INN. Without ORBIT_DADATA_API_KEY the
feature is off (`enabled()`), and the form shows no trace of it. The call is made by the server (the key never
reaches a browser), with a short timeout: a slow register must not hold the person typing.
"""

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# DaData's state.status values a manager must not miss (the others: ACTIVE, REORGANIZING).
CLOSING = frozenset({"LIQUIDATING", "LIQUIDATED", "BANKRUPT"})


class RegisterError(Exception):
    """The register could not answer: the message says why, in the reader's language."""


@dataclass(frozen=True)
class Company:
    inn: str
    kpp: str
    legal_name: str
    short_name: str
    address: str
    director: str  # "Иванов Иван Иванович, генеральный директор"
    status: str  # DaData's state.status, e.g. "ACTIVE"
    liquidation_date: dt.date | None = None  # when the register gives one

    @property
    def closing(self) -> bool:
        return self.status in CLOSING

    def status_display(self) -> str:
        # Context "company register status": read as "the company is …" (gettext needs the literal each time).
        labels = {
            "ACTIVE": pgettext("company register status", "active"),
            "LIQUIDATING": pgettext("company register status", "being liquidated"),
            "LIQUIDATED": pgettext("company register status", "liquidated"),
            "BANKRUPT": pgettext("company register status", "bankrupt"),
            "REORGANIZING": pgettext("company register status", "being reorganised"),
        }
        return labels.get(self.status, self.status)


def enabled() -> bool:
    return bool(settings.ORBIT_DADATA_API_KEY)


def find_by_inn(inn: str) -> Company | None:
    """The company (its head office, as DaData answers first) with this INN; None when the register has none."""
    body = json.dumps({"query": inn, "count": 1}).encode()
    request = urllib.request.Request(
        settings.ORBIT_DADATA_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Token {settings.ORBIT_DADATA_API_KEY}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ORBIT_DADATA_TIMEOUT) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise RegisterError(
                _("The company register refused Orbit's key: ask the administrator.")
            ) from exc
        if exc.code == 429:
            raise RegisterError(_("The company register is busy: try again in a minute.")) from exc
        raise RegisterError(
            _("The company register answered with an error (%(code)s): fill in the details by hand.")
            % {"code": exc.code}
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RegisterError(
            _("The company register did not answer in time: fill in the details by hand.")
        ) from exc
    except ValueError as exc:  # not JSON
        raise RegisterError(_("The company register gave an answer Orbit cannot read.")) from exc
    suggestions = answer.get("suggestions") if isinstance(answer, dict) else None
    if not suggestions:
        return None
    return _company(suggestions[0])


def _company(suggestion: dict) -> Company:
    data = suggestion.get("data") or {}
    name = data.get("name") or {}
    management = data.get("management") or {}
    state = data.get("state") or {}
    address = data.get("address") or {}
    if data.get("type") == "INDIVIDUAL":  # an entrepreneur: the person is the company and has no director
        director = ""
    else:
        director = ", ".join(filter(None, [management.get("name"), management.get("post")]))
    return Company(
        inn=data.get("inn") or "",
        kpp=data.get("kpp") or "",
        legal_name=name.get("full_with_opf") or suggestion.get("unrestricted_value") or "",
        short_name=name.get("short_with_opf") or suggestion.get("value") or "",
        address=(address.get("unrestricted_value") or address.get("value") or "")[:500],
        director=director[:300],
        status=state.get("status") or "",
        liquidation_date=_register_date(state.get("liquidation_date")),
    )


def _register_date(milliseconds) -> dt.date | None:
    """DaData gives dates as Unix milliseconds (UTC midnight of the register's date)."""
    if not isinstance(milliseconds, int | float):
        return None
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(milliseconds) // 86_400_000)
