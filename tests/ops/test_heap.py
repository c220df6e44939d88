import gc

from orbit.ops import heap


def test_settling_puts_the_loaded_objects_out_of_the_collectors_reach():
    try:
        heap.settle()
        # Django and Orbit as loaded by the suite: well over ten thousand objects a full collection skips.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
