"""When a submitted number counts as the true one (SPEC §6 step 2).

Three modes: ``relabs`` (|s − t| ≤ atol + rtol·|t|), ``sigfig`` (within 0.51 unit of the n-th
significant figure of t) and ``decimals`` (within 0.51·10⁻ᵈ). The 0.51 rather than 0.5 lets
the true value rounded to n figures pass despite binary floating point. Updated parameters
must in addition pass the step rule, so that an unchanged weight never passes for a small η.
"""
import math
from dataclasses import dataclass
from decimal import Decimal

MODES = ("relabs", "sigfig", "decimals")
MAX_DIGITS = 15
_STRICT_MARGIN = 1e-9
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
    """How close a submitted number must be to the true one."""

    mode: str = "relabs"
    rtol: float = 1e-2
    atol: float = 1e-5
    digits: int | None = None
    # Also accept anything within 0.51 unit of t's ``figures``-th significant figure. Set only
    # by GradingSettings.comparison, never read from or written to JSON.
    figures: int | None = None

    def __post_init__(self):
        if self.mode not in MODES:
            raise _error("mode", f"must be one of {', '.join(MODES)}, got {self.mode!r}")
        for key in ("rtol", "atol"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0:
                raise _error(key, f"must be a finite number ≥ 0, got {value!r}")
        figures = self.figures
        if figures is not None and (type(figures) is not int or not 1 <= figures <= MAX_DIGITS):
            raise _error("figures", f"must be an integer from 1 to {MAX_DIGITS}, got {self.figures!r}")
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

    def describe(self) -> str:
        """Return the rule in words, as stored with each graded field."""
        if self.mode == "relabs":
            rule = f"|s − t| ≤ {self.atol:g} + {self.rtol:g}·|t|"
        elif self.mode == "sigfig":
            rule = f"{self.digits} significant figures (±0.51 in the last; |s| ≤ {self.atol:g} for t = 0)"
        else:
            rule = f"{self.digits} decimals (±{0.51 * 10.0 ** -self.digits:g})"
        if self.figures is not None:
            rule += f", or t to {self.figures} significant figures (±0.51 in the last)"
        return rule


def _figure_unit(true: float, figures: int) -> float:
    # The exponent of t as written (repr), so that t = 1e-07 has its first figure at 10⁻⁷.
    return 10.0 ** (Decimal(repr(abs(true))).adjusted() - figures + 1)


def within(submitted: float, true: float, tol: Tolerance) -> bool:
    """Return whether ``submitted`` counts as ``true`` under ``tol``."""
    error = abs(submitted - true)
    if tol.figures is not None and true != 0 and error <= 0.51 * _figure_unit(true, tol.figures):
        return True
    if tol.mode == "relabs":
        return error <= tol.atol + tol.rtol * abs(true)
    if tol.mode == "decimals":
        return error <= 0.51 * 10.0 ** -tol.digits
    if true == 0:
        # Zero has no significant figures; fall back to the absolute tolerance.
        return error <= tol.atol
    return error <= 0.51 * _figure_unit(true, tol.digits)


def step_ok(submitted: float, true: float, before: float, strict: bool = False) -> bool:
    """Return whether the step submitted − before has the sign of true − before and ½–3/2 its size.

    A parameter whose true step is exactly 0 (a zero gradient) must be submitted unchanged.
    ``strict`` leaves out the interval's ends (beyond float noise): diagnosis uses it to decide
    whether a mistake changes an update, since doubling or halving a step lands exactly on them.
    """
    step, true_step = submitted - before, true - before
    if (step > 0) != (true_step > 0) or (step < 0) != (true_step < 0):
        return False
    margin = _STRICT_MARGIN if strict else 0.0
    size = abs(true_step)
    return (0.5 + margin) * size <= abs(step) <= (1.5 - margin) * size


def matches(submitted: float, true: float, tol: Tolerance, before: float | None = None,
            strict: bool = False) -> bool:
    """Return whether ``submitted`` grades as ``true``: within ``tol`` and, for an updated
    parameter whose value ``before`` the update is given, with a step that passes :func:`step_ok`
    (``strict`` as there)."""
    if not within(submitted, true, tol):
        return False
    return before is None or step_ok(submitted, true, before, strict)
