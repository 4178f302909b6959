"""Lists of numbers are checked without a Python step per number: what must still be refused
(and named) is, for small lists and large ones, and what is fine converts exactly."""
from __future__ import annotations

import numpy as np
import pytest

from tracer.checks import SpecError, array


@pytest.mark.parametrize("width", [3, 400])  # a small list (summed in Python) and a large one
@pytest.mark.parametrize("bad", [True, "1.5", None, float("nan"), float("inf"), -float("inf"),
                                 10 ** 400, np.float64(0.5), [1.0]])
def test_an_entry_that_is_not_a_finite_json_number_is_named(width, bad):
    rows = [[0.25 * (i + j) for j in range(width)] for i in range(2)]
    rows[1][width - 1] = bad
    with pytest.raises(SpecError) as error:
        array(rows, (2, width), "weights")
    # a numpy scalar inside a list is refused as the list's (as before: lists hold JSON numbers)
    assert error.value.key.startswith("weights" if isinstance(bad, np.floating) else "weights[1]")
    flat = [0.5] * width
    flat[width - 1] = bad
    with pytest.raises(SpecError) as error:
        array(flat, (width,), "biases")
    assert error.value.key.startswith("biases")


@pytest.mark.parametrize("width", [3, 400])
def test_numbers_whose_sum_overflows_are_still_accepted_and_converted_exactly(width):
    rows = [[1.7e308, 1.7e308] + [2 ** 60 + 1] * (width - 2), [-0.0] * width]
    got = array(rows, (2, width), "weights")
    assert got.dtype == np.float64 and got.shape == (2, width)
    assert got[0, 0] == 1.7e308 and got[0, -1] == float(2 ** 60 + 1)
    assert np.signbit(got[1]).all()  # −0.0 stays −0.0
