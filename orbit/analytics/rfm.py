"""RFM: recency, frequency and monetary scores 1–5 by quintile, and the named segment of each account.

Scores, over the accounts that bought in the window (the others have none), vectorised:
- a score is 1 + ⌊5 × (the number of accounts strictly worse) / n⌋ — quintiles by rank, where equal values
  get the same score (splitting equals by id would be an accident of numbering) and the best reach 5;
- worse means: bought longer ago (recency, in days since the last purchase), fewer purchases (frequency: purchase
  days in the window), less money (monetary: the window's total).

Segments by recency and frequency, the common R×F grid (Orbit's default map, not the seeds'):

    F:   1            2–3                  4–5
    R5   new          potential loyalist   champion
    R4   promising    potential loyalist   champion
    R3   about to sleep (F 1–2), needs attention (F 3), loyal (F 4–5)
    R2   hibernating (F 1–2), at risk (F 3–4), can't lose them (F 5)
    R1   lost (F 1–2),        at risk (F 3–4), can't lose them (F 5)
"""

import numpy as np
from django.db import models
from django.utils.translation import pgettext_lazy

QUINTILES = 5


class Segment(models.TextChoices):
    CHAMPION = "champion", pgettext_lazy("rfm segment", "Champions")
    LOYAL = "loyal", pgettext_lazy("rfm segment", "Loyal")
    POTENTIAL = "potential", pgettext_lazy("rfm segment", "Potential loyalists")
    NEW = "new", pgettext_lazy("rfm segment", "New")
    PROMISING = "promising", pgettext_lazy("rfm segment", "Promising")
    ATTENTION = "attention", pgettext_lazy("rfm segment", "Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", pgettext_lazy("rfm segment", "About to sleep")
    AT_RISK = "at_risk", pgettext_lazy("rfm segment", "At risk")
    CANNOT_LOSE = "cannot_lose", pgettext_lazy("rfm segment", "Can't lose them")
    HIBERNATING = "hibernating", pgettext_lazy("rfm segment", "Hibernating")
    LOST = "lost", pgettext_lazy("rfm segment", "Lost")


def quintile_scores(values: np.ndarray, *, higher_is_better: bool = True) -> np.ndarray:
    """1–5 per value: 1 + ⌊5 × (values strictly worse) / n⌋; equal values share a score."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if not n:
        return np.zeros(0, dtype=int)
    ordered = np.sort(values)
    if higher_is_better:
        worse = np.searchsorted(ordered, values, side="left")  # strictly smaller
    else:
        worse = n - np.searchsorted(ordered, values, side="right")  # strictly larger
    return 1 + (QUINTILES * worse) // n


def rfm_scores(recency_days, frequency, monetary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        quintile_scores(recency_days, higher_is_better=False),
        quintile_scores(frequency),
        quintile_scores(monetary),
    )


def _segment(r: int, f: int) -> str:
    """The grid of the module's docstring, cell by cell."""
    if r >= 4:
        if f >= 4:
            return Segment.CHAMPION
        if f >= 2:
            return Segment.POTENTIAL
        return Segment.NEW if r == 5 else Segment.PROMISING
    if r == 3:
        if f >= 4:
            return Segment.LOYAL
        return Segment.ATTENTION if f == 3 else Segment.ABOUT_TO_SLEEP
    if f == 5:
        return Segment.CANNOT_LOSE
    if f >= 3:
        return Segment.AT_RISK
    return Segment.HIBERNATING if r == 2 else Segment.LOST


# segment code per (R, F), indexed by the scores 1..5 (row and column 0 unused).
_GRID = np.array([[_segment(r, f) if r and f else "" for f in range(6)] for r in range(6)])


def rfm_segments(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The segment code of each account from its R and F scores."""
    return _GRID[np.asarray(r, dtype=int), np.asarray(f, dtype=int)]


def quintile_cuts(values: np.ndarray, *, higher_is_better: bool = True) -> list[float]:
    """Four values that reproduce `quintile_scores` for a value not among them (an incremental run scores the
    accounts it recomputes against the full run's population): a value earns score k + 1 or more exactly when it
    is strictly better than cut k (k = 1..4) — the value at rank ⌈k·n/5⌉ from the worst end."""
    ordered = np.sort(np.asarray(values, dtype=float))
    if not higher_is_better:
        ordered = ordered[::-1]
    n = len(ordered)
    if not n:
        return []
    return [float(ordered[-(-k * n // QUINTILES) - 1]) for k in range(1, QUINTILES)]


def scores_by_cuts(values: np.ndarray, cuts: list[float], *, higher_is_better: bool = True) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if not cuts:
        return np.full(len(values), QUINTILES, dtype=int)
    cut = np.asarray(cuts)[None, :]
    better = values[:, None] > cut if higher_is_better else values[:, None] < cut
    return 1 + better.sum(axis=1)
