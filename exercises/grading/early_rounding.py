"""What a student who rounds every intermediate value computes (SPEC §6 step 4a): the
roundings tried, and the exercise's values evaluated with each of them, cached per exercise.
"""
from functools import lru_cache

import numpy as np

from exercises.grading.model import evaluate_lazily
from exercises.grading.tolerance import round_sig

# How a student who keeps few digits rounds every intermediate value: (kind, k).
ROUNDINGS = (("decimals", 2), ("decimals", 3), ("decimals", 4), ("figures", 2), ("figures", 3))


def round_like(value, kind, k):
    """``value`` rounded to ``k`` decimals or ``k`` significant figures (``kind``)."""
    return round(value, k) if kind == "decimals" else round_sig(value, k)


def _rounder(kind, k):
    if kind == "decimals":
        return lambda array: np.round(array, k)

    def figures(array):
        array = np.asarray(array, dtype=np.float64)
        magnitude = np.floor(np.log10(np.where(array == 0, 1.0, np.abs(array))))
        scale = 10.0 ** (k - 1 - magnitude)
        return np.round(array * scale) / scale
    return figures


@lru_cache(maxsize=1024)
def rounded_values(net, kind, k):
    """Every value of ``net`` as computed by a student who rounds each one as ``kind`` and ``k``
    say (:data:`ROUNDINGS`)."""
    return evaluate_lazily(net, None, None, _rounder(kind, k))
