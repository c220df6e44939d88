"""The account list's rows written in Python (orbit/accounts/list_rows.py): every value escaped, each cell as its
header says, words for "nothing", the overdue mark against the reader's local day, labels in his language."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from orbit.accounts import list_columns, list_rows
from orbit.accounts.models import NEVER_TOUCHED, NOTHING_PLANNED, Account, Region, Segment
from orbit.org.models import User

ALL = list_columns.shown(tuple(c.key for c in list_columns.COLUMNS))
TODAY = dt.date(2026, 12, 2)


def _account(**fields) -> Account:
    values = {
        "pk": 7,
        "version": 3,
        "legal_name": "ООО «Ромашка»",
        "short_name": "",
        "inn": "7707083893",
        "status": "active",
        "tier": "A",
        "segment": None,
        "region": None,
        "responsible_manager": None,
    }
    values |= fields
    extra = {
        name: values.pop(name)
        for name in ("last_touch_at", "next_touch_on", "open_requests")
        if name in values
    }
    account = Account(**values)
    for name, value in {
        "last_touch_at": NEVER_TOUCHED,
        "next_touch_on": NOTHING_PLANNED,
        "open_requests": 0,
    }.items():
        setattr(account, name, extra.get(name, value))
    return account


def _cells(html: str) -> list[str]:
    return html.removeprefix("<tr>").removesuffix("</tr>").split("</td>")[:-1]


def test_every_value_is_escaped():
    hostile = '<script>alert("x")</script>'
    html = str(
        list_rows.rows(
            [
                _account(
                    short_name=hostile,
                    legal_name="A & B",
                    inn="1<2",
                    responsible_manager=User(display_name=hostile),
                )
            ],
            ALL,
            TODAY,
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<div class="sub">A &amp; B</div>' in html  # the legal name under the short one
    assert '<td class="num">1&lt;2</td>' in html


def test_the_cells_follow_the_headers_order_and_the_chosen_columns():
    with translation.override("en"):
        account = _account(
            segment=Segment(code="smb", name_ru="МСБ", name_en="SMB"),
            region=Region(code="77", name_ru="Москва", name_en="Moscow"),
            responsible_manager=User(display_name="Анна Орлова"),
        )
        cells = _cells(str(list_rows.rows([account], ALL, TODAY)))
        assert len(cells) == 2 + len(list_columns.COLUMNS)
        assert 'value="7:3"' in cells[0] and 'aria-label="Select ООО «Ромашка»"' in cells[0]
        assert f'href="{reverse("accounts:detail", args=[7])}"' in cells[1] and 'class="sub"' not in cells[1]
        assert cells[2:] == [
            '<td class="num">7707083893',
            '<td><span class="badge status-active">Active</span>',
            '<td><span class="badge tier-A">Tier A</span>',
            '<td>SMB<div class="sub">Moscow</div>',
            "<td>Анна Орлова",
            '<td class="num">—<span class="sr-only">never touched</span>',
            '<td class="num">—<span class="sr-only">nothing planned</span>',
            '<td class="num">—<span class="sr-only">no open requests</span>',
        ]
        only = list_columns.shown(("manager",))
        assert _cells(str(list_rows.rows([_account()], only, TODAY)))[2:] == ["<td>not assigned"]


def test_dates_are_the_readers_local_day_and_an_earlier_plan_is_overdue(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    # 21:30 UTC on the 1st is 00:30 on the 2nd in Moscow: the day shown is the 2nd.
    touched = dt.datetime(2026, 12, 1, 21, 30, tzinfo=dt.UTC)
    late = _account(last_touch_at=touched, next_touch_on=dt.date(2026, 12, 1))
    on_time = _account(next_touch_on=TODAY)
    with translation.override("ru"):
        late_cells = _cells(str(list_rows.rows([late], ALL, TODAY)))
        on_time_cells = _cells(str(list_rows.rows([on_time], ALL, TODAY)))
    moscow = touched.astimezone(ZoneInfo("Europe/Moscow")).isoformat()
    assert late_cells[7] == f'<td class="num"><time datetime="{moscow}">02.12.2026</time>'
    assert late_cells[8] == (
        '<td class="num overdue"><time datetime="2026-12-01">01.12.2026</time> <span class="badge overdue">'
        "просрочено</span>"
    )
    assert on_time_cells[8] == '<td class="num"><time datetime="2026-12-02">02.12.2026</time>'


@pytest.mark.parametrize(("count", "ru", "en"), [(1, "1 открытое", "1 open"), (5, "5 открытых", "5 open")])
def test_open_requests_link_to_the_accounts_requests_with_a_plural(count, ru, en):
    account = _account(open_requests=count)
    link = f'<td class="num"><a href="{reverse("requests:list")}?account=7">'
    for language, words in (("ru", ru), ("en", en)):
        with translation.override(language):
            assert _cells(str(list_rows.rows([account], ALL, TODAY)))[9] == f"{link}{words}</a>"


def test_labels_follow_the_active_language():
    with translation.override("ru"):
        ru = str(list_rows.rows([_account()], ALL, TODAY))
    with translation.override("en"):
        en = str(list_rows.rows([_account()], ALL, TODAY))
    assert "Выбрать ООО «Ромашка»" in ru and "не назначен" in ru and "касаний не было" in ru
    assert "Select ООО «Ромашка»" in en and "not assigned" in en and "never touched" in en
