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
    """A malformed or inconsistent network spec; ``key`` names the offending key.

    The message comes in parts as well: ``template`` (a %-format with named fields) and
    ``params`` (their values, already text), so a caller can show it translated; ``message``
    is ``template % params``.
    """

    def __init__(self, key: str, template: str, **params: str):
        message = template % params if params else template
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message
        self.template = template
        self.params = params


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
        raise SpecError(key, "must be a finite number, got %(got)s", got=repr(value))
    try:
        return float(value)
    except OverflowError:
        raise SpecError(key, "%(got)s does not fit in a float64", got=repr(value)) from None


def N_(message: str) -> str:
    """Mark ``message`` for translation (the catalog's extraction looks for it); return it."""
    return message


# A value that is not of its shape: (rank, what it was instead) -> the message.
_SHAPE_MESSAGES = {
    (1, "count"): N_("must be a list of %(n)s numbers, got %(count)s entries"),
    (1, "value"): N_("must be a list of %(n)s numbers, got %(got)s"),
    (1, "array"): N_("must be a list of %(n)s numbers, got an array of %(dtype)s with shape "
                     "%(dims)s"),
    (2, "count"): N_("must be a list of %(rows)s lists of %(n)s numbers, got %(count)s entries"),
    (2, "value"): N_("must be a list of %(rows)s lists of %(n)s numbers, got %(got)s"),
    (2, "array"): N_("must be a list of %(rows)s lists of %(n)s numbers, got an array of "
                     "%(dtype)s with shape %(dims)s"),
}


def _shape_error(key, shape, what, **got):
    """Raise the SpecError for a value that is not of ``shape``; ``what`` it was instead."""
    sizes = {"n": str(shape[-1])} if len(shape) == 1 else {"rows": str(shape[0]),
                                                            "n": str(shape[1])}
    raise SpecError(key, _SHAPE_MESSAGES[len(shape), what], **sizes, **got)


def _got(value):
    """What a wrong list was instead: its length, or the value itself."""
    if isinstance(value, list):
        return "count", {"count": str(len(value))}
    return "value", {"got": repr(value)}


def _from_ndarray(value, shape, key):
    if value.dtype.kind not in "iuf" or value.shape != shape:
        _shape_error(key, shape, "array", dtype=str(value.dtype), dims=str(value.shape))
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
    if type(value) is not list or len(value) != shape[0]:
        what, got = _got(value)
        _shape_error(key, shape, what, **got)
    rows = [(key, value)] if len(shape) == 1 else [(f"{key}[{i}]", row) for i, row in enumerate(value)]
    for row_key, row in rows:
        if type(row) is not list or len(row) != shape[-1]:
            what, got = _got(row)
            _shape_error(row_key, shape[-1:], what, **got)
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


def _not_samples(key, width):
    raise SpecError(key, "must be a list of %(n)s numbers (one sample) or a non-empty list of "
                    "such lists (a batch)", n=str(width))


def samples(value, width: int, key: str) -> np.ndarray:
    """Return one sample (a list of numbers) or a batch (a list of lists) as a (samples, width) array."""
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return _from_ndarray(value, (width,), key).reshape(1, width)
        if value.ndim == 2 and len(value):
            return _from_ndarray(value, (len(value), width), key)
        _not_samples(key, width)
    if type(value) is not list or not value:
        _not_samples(key, width)
    if isinstance(value[0], (list, tuple, np.ndarray)):
        return array(value, (len(value), width), key)
    return array(value, (width,), key).reshape(1, width)
