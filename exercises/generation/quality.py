"""The good-exercise conditions of SPEC §5, checked on one generated try.

A try is rejected when a unit's |z| exceeds 4, when a ReLU-family unit has |z| under 0.05, when
an asked value rounds to 0, or when two asked values, or an asked value and a given one, agree at
the answer digits (asked values that are equal by definition, as δ and ∂L/∂b of one unit, count
as one).

The step condition (|θ⁺ − θ| at least 10 units of θ⁺'s last asked digit) sets the answer digits:
the fewest, from the template's up to 8, at which every asked update passes it, so a small
learning rate raises the digits instead of rejecting the try. Values that are not updates must
pass at the template's own digits (raising digits never hides a coincidence among them); every
asked value must pass at the digits chosen. Updates are judged only there because an update
that rounds onto its own θ is a small step, not a coincidence.

A value that an inactive ReLU unit makes exactly 0 (its activation, derivative and δ, the
gradients that multiply them) is exempt from the nonzero and distinctness conditions. The update
of a parameter with such a gradient is still asked and still has no step, so a template that
asks updates only yields exercises whose ReLU units are all active.
"""

from dataclasses import dataclass
from decimal import Decimal

from tracer.keys import parse_key

from .knobs import MAX_DIGITS
from .network import layer_activations

Z_LIMIT = 4.0
RELU_MARGIN = 0.05
STEP_UNITS = 10


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking a try: the answer digits it needs, or why it was rejected."""

    digits: int | None
    reason: str | None


def round_sig(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant figures (correctly rounded, half to even)."""
    return float(f"{value:.{digits - 1}e}")


def sig_unit(value: float, digits: int) -> float:
    """One unit of the ``digits``-th significant figure of a nonzero ``value``."""
    return 10.0 ** (Decimal(value).adjusted() - digits + 1)


def given_values(spec: dict) -> list[float]:
    """Every number an exercise shows: every number of its network spec — inputs, targets,
    weights, biases, η, optimizer settings, and also the leaky ReLU slope, layer sizes and
    iteration count, since a student sees those as well."""
    found = []

    def collect(item):
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, (list, tuple)):
            for inner in item:
                collect(inner)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            found.append(float(item))

    collect(spec)
    return found


def _relu_zero_keys(spec: dict, trace) -> set[str]:
    """Keys of values an inactive ReLU unit makes exactly 0, whether asked or not."""
    sizes, activations = spec["layers"], layer_activations(spec)
    last = len(sizes) - 1
    inactive = {(l, j) for l in range(1, last + 1) for j in range(1, sizes[l] + 1)
                if activations[l - 1] == "relu" and trace.value("z", l, j) <= 0}
    dead, keys = {}, set()      # dead: (layer, unit) whose δ inactive ReLU units make 0
    for l in range(last, 0, -1):
        units = range(1, sizes[l] + 1)
        # every unit fed by this layer has δ = 0, so ∂L/∂a of this layer is 0
        silent = l < last and all(dead[(l + 1, k)] for k in range(1, sizes[l + 1] + 1))
        for j in units:
            dead[(l, j)] = (l, j) in inactive or silent
            if silent:
                keys.add(f"dL_da:{l}:{j}")
            if (l, j) in inactive:
                keys |= {f"a:{l}:{j}", f"da_dz:{l}:{j}"}
            if dead[(l, j)]:
                keys |= {f"delta:{l}:{j}", f"dL_db:{l}:{j}"}
        if all(dead[(l, j)] for j in units):
            keys.add(f"dL_db:{l}")
    for (l, j), is_dead in dead.items():
        for k in range(1, sizes[l - 1] + 1):
            if is_dead or (l - 1, k) in inactive:
                keys.add(f"dL_dw:{l}:{j}:{k}")
    return keys


def _unit_reason(spec: dict, trace) -> str | None:
    sizes, activations = spec["layers"], layer_activations(spec)
    for l in range(1, len(sizes)):
        for j in range(1, sizes[l] + 1):
            z = abs(trace.value("z", l, j))
            if z > Z_LIMIT:
                return f"a unit has |z| > {Z_LIMIT:g}"
            if activations[l - 1] in ("relu", "leaky_relu") and z < RELU_MARGIN:
                return f"a ReLU unit has |z| < {RELU_MARGIN:g}"
    return None


def _value_reason(expected: dict, exempt: set, given: list, digits: int) -> str | None:
    shown = {round_sig(value, digits) for value in given}
    # Asked values that are the same float64 are one number by definition (δ and ∂L/∂b of a
    # unit, a = z of a linear unit); only different numbers that agree are a coincidence.
    numbers = {value for key, value in expected.items() if key not in exempt}
    rounded = [round_sig(value, digits) for value in numbers]
    if 0.0 in rounded:
        return "an asked value rounds to 0"
    if shown.intersection(rounded):
        return "an asked value equals a given value at the answer digits"
    if len(set(rounded)) < len(rounded):
        return "two asked values agree at the answer digits"
    return None


def _steps_ok(expected: dict, before: dict, digits: int) -> bool:
    for key, theta in before.items():
        updated = expected[key]
        if updated != 0 and abs(updated - theta) < STEP_UNITS * sig_unit(updated, digits):
            return False
    return True


def assess(spec: dict, trace, expected: dict, digits: int, located: dict | None = None) -> Verdict:
    """Check a try whose asked values are ``expected`` (key → value) against the good-exercise
    conditions, starting at ``digits`` answer digits; see the module docstring. ``located``
    maps each key to its parsed ``(quantity, layer, unit, source)`` when the caller has it."""
    reason = _unit_reason(spec, trace)
    if reason:
        return Verdict(None, reason)
    exempt = {key for key in _relu_zero_keys(spec, trace) if expected.get(key) == 0.0}
    given = given_values(spec)
    before = {}
    for key in expected:
        quantity, layer, unit, source = located[key] if located else parse_key(key)
        if quantity in ("w_new", "b_new"):
            before[key] = trace.value(quantity[0], layer, unit, source)
    others = {key: value for key, value in expected.items() if key not in before}
    reason = _value_reason(others, exempt, given, digits)
    if reason:
        return Verdict(None, reason)
    for candidate in range(digits, MAX_DIGITS + 1):
        if _steps_ok(expected, before, candidate):
            reason = _value_reason(expected, exempt, given, candidate)
            return Verdict(None, reason) if reason else Verdict(candidate, None)
    return Verdict(None, f"an update's step is under {STEP_UNITS} units of its last digit "
                         f"even at {MAX_DIGITS} digits")
