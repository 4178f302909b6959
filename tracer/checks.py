"""Type and shape checks for the numbers of a network spec, each failing with the exact key.

Lists are walked in Python (JSON gives lists, and numpy would silently turn ``true`` into 1.0);
numpy arrays, convenient in a notebook, are checked by dtype. Both end as float64 arrays.
"""

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
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        index = "".join(f"[{i}]" for i in bad[0])
        raise SpecError(key + index, "must be a finite number")
    return array


def _check_list(value, length, key, what):
    if type(value) is not list or len(value) != length:
        got = f"{len(value)} entries" if isinstance(value, list) else repr(value)
        raise SpecError(key, f"must be {what}, got {got}")


def _check_row(row, length, key, what):
    _check_list(row, length, key, what)
    for v in row:
        if (type(v) is not float and type(v) is not int) or v - v:
            for i, item in enumerate(row):
                number(item, f"{key}[{i}]")


def array(value, shape: tuple, key: str) -> np.ndarray:
    """Check ``value`` is a list (or list of lists, or array) of finite numbers of ``shape``."""
    if isinstance(value, np.ndarray):
        return _from_ndarray(value, shape, key)
    what = _shape_text(shape)
    if len(shape) == 1:
        _check_row(value, shape[0], key, what)
    else:
        _check_list(value, shape[0], key, what)
        for i, row in enumerate(value):
            _check_row(row, shape[1], f"{key}[{i}]", f"a list of {shape[1]} numbers")
    try:
        return np.array(value, dtype=np.float64)
    except OverflowError:
        raise SpecError(key, "holds an integer too large for a float64") from None


def samples(value, width: int, key: str) -> np.ndarray:
    """Return one sample (a list of numbers) or a batch (a list of lists) as a (samples, width) array."""
    what = f"a list of {width} numbers (one sample) or a non-empty list of such lists (a batch)"
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return _from_ndarray(value, (width,), key).reshape(1, width)
        if value.ndim == 2 and len(value):
            return _from_ndarray(value, (len(value), width), key)
        raise SpecError(key, f"must be {what}")
    if type(value) is not list or not value:
        raise SpecError(key, f"must be {what}")
    if isinstance(value[0], (list, tuple, np.ndarray)):
        return array(value, (len(value), width), key)
    return array(value, (width,), key).reshape(1, width)
