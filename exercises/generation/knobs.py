"""Validation of single template knobs: types, ranges and the small value objects they hold.

Each ``check_*`` function takes the raw value a user wrote and either returns it normalised
(tuples for lists, floats for numbers, a ``ValueRange`` for a range) or raises ``TemplateError``
naming the knob. Checks that involve several knobs live in ``template.py``.
"""

import math
import sys
from dataclasses import dataclass
from decimal import Decimal

from tracer.spec import BIAS_MODES, NAMINGS  # noqa: F401 (re-exported: the knobs' choices)

ASKABLE = ("z", "a", "loss", "dL_da", "da_dz", "delta", "dL_dw", "dL_db", "velocity", "m", "v",
           "w_new", "b_new")
REDUCTIONS = ("mean", "sum")
MAX_BATCH = 4           # samples of a hand exercise's mini-batch
MAX_ITERATIONS = 3      # training steps of a hand exercise
REVEALS = ("always", "never", "after_correct", "after_attempts", "after_due")
TOLERANCE_MODES = ("relabs", "sigfig", "decimals")
DEFAULT_TOLERANCE = {"mode": "relabs", "rtol": 1e-2, "atol": 0.0, "digits": None}
MIN_DIGITS = 4          # answer digits a hand exercise may ask for: a number from 4 to 8,
MAX_DIGITS = 8          # or "auto" (the fewest of them that make a good exercise)
AUTO = "auto"
DELTA_CONVENTIONS = ("gradient", "negative")
MAX_DECIMALS = 6        # decimals of a given value
MAX_MAGNITUDE = 1000.0  # bound of a value range; keeps every grid index within int64
MAX_FLOAT = int(sys.float_info.max)
MAX_ATTEMPTS = 100      # as a problem set's form allows; more is "unlimited" (null)


MAX_SEED = 2**31 - 1   # a seed is stored in a 32-bit signed Integer column (Exercise.seed)


class TemplateError(ValueError):
    """A template knob is invalid, or no good exercise can be generated from the template.

    ``key`` names the offending knob (``None`` when the template as a whole is at fault) and
    ``message`` says what is wrong without the key; ``str(error)`` carries both. An error that
    people read in their own language also carries ``parts``: the message as (message id,
    parameters) pairs, for ``generate.describe`` to render in any language.
    """

    def __init__(self, key: str | None, message: str, parts: tuple = ()):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message
        self.parts = parts


@dataclass(frozen=True)
class ValueRange:
    """Given values are drawn uniformly from the grid of ``decimals``-decimal numbers in
    [low, high], both ends included, so what is shown is exactly what is computed."""

    low: float
    high: float
    decimals: int

    def grid(self) -> tuple[int, int]:
        """The inclusive integer bounds of the grid, in units of 10⁻ᵈᵉᶜⁱᵐᵃˡˢ."""
        # Decimal(repr()) reads the number as written, so 0.05 with 2 decimals is exactly 5.
        return (math.ceil(Decimal(repr(self.low)).scaleb(self.decimals)),
                math.floor(Decimal(repr(self.high)).scaleb(self.decimals)))

    def to_dict(self) -> dict:
        """The range as the JSON object a template is written with."""
        return {"low": self.low, "high": self.high, "decimals": self.decimals}


def is_number(value) -> bool:
    """True for a finite int or float that is not a bool (nor an int beyond float64, which
    JSON can carry but no knob can use)."""
    if type(value) is int:
        return abs(value) <= MAX_FLOAT
    return type(value) is float and math.isfinite(value)


def is_int(value) -> bool:
    """True for an int that is not a bool."""
    return type(value) is int


def check_range(key: str, value) -> ValueRange:
    """A ``{"low", "high", "decimals"}`` object (or a ValueRange) with a non-empty grid."""
    if isinstance(value, ValueRange):
        value = value.to_dict()
    if not isinstance(value, dict):
        raise TemplateError(key, 'must be an object {"low", "high", "decimals"}')
    unknown = sorted(set(value) - {"low", "high", "decimals"})
    if unknown:
        raise TemplateError(f"{key}.{unknown[0]}", "unknown key of a value range")
    for part in ("low", "high"):
        if not is_number(value.get(part)) or abs(value[part]) > MAX_MAGNITUDE:
            raise TemplateError(f"{key}.{part}",
                                f"must be a number between −{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}")
    decimals = value.get("decimals", 2)
    if not is_int(decimals) or not 0 <= decimals <= MAX_DECIMALS:
        raise TemplateError(f"{key}.decimals", f"must be an integer from 0 to {MAX_DECIMALS}")
    result = ValueRange(float(value["low"]), float(value["high"]), decimals)
    low, high = result.grid()
    if low > high:
        raise TemplateError(key, f"holds no number with {decimals} decimals "
                                 f"between {result.low:g} and {result.high:g}")
    return result


def check_choice(key: str, value, choices: tuple) -> str:
    """One of ``choices``."""
    if value not in choices or not isinstance(value, str):
        raise TemplateError(key, f"must be one of {', '.join(choices)}; got {value!r}")
    return value


def check_bool(key: str, value) -> bool:
    """A JSON boolean."""
    if type(value) is not bool:
        raise TemplateError(key, f"must be true or false; got {value!r}")
    return value


def check_ask(value) -> tuple[str, ...] | None:
    """A non-empty list of distinct askable quantity names, or None for the default."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value:
        raise TemplateError("ask", f"must be a non-empty list of quantities from {', '.join(ASKABLE)}")
    for quantity in value:
        check_choice("ask", quantity, ASKABLE)
    if len(set(value)) != len(value):
        raise TemplateError("ask", "lists a quantity twice")
    return tuple(value)


def check_tolerance(value) -> dict:
    """``{"mode", "rtol", "atol", "digits"}`` with the keys the mode does not use left None.

    ``relabs`` takes rtol and atol (defaults 1e-2 and 0); ``sigfig`` and ``decimals`` take
    digits, which they require.
    """
    if not isinstance(value, dict):
        raise TemplateError("tolerance", 'must be an object {"mode", "rtol", "atol", "digits"}')
    unknown = sorted(set(value) - set(DEFAULT_TOLERANCE))
    if unknown:
        raise TemplateError(f"tolerance.{unknown[0]}", "unknown key of a tolerance")
    mode = check_choice("tolerance.mode", value.get("mode", "relabs"), TOLERANCE_MODES)
    used = ("rtol", "atol") if mode == "relabs" else ("digits",)
    for part in set(DEFAULT_TOLERANCE) - {"mode"} - set(used):
        if value.get(part) is not None:
            raise TemplateError(f"tolerance.{part}", f"does not apply to mode {mode}")
    if mode == "relabs":
        result = {"mode": mode, "digits": None}
        for part in used:
            number = value.get(part, DEFAULT_TOLERANCE[part])
            if not is_number(number) or not 0 <= number < 1:
                raise TemplateError(f"tolerance.{part}", "must be a number in [0, 1)")
            result[part] = float(number)
        return {key: result[key] for key in DEFAULT_TOLERANCE}
    digits = value.get("digits")
    if not is_int(digits) or not 1 <= digits <= 12:
        raise TemplateError("tolerance.digits", f"must be an integer from 1 to 12 for mode {mode}")
    return {"mode": mode, "rtol": None, "atol": None, "digits": digits}


def check_digits(value) -> int | str:
    """``answer_digits``: a whole number from 4 to 8, or ``"auto"``."""
    if value == AUTO or (is_int(value) and MIN_DIGITS <= value <= MAX_DIGITS):
        return value
    raise TemplateError("answer_digits", f'must be a whole number from {MIN_DIGITS} to '
                                         f'{MAX_DIGITS}, or "auto"; got {value!r}')


def check_optimizer(value) -> str | dict:
    """An optimizer name or an object with a ``name``; the engine checks the rest."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return dict(value)
    raise TemplateError("optimizer", 'must be a name or an object {"name": …}')
