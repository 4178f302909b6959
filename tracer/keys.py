"""Field keys (SPEC §5): ``QUANTITY:LAYER:UNIT``, ``QUANTITY:LAYER:UNIT:SOURCE``, ``loss``.

A key names one value of a trace independently of the naming scheme. A shared bias and its
gradient, update and optimizer state have no unit (``b_new:1``); weights and everything
derived from a weight carry the source unit. In a batch a per-sample quantity takes
``@SAMPLE`` and in a run of several steps any quantity of a later step ``#ITERATION``
(``delta:2:1@2``, ``w_new:2:1:2#2``, ``delta:1:1@2#2``); no suffix means sample 1, iteration 1,
and the suffix of sample 1 or iteration 1 is never written, so every value has one key.
"""

import functools

QUANTITIES = (
    "x", "y", "w", "b", "z", "a", "loss", "dL_da", "da_dz", "delta",
    "dL_dw", "dL_db", "velocity", "m", "v", "w_new", "b_new", "mask", "penalty",
)

# Quantities that belong to one sample of a batch (the loss key is the batch loss).
PER_SAMPLE = ("x", "y", "mask", "z", "a", "dL_da", "da_dz", "delta")
# Which key shapes each quantity admits: the set of (has unit, has source) pairs.
_WEIGHT = {(True, True)}
_UNIT = {(True, False)}
_BIAS = {(True, False), (False, False)}
_STATE = _WEIGHT | _BIAS
_SHAPES = {
    "x": _UNIT, "y": _UNIT, "z": _UNIT, "a": _UNIT, "mask": _UNIT,
    "dL_da": _UNIT, "da_dz": _UNIT, "delta": _UNIT,
    "w": _WEIGHT, "dL_dw": _WEIGHT, "w_new": _WEIGHT,
    "b": _BIAS, "dL_db": _BIAS, "b_new": _BIAS,
    "velocity": _STATE, "m": _STATE, "v": _STATE,
}


def _check(quantity, layer, unit, source):
    if quantity in ("loss", "penalty"):
        if (layer, unit, source) != (None, None, None):
            raise ValueError(f"the key {quantity!r} takes no layer, unit or source")
        return
    if quantity not in _SHAPES:
        raise ValueError(f"unknown quantity {quantity!r}")
    if not _is_index(layer, 0):
        raise ValueError(f"layer must be an integer ≥ 0, got {layer!r}")
    if (layer == 0) != (quantity == "x"):
        raise ValueError(f"{quantity!r} cannot belong to layer {layer}")
    for name, index in (("unit", unit), ("source", source)):
        if index is not None and not _is_index(index, 1):
            raise ValueError(f"{name} must be an integer ≥ 1, got {index!r}")
    if (unit is not None, source is not None) not in _SHAPES[quantity]:
        raise ValueError(f"{quantity!r} does not take unit={unit!r}, source={source!r}")


def _is_index(value, lowest):
    return type(value) is int and value >= lowest


def key_of(quantity: str, layer: int | None = None, unit: int | None = None,
           source: int | None = None, sample: int = 1, iteration: int = 1) -> str:
    """Return the field key of a value, e.g. ``key_of("w_new", 2, 1, 2) == "w_new:2:1:2"`` and
    ``key_of("delta", 2, 1, sample=2, iteration=2) == "delta:2:1@2#2"``.

    Raises ValueError when the combination names no value a trace can hold.
    """
    _check(quantity, layer, unit, source)
    for name, index in (("sample", sample), ("iteration", iteration)):
        if not _is_index(index, 1):
            raise ValueError(f"{name} must be an integer ≥ 1, got {index!r}")
    if sample != 1 and quantity not in PER_SAMPLE:
        raise ValueError(f"{quantity!r} is not per sample")
    key = ":".join(str(part) for part in (quantity, layer, unit, source) if part is not None)
    return key + (f"@{sample}" if sample != 1 else "") + (f"#{iteration}" if iteration != 1 else "")


def _parse_index(text, key):
    # Only canonical decimal integers, so every value has exactly one key.
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        raise ValueError(f"malformed key {key!r}: {text!r} is not an index")
    return int(text)


def split_key(key: str) -> tuple[str, int, int]:
    """Split a field key into ``(base key, sample, iteration)``: ``"delta:2:1@2#3"`` gives
    ``("delta:2:1", 2, 3)`` and a key without suffixes sample 1, iteration 1.

    Raises ValueError on a malformed key (a suffix written for sample or iteration 1, a sample
    of a quantity that is not per sample, or a base key that names no value).
    """
    if not isinstance(key, str):
        raise ValueError(f"a key must be a string, got {type(key).__name__}")
    base, _, iteration = key.partition("#")
    base, _, sample = base.partition("@")
    indices = []
    for name, text, present in (("sample", sample, "@" in key), ("iteration", iteration, "#" in key)):
        value = _parse_index(text, key) if present else 1
        if present and value < 2:
            raise ValueError(f"malformed key {key!r}: the {name} suffix is left out for {name} 1")
        indices.append(value)
    quantity = parse_key(base)[0]
    if indices[0] != 1 and quantity not in PER_SAMPLE:
        raise ValueError(f"malformed key {key!r}: {quantity!r} is not per sample")
    return base, indices[0], indices[1]


def parse_key(key: str) -> tuple[str, int | None, int | None, int | None]:
    """Split a field key into ``(quantity, layer, unit, source)``, None for absent parts; the
    ``@SAMPLE`` and ``#ITERATION`` suffixes are checked and dropped (see :func:`split_key`).

    Raises ValueError on a malformed key or one that names no value a trace can hold.
    """
    if not isinstance(key, str):
        raise ValueError(f"a key must be a string, got {type(key).__name__}")
    if "@" in key or "#" in key:
        return parse_key(split_key(key)[0])
    return _parsed(key)


@functools.lru_cache(maxsize=65_536)
def _parsed(key: str) -> tuple[str, int | None, int | None, int | None]:
    """``parse_key`` of a key without suffixes, remembered: grading and exports parse the same
    few hundred keys again and again (a ValueError is raised again each time, not remembered)."""
    parts = key.split(":")
    if len(parts) > 4:
        raise ValueError(f"malformed key {key!r}: too many parts")
    quantity = parts[0]
    indices = [_parse_index(part, key) for part in parts[1:]]
    indices += [None] * (3 - len(indices))
    try:
        _check(quantity, *indices)
    except ValueError as error:
        raise ValueError(f"malformed key {key!r}: {error}") from None
    return (quantity, *indices)
