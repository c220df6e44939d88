import pytest
from django.utils import translation

from orbit.growth.defaults import ensure_defaults
from orbit.growth.models import LostReason, Stage


@pytest.fixture(autouse=True)
def _in_english():
    """The services' messages are asserted in English here; the tests that check Russian switch themselves."""
    with translation.override("en"):
        yield


@pytest.fixture
def stages(db):
    """The default stages by pipeline: stages["account_growth"]["proposal"]."""
    ensure_defaults()
    found: dict[str, dict[str, Stage]] = {}
    for stage in Stage.objects.select_related("pipeline"):
        found.setdefault(stage.pipeline.code, {})[stage.code] = stage
    return found


@pytest.fixture
def price_reason(db):
    ensure_defaults()
    return LostReason.objects.get(code="price")
