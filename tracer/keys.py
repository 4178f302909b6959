"""Field keys (SPEC §5): ``QUANTITY:LAYER:UNIT``, ``QUANTITY:LAYER:UNIT:SOURCE``, ``loss``.

A key names one value of a trace independently of the naming scheme. A shared bias and its
gradient, update and optimizer state have no unit (``b_new:1``); weights and everything
derived from a weight carry the source unit.
"""

QUANTITIES = (
    "x", "y", "w", "b", "z", "a", "loss", "dL_da", "da_dz", "delta",
    "dL_dw", "dL_db", "velocity", "m", "v", "w_new", "b_new",
)

# Which key shapes each quantity admits: the set of (has unit, has source) pairs.
_WEIGHT = {(True, True)}
_UNIT = {(True, False)}
_BIAS = {(True, False), (False, False)}
_STATE = _WEIGHT | _BIAS
_SHAPES = {
    "x": _UNIT, "y": _UNIT, "z": _UNIT, "a": _UNIT,
    "dL_da": _UNIT, "da_dz": _UNIT, "delta": _UNIT,
    "w": _WEIGHT, "dL_dw": _WEIGHT, "w_new": _WEIGHT,
    "b": _BIAS, "dL_db": _BIAS, "b_new": _BIAS,
    "velocity": _STATE, "m": _STATE, "v": _STATE,
}


def _check(quantity, layer, unit, source):
    if quantity == "loss":
        if (layer, unit, source) != (None, None, None):
            raise ValueError("the key 'loss' takes no layer, unit or source")
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
           source: int | None = None) -> str:
    """Return the field key of a value, e.g. ``key_of("w_new", 2, 1, 2) == "w_new:2:1:2"``.

    Raises ValueError when the combination names no value a trace can hold.
    """
    _check(quantity, layer, unit, source)
    return ":".join(str(part) for part in (quantity, layer, unit, source) if part is not None)


def _parse_index(text, key):
    # Only canonical decimal integers, so every value has exactly one key.
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        raise ValueError(f"malformed key {key!r}: {text!r} is not an index")
    return int(text)


def parse_key(key: str) -> tuple[str, int | None, int | None, int | None]:
    """Split a field key into ``(quantity, layer, unit, source)``, None for absent parts.

    Raises ValueError on a malformed key or one that names no value a trace can hold.
    """
    if not isinstance(key, str):
        raise ValueError(f"a key must be a string, got {type(key).__name__}")
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
