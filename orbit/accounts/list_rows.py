"""The account list's rows as HTML, written in Python as Django's admin writes its change list's rows.

The template language spent ~190 µs on each row of templates/accounts/_results.html (a variable, a filter or a
tag costs it a few µs, a row has ~60 of them): ~5 ms of the division lead's 25-row page, an eighth of it; this
takes ~30 µs a row (bench/README, issue 16). The header, the counts and the empty states stay in the template;
each cell here follows its header there, in list_columns.COLUMNS' order.
"""

import html
from collections.abc import Iterable, Mapping
from datetime import date

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from orbit.accounts.models import NEVER_TOUCHED, NOTHING_PLANNED, Account, AccountStatus, Tier

DAY = "d.m.Y"  # as the rest of Orbit shows a day


def rows(accounts: Iterable[Account], shown: Mapping[str, bool], today: date) -> SafeString:
    """One <tr> per account; `shown` as list_columns.shown, `today` the reader's local day (overdue plans)."""
    texts = {
        "not_assigned": gettext("not assigned"),
        "never": _nothing(gettext("never touched")),
        "nothing": _nothing(gettext("nothing planned")),
        "overdue": escape(gettext("overdue")),
        "no_requests": _nothing(gettext("no open requests")),
        "requests": escape(reverse("requests:list")),
        "select": gettext("Select %(name)s"),
        # Each choice's label in the active language, once for the page rather than once for each row.
        "status": {value: escape(label) for value, label in AccountStatus.choices},
        "tier": {value: escape(label) for value, label in Tier.choices},
    }
    # Every value goes through escape() (the standard library's, as Django's own escape does: Django's wrapper
    # for lazy text was half of this function's time); the markup around them is literal.
    return mark_safe("\n".join(_row(a, shown, today, texts) for a in accounts))


def _row(account: Account, shown: Mapping[str, bool], today: date, texts: dict) -> str:
    name = escape(account.display_name)
    select = escape(texts["select"] % {"name": account.display_name})
    legal = f'\n        <div class="sub">{escape(account.legal_name)}</div>' if account.short_name else ""
    cells = [
        f'<td class="select-cell"><input type="checkbox" form="bulk-form" name="account" '
        f'value="{account.pk}:{account.version}" data-bulk-row aria-label="{select}"></td>',
        f'<td><a href="{escape(reverse("accounts:detail", args=[account.pk]))}">{name}</a>{legal}</td>',
    ]
    if shown["inn"]:
        cells.append(f'<td class="num">{escape(account.inn)}</td>')
    if shown["status"]:
        cells.append(_badge("status", account.status, texts["status"]))
    if shown["tier"]:
        cells.append(_badge("tier", account.tier, texts["tier"]))
    if shown["segment"]:
        segment, region = account.segment or "—", account.region or ""
        cells.append(f'<td>{escape(segment)}<div class="sub">{escape(region)}</div></td>')
    if shown["manager"]:
        cells.append(f"<td>{escape(account.responsible_manager or texts['not_assigned'])}</td>")
    if shown["last_touch"]:
        cells.append(_last_touch(account.last_touch_at, texts))
    if shown["next_touch"]:
        cells.append(_next_touch(account.next_touch_on, today, texts))
    if shown["open_requests"]:
        cells.append(_open_requests(account, texts))
    return "<tr>" + "".join(cells) + "</tr>"


def escape(value) -> str:
    return html.escape(str(value))


def touched(moment):
    """The last done touch, or None when the account was never touched (the pulse's sentinel)."""
    return None if moment is None or moment <= NEVER_TOUCHED else moment


def planned(day):
    """The next planned touch's day, or None when nothing is planned (the pulse's sentinel)."""
    return None if day is None or day >= NOTHING_PLANNED else day


def _badge(kind: str, value: str, labels: dict) -> str:
    return f'<td><span class="badge {kind}-{escape(value)}">{labels.get(value) or escape(value)}</span></td>'


def _nothing(text: str) -> str:
    return f'—<span class="sr-only">{escape(text)}</span>'


def _last_touch(moment, texts: dict) -> str:
    if touched(moment) is None:
        return f'<td class="num">{texts["never"]}</td>'
    local = timezone.localtime(moment)
    return f'<td class="num"><time datetime="{local.isoformat()}">{dateformat.format(local, DAY)}</time></td>'


def _next_touch(day: date | None, today: date, texts: dict) -> str:
    if planned(day) is None:
        return f'<td class="num">{texts["nothing"]}</td>'
    when = f'<time datetime="{day.isoformat()}">{dateformat.format(day, DAY)}</time>'
    if day < today:
        return f'<td class="num overdue">{when} <span class="badge overdue">{texts["overdue"]}</span></td>'
    return f'<td class="num">{when}</td>'


def _open_requests(account: Account, texts: dict) -> str:
    count = account.open_requests
    if not count:
        return f'<td class="num">{texts["no_requests"]}</td>'
    label = escape(ngettext("%(counter)s open", "%(counter)s open", count) % {"counter": count})
    return f'<td class="num"><a href="{texts["requests"]}?account={account.pk}">{label}</a></td>'
