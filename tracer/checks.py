"""Type and shape checks for the numbers of a network spec, each failing with the exact key.

Lists are checked for their items' types (JSON gives lists, and numpy would silently turn
``true`` into 1.0) without a Python step per number, then converted and checked finite in one
pass; numpy arrays, convenient in a notebook, are checked by dtype. Both end as float64 arrays.
Only a malformed list is walked in Python, to name its first bad entry.
"""

import itertools
import math

import numpy as np


class SpecError(ValueError):
    """A malformed or inconsistent network spec; ``key`` names the offending key."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


def is_number(value) -> bool:
    """Tell whether ``value`` is a finite real number (booleans are not numbers)."""
    kind = type(value)
    if kind is float or kind is int:
        return not (value - value)  # nonzero (nan) exactly for inf and nan
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    return bool(np.isfinite(value))


def number(value, key: str) -> float:
    """Return ``value`` as a float, or raise SpecError unless it is a finite number."""
    if not is_number(value):
        raise SpecError(key, f"must be a finite number, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise SpecError(key, f"{value!r} does not fit in a float64") from None


def _shape_text(shape):
    if len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return f"a list of {shape[0]} lists of {shape[1]} numbers"


def _from_ndarray(value, shape, key):
    if value.dtype.kind not in "iuf" or value.shape != shape:
        raise SpecError(key, f"must be {_shape_text(shape)}, got an array of {value.dtype} with shape {value.shape}")
    array = value.astype(np.float64)  # a copy, so the caller's array may change afterwards
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()  # one pass: finite unless some entry is not (or the sum overflows)
    if not np.isfinite(total):
        bad = np.argwhere(~np.isfinite(array))
        if len(bad):
            index = "".join(f"[{i}]" for i in bad[0])
            raise SpecError(key + index, "must be a finite number")
    return array


_PLAIN = frozenset((float, int))  # what JSON numbers are; bool, str, None and the rest are not


def _well_formed(value, shape):
    """Tell whether ``value`` is a list (of lists) of ``shape`` holding only ints and floats:
    the loop is over rows; the items' types are gathered by ``map`` and ``set``, in C."""
    if type(value) is not list or len(value) != shape[0]:
        return False
    if len(shape) == 1:
        return set(map(type, value)) <= _PLAIN
    width = shape[1]
    for row in value:
        if type(row) is not list or len(row) != width:
            return False
    return set(map(type, itertools.chain.from_iterable(value))) <= _PLAIN


def _finite(array, value, flat: bool) -> bool:
    """Whether every entry is finite: one sum (of the list for a small one, where a numpy call
    costs more than the loop; of the array for a large one), and a full check only when the sum
    is not finite (an entry is not, or the sum overflowed)."""
    if array.size > 256:
        with np.errstate(over="ignore", invalid="ignore"):
            return bool(np.isfinite(array.sum()) or np.isfinite(array).all())
    items = value if flat else list(itertools.chain.from_iterable(value))
    return math.isfinite(sum(items)) or all(map(math.isfinite, items))


def _diagnose(value, shape, key):
    """Raise the SpecError naming the first offending entry of a malformed list."""
    what = _shape_text(shape)
    if type(value) is not list or len(value) != shape[0]:
        got = f"{len(value)} entries" if isinstance(value, list) else repr(value)
        raise SpecError(key, f"must be {what}, got {got}")
    rows = [(key, value)] if len(shape) == 1 else [(f"{key}[{i}]", row) for i, row in enumerate(value)]
    for row_key, row in rows:
        if type(row) is not list or len(row) != shape[-1]:
            got = f"{len(row)} entries" if isinstance(row, list) else repr(row)
            raise SpecError(row_key, f"must be {_shape_text(shape[-1:])}, got {got}")
        for i, item in enumerate(row):
            number(item, f"{row_key}[{i}]")
    raise SpecError(key, "is not an array of float64 numbers")


def array(value, shape: tuple, key: str) -> np.ndarray:
    """Check ``value`` is a list (or list of lists, or array) of finite numbers of ``shape``."""
    if isinstance(value, np.ndarray):
        return _from_ndarray(value, shape, key)
    if _well_formed(value, shape):
        try:
            result = np.array(value, dtype=np.float64)
        except OverflowError:
            result = None  # an int beyond float64; _diagnose names the array
        if result is not None and _finite(result, value, len(shape) == 1):  # inf and nan: _diagnose names the entry
            return result
    _diagnose(value, shape, key)


def _samples_text(width):
    return f"a list of {width} numbers (one sample) or a non-empty list of such lists (a batch)"


def samples(value, width: int, key: str) -> np.ndarray:
    """Return one sample (a list of numbers) or a batch (a list of lists) as a (samples, width) array."""
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return _from_ndarray(value, (width,), key).reshape(1, width)
        if value.ndim == 2 and len(value):
            return _from_ndarray(value, (len(value), width), key)
        raise SpecError(key, f"must be {_samples_text(width)}")
    if type(value) is not list or not value:
        raise SpecError(key, f"must be {_samples_text(width)}")
    if isinstance(value[0], (list, tuple, np.ndarray)):
        return array(value, (len(value), width), key)
    return array(value, (width,), key).reshape(1, width)
