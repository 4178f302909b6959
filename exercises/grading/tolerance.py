"""When a submitted number counts as the true one (SPEC §6 step 2).

Every comparison carries the rounding allowance u(t) of the exercise's answer digits: 0.51 units
of t's ``answer_digits``-th significant figure (the 0.51 rather than 0.5 lets the true value
rounded as asked pass despite binary floating point). The mode adds its own allowance:
``relabs`` rtol·|t| + atol, ``sigfig`` 0.51 units of t's n-th figure, ``decimals`` 0.51·10⁻ᵈ.

Updated parameters are graded by their value and by their step: the step s − θ must match
t − θ within rtol of the step plus the rounding part r'(t) alone, so that a step far off its
size never passes on the strength of θ⁺'s much wider allowance.
"""
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

MODES = ("relabs", "sigfig", "decimals")
MAX_DIGITS = 15
ZERO_ALLOWANCE = 1e-12
_KEYS = ("mode", "rtol", "atol", "digits")


class SettingsError(ValueError):
    """A grading setting that is unknown or out of range; ``key`` names it (``tolerance.rtol``)."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


def _error(key, message):
    return SettingsError(f"tolerance.{key}", message)


@dataclass(frozen=True)
class Tolerance:
    """How close a submitted number must be to the true one, besides the rounding allowance."""

    mode: str = "relabs"
    rtol: float = 1e-2
    atol: float = 0.0
    digits: int | None = None

    def __post_init__(self):
        if self.mode not in MODES:
            raise _error("mode", f"must be one of {', '.join(MODES)}, got {self.mode!r}")
        for key in ("rtol", "atol"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0:
                raise _error(key, f"must be a finite number ≥ 0, got {value!r}")
        if self.mode == "relabs":
            if self.digits is not None:
                raise _error("digits", "is only used by the sigfig and decimals modes")
            return
        lowest = 1 if self.mode == "sigfig" else 0
        if type(self.digits) is not int or not lowest <= self.digits <= MAX_DIGITS:
            raise _error("digits", f"mode {self.mode} needs an integer from {lowest} "
                                   f"to {MAX_DIGITS}, got {self.digits!r}")

    @classmethod
    def from_dict(cls, data: dict) -> "Tolerance":
        """Build a tolerance from its JSON form, e.g. ``{"mode": "sigfig", "digits": 3}``.

        A key whose value is null counts as absent, as templates store the keys a mode does
        not use (``{"mode": "sigfig", "digits": 3, "rtol": null, "atol": null}``)."""
        if not isinstance(data, dict):
            raise SettingsError("tolerance", f"must be an object, got {type(data).__name__}")
        for key in data:
            if key not in _KEYS:
                raise _error(str(key), f"unknown key; expected {', '.join(_KEYS)}")
        return cls(**{key: value for key, value in data.items() if value is not None})

    def to_dict(self) -> dict:
        """Return the JSON form that :meth:`from_dict` reads back."""
        data = {"mode": self.mode, "rtol": self.rtol, "atol": self.atol}
        if self.digits is not None:
            data["digits"] = self.digits
        return data

    def describe(self, answer_digits: int | None = None) -> str:
        """Return the rule in words, as stored with each graded field."""
        if self.mode == "relabs":
            rule = f"|s − t| ≤ {self.rtol:g}·|t| + {self.atol:g}"
        elif self.mode == "sigfig":
            rule = f"{self.digits} significant figures (±0.51 in the last)"
        else:
            rule = f"{self.digits} decimals (±{0.51 * 10.0 ** -self.digits:g})"
        if answer_digits is not None:
            rule += f" + 0.51 in t's {answer_digits}th significant figure"
        return rule


def figure_unit(value: float, figures: int) -> float:
    """One unit of the ``figures``-th significant figure of a nonzero ``value``, taking the
    exponent of the value as written (``repr``), so that 1e-07 has its first figure at 10⁻⁷."""
    magnitude = abs(value)
    exponent = math.floor(math.log10(magnitude))
    if not -300 < exponent < 300:
        # Near float64's ends powers of ten overflow or lose precision: ask the decimal form.
        exponent = Decimal(repr(magnitude)).adjusted()
    # log10 may land one off near a power of ten; the float's own decimal exponent decides.
    elif magnitude >= 10.0 ** (exponent + 1):
        exponent += 1
    elif magnitude < 10.0 ** exponent:
        exponent -= 1
    return 10.0 ** (exponent - figures + 1)


def round_sig(value: float, figures: int) -> float:
    """``value`` rounded to ``figures`` significant figures (correctly rounded, half to even)."""
    return float(f"{value:.{figures - 1}e}")


@dataclass(frozen=True)
class Comparison:
    """A tolerance together with the exercise's answer digits: the whole rule of SPEC §6 step 2."""

    tolerance: Tolerance
    digits: int

    def rounding(self, true: float) -> float:
        """u(t): 0.51 units of t's ``digits``-th significant figure, 0 when t = 0."""
        return 0.0 if true == 0 else 0.51 * figure_unit(true, self.digits)

    def step_part(self, true: float) -> float:
        """r'(t): the mode's rounding part alone (u(t) + atol in ``relabs``; the whole
        allowance, and never less than u(t), in ``sigfig`` and ``decimals``)."""
        tol = self.tolerance
        if tol.mode == "relabs":
            return self.rounding(true) + tol.atol
        return self.allowance(true)

    def allowance(self, true: float) -> float:
        """r(t): how far a submitted value may be from ``true``.

        In ``sigfig`` and ``decimals`` modes the allowance is never below u(t), so that the
        true value rounded to the digits the exercise asks for always passes."""
        tol, u = self.tolerance, self.rounding(true)
        if tol.mode == "relabs":
            return tol.rtol * abs(true) + tol.atol + u
        if tol.mode == "decimals":
            return max(0.51 * 10.0 ** -tol.digits, u)
        return max(0.0 if true == 0 else 0.51 * figure_unit(true, tol.digits), u)

    def within(self, submitted: float, true: float) -> bool:
        """Whether ``submitted`` is within r(t) of ``true``; a true exact 0 (an inactive ReLU
        unit) takes only |s| ≤ 1e-12."""
        if true == 0:
            return abs(submitted) <= ZERO_ALLOWANCE
        return abs(submitted - true) <= self.allowance(true)

    def step_within(self, submitted: float, true: float, before: float) -> bool:
        """Whether the step ``submitted − before`` matches ``true − before``: within rtol of
        the true step plus r'(t). A true step of exactly 0 must be submitted unchanged."""
        step, true_step = submitted - before, true - before
        if true_step == 0:
            return abs(step) <= ZERO_ALLOWANCE
        return abs(step - true_step) <= self.tolerance.rtol * abs(true_step) + self.step_part(true)

    def matches(self, submitted: float, true: float, before: float | None = None) -> bool:
        """Whether ``submitted`` grades as ``true``: within r(t) and, for an updated parameter
        whose value ``before`` the update is given, with a step that matches too."""
        if not (math.isfinite(submitted) and math.isfinite(true)):
            return False  # a value recomputed from an answer near 1e308 may overflow: no match
        if not self.within(submitted, true):
            return False
        return before is None or self.step_within(submitted, true, before)


def _units(values: np.ndarray, figures: int) -> np.ndarray:
    """:func:`figure_unit` of every element (0 where the value is 0)."""
    magnitude = np.abs(values)
    nonzero = magnitude > 0
    exponent = np.floor(np.log10(np.where(nonzero, magnitude, 1.0)))
    exponent += magnitude >= 10.0 ** (exponent + 1)
    exponent -= nonzero & (magnitude < 10.0 ** exponent)
    return np.where(nonzero, 10.0 ** (exponent - figures + 1), 0.0)


def matches_many(cmp: Comparison, submitted, true, before) -> np.ndarray:
    """:meth:`Comparison.matches` elementwise over broadcast arrays; ``before`` is NaN where a
    field is not an update. A NaN submitted value (a blank) matches nothing."""
    tol = cmp.tolerance
    with np.errstate(over="ignore", invalid="ignore"):
        submitted, true, before = np.asarray(submitted), np.asarray(true), np.asarray(before)
        error = np.abs(submitted - true)
        u = 0.51 * _units(true, cmp.digits)
        if tol.mode == "relabs":
            allowance, step_part = tol.rtol * np.abs(true) + tol.atol + u, u + tol.atol
        elif tol.mode == "decimals":
            allowance = step_part = np.maximum(0.51 * 10.0 ** -tol.digits, u)
        else:
            allowance = step_part = np.maximum(0.51 * _units(true, tol.digits), u)
        ok = np.where(true == 0, np.abs(submitted) <= ZERO_ALLOWANCE, error <= allowance)
        # |Δs − Δ| is |s − t|: the step rule bounds the same error by the step's own scale.
        true_step = true - before
        step_ok = np.where(true_step == 0, np.abs(submitted - before) <= ZERO_ALLOWANCE,
                           error <= tol.rtol * np.abs(true_step) + step_part)
        return ok & (np.isnan(before) | step_ok) & np.isfinite(submitted)
