"""The demo's (and the benchmark's) catalog, currency rates and price rises: plain data and pure functions.

The numbers are Orbit's demo defaults, not from the seeds: an industrial supplier selling equipment (low
margin), spare parts and consumables, service contracts and software (high margin) and training. Prices
rise every January; cost follows the price, so each line keeps its margin.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from orbit.revenue.money import round_money

# Every January the list goes up by this share (Orbit's demo default).
YEARLY_RISE = Decimal("0.08")


@dataclass(frozen=True)
class LineInfo:
    code: str
    name_ru: str
    name_en: str
    margin: Decimal  # (price - cost) / price on the list


@dataclass(frozen=True)
class ProductInfo:
    sku: str
    name: str
    line: str
    unit: str
    price: Decimal  # the list price (net of VAT, RUB) of the first priced year
    vat_category: str = "standard"
    usual_quantity: int = 1  # a typical order's quantity of it


LINES = (
    LineInfo("equipment", "Оборудование", "Equipment", Decimal("0.12")),
    LineInfo("parts", "Запчасти и комплектующие", "Spare parts", Decimal("0.32")),
    LineInfo("consumables", "Расходные материалы", "Consumables", Decimal("0.27")),
    LineInfo("service", "Сервисные контракты", "Service contracts", Decimal("0.58")),
    LineInfo("software", "Программное обеспечение", "Software", Decimal("0.74")),
    LineInfo("training", "Обучение", "Training", Decimal("0.50")),
)
LINE_BY_CODE = {line.code: line for line in LINES}

PRODUCTS = (
    ProductInfo("EQ-PMP-110", "Насосный агрегат НА-110", "equipment", "шт", Decimal("486000")),
    ProductInfo("EQ-CMP-37", "Компрессор винтовой КВ-37", "equipment", "шт", Decimal("1240000")),
    ProductInfo("EQ-GEN-60", "Дизель-генератор ДГУ-60", "equipment", "шт", Decimal("1870000")),
    ProductInfo("EQ-FRQ-22", "Преобразователь частоты ПЧ-22", "equipment", "шт", Decimal("98500")),
    ProductInfo("EQ-CTL-8", "Шкаф управления ШУ-8", "equipment", "шт", Decimal("214000")),
    ProductInfo("EQ-MTR-15", "Электродвигатель АИР-15", "equipment", "шт", Decimal("67300")),
    ProductInfo("PT-BRG-6205", "Подшипник 6205-2RS", "parts", "шт", Decimal("420"), usual_quantity=40),
    ProductInfo("PT-SEAL-45", "Торцевое уплотнение 45 мм", "parts", "шт", Decimal("8900"), usual_quantity=6),
    ProductInfo("PT-IMP-110", "Рабочее колесо НА-110", "parts", "шт", Decimal("38600"), usual_quantity=2),
    ProductInfo("PT-VLV-50", "Клапан обратный Ду50", "parts", "шт", Decimal("5400"), usual_quantity=8),
    ProductInfo("PT-BLT-A", "Ремень клиновой A-1250", "parts", "шт", Decimal("690"), usual_quantity=20),
    ProductInfo("PT-SNS-P", "Датчик давления ДД-16", "parts", "шт", Decimal("12800"), usual_quantity=4),
    ProductInfo(
        "CN-OIL-20",
        "Масло компрессорное, канистра 20 л",
        "consumables",
        "шт",
        Decimal("9600"),
        usual_quantity=10,
    ),
    ProductInfo(
        "CN-FLT-AIR", "Фильтр воздушный ФВ-37", "consumables", "шт", Decimal("3400"), usual_quantity=12
    ),
    ProductInfo(
        "CN-FLT-OIL", "Фильтр масляный ФМ-37", "consumables", "шт", Decimal("2100"), usual_quantity=12
    ),
    ProductInfo(
        "CN-GRS-5", "Смазка пластичная, ведро 5 кг", "consumables", "шт", Decimal("4800"), usual_quantity=6
    ),
    ProductInfo(
        "CN-ELC-K", "Электроды сварочные, пачка 5 кг", "consumables", "шт", Decimal("1650"), usual_quantity=30
    ),
    ProductInfo("SV-MNT-Y", "Сервисный контракт «Стандарт», год", "service", "год", Decimal("360000")),
    ProductInfo("SV-MNT-P", "Сервисный контракт «Премиум», год", "service", "год", Decimal("720000")),
    ProductInfo(
        "SV-CAL", "Поверка и калибровка, выезд", "service", "усл", Decimal("28000"), usual_quantity=2
    ),
    ProductInfo("SV-DGN", "Вибродиагностика агрегата", "service", "усл", Decimal("19500"), usual_quantity=3),
    ProductInfo(
        "SV-RPR", "Ремонт на площадке клиента, час", "service", "ч", Decimal("4200"), usual_quantity=16
    ),
    ProductInfo(
        "SW-MON-1",
        "Система мониторинга «Орбита-М», лицензия",
        "software",
        "шт",
        Decimal("145000"),
        "exempt",
        3,
    ),
    ProductInfo(
        "SW-MON-S", "Подписка на мониторинг, месяц", "software", "мес", Decimal("24000"), "exempt", 6
    ),
    ProductInfo("SW-CMMS", "Модуль учёта ТОиР, лицензия", "software", "шт", Decimal("98000"), "exempt", 2),
    ProductInfo("TR-OPS", "Обучение операторов, группа", "training", "усл", Decimal("86000")),
    ProductInfo(
        "TR-SAFE",
        "Курс по промышленной безопасности, чел.",
        "training",
        "чел",
        Decimal("12500"),
        usual_quantity=8,
    ),
)

# Where a rate walks around (RUB per unit, Orbit's demo defaults near the levels of the years shown) and how
# far it may wander from there.
RATE_LEVELS = {"USD": Decimal("90"), "EUR": Decimal("98"), "CNY": Decimal("12.5")}
RATE_BAND = Decimal("0.18")


def list_price(product: ProductInfo, year: int, first_year: int) -> Decimal:
    """The list price in a year: the first year's price raised by YEARLY_RISE each January, to the rouble
    for large items and to the kopeck for small ones."""
    price = product.price * (1 + YEARLY_RISE) ** max(0, year - first_year)
    if price >= 1000:
        return price.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return round_money(price)


def unit_cost(product: ProductInfo, price: Decimal) -> Decimal:
    """Cost from the line's margin, with a product's own few points either way (a stable hash of its sku)."""
    wobble = Decimal(sum(map(ord, product.sku)) % 7 - 3) / 100
    return round_money(price * (1 - LINE_BY_CODE[product.line].margin + wobble))


def business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday to Friday, without the New Year holidays (1-8 January): the days a rate is published."""
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5 and not (day.month == 1 and day.day <= 8):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def rate_walk(seed: int, days: list[dt.date]) -> dict[str, list[Decimal]]:
    """A deterministic random walk per currency over `days`: daily steps of about ±0.6 %, pulled back
    toward the level so it stays within the band; four decimals like the Bank of Russia's."""
    rng = random.Random(f"{seed}-rates")
    walks: dict[str, list[Decimal]] = {}
    for currency, level in RATE_LEVELS.items():
        value = float(level)
        low, high = float(level * (1 - RATE_BAND)), float(level * (1 + RATE_BAND))
        series = []
        for _day in days:
            value *= 1 + rng.gauss(0, 0.006) + 0.02 * (float(level) - value) / float(level)
            value = min(high, max(low, value))
            series.append(Decimal(f"{value:.4f}"))
        walks[currency] = series
    return walks


# Demand by calendar month: a January dip, a Q4 peak (budgets spent before the year ends).
SEASON = {
    1: 0.55,
    2: 0.85,
    3: 1.0,
    4: 1.0,
    5: 0.9,
    6: 1.0,
    7: 0.9,
    8: 0.85,
    9: 1.05,
    10: 1.15,
    11: 1.3,
    12: 1.6,
}
