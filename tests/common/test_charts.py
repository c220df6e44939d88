"""A chart is data: the spec charts.js draws and the rows of its table fallback come from the same figures."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import translation

from orbit.common.charts import Chart, Series, month_label, months_back

D = Decimal


def _chart(**kwargs) -> Chart:
    return Chart(
        title="Выручка",
        categories=["Янв 2026", "Фев 2026"],
        series=[
            Series("Оборудование", [D("1000.50"), None], stack="revenue"),
            Series("Маржа", [D("400.00"), D("-10.00")], kind="line"),
        ],
        currency="RUB",
        **kwargs,
    )


def test_the_spec_carries_decimals_as_strings_and_the_table_the_same_figures():
    chart = _chart()
    spec = json.loads(json.dumps(chart.spec, cls=DjangoJSONEncoder))
    assert spec["series"][0] == {
        "name": "Оборудование",
        "kind": "bar",
        "stack": "revenue",
        "values": ["1000.50", None],
    }
    assert chart.rows == [("Янв 2026", [D("1000.50"), D("400.00")]), ("Фев 2026", [None, D("-10.00")])]


def test_a_series_must_fit_the_categories_and_the_kinds_are_known():
    with pytest.raises(ValueError, match="categories"):
        Chart(title="t", categories=["a"], series=[Series("s", [D(1), D(2)])])
    with pytest.raises(ValueError, match="kind"):
        Series("s", [D(1)], kind="pie")


def test_the_template_hides_the_canvas_until_drawn_and_opens_the_table():
    with translation.override("ru"):
        html = render_to_string("_chart.html", {"chart": _chart(), "category_label": "Месяц"})
    chart = _chart()
    assert '<div class="chart-canvas" data-chart="' in html and "hidden" in html
    assert 'type="application/json"' in html
    assert '<details class="chart-table" data-chart-table open>' in html
    assert "1\u00a0000,50\u00a0₽" in html and "−10,00\u00a0₽" in html and "—" in html
    assert chart.key != _chart().key  # two charts on one page never share an id


def test_months_back_and_their_labels_in_both_languages():
    months = months_back(dt.date(2026, 2, 17), 3)
    assert months == [dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    with translation.override("ru"):
        assert [month_label(m) for m in months] == ["Дек 2025", "Янв 2026", "Фев 2026"]
    with translation.override("en"):
        assert [month_label(m) for m in months] == ["Dec 2025", "Jan 2026", "Feb 2026"]
