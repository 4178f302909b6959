"""The good-exercise conditions of SPEC §5, checked on one network at given answer digits.

A network makes a good hand exercise at ``d`` answer digits when:

- ``z_range``: no unit has |z| > 4;
- ``relu_kink``: no unit of an activation with a kink (ReLU, leaky ReLU: ``kink`` in the
  registry) has |z| < 0.05;
- ``rounds_to_zero``: no asked value rounds to 0 at d significant figures;
- ``equals_given``: no asked value equals a given value at d figures;
- ``values_agree``: no two asked values agree at d figures (asked values that are the same
  float64, as δ and ∂L/∂b of one unit, are one number by definition and count once);
- ``step_size``: every asked update's step |θ⁺ − θ| is at least 20 times r'(θ⁺), the rounding
  part of the exercise's tolerance at d digits (the grader's ``Comparison.step_part``), so the
  answer rounded as asked still shows the step.

A value an inactive ReLU unit makes exactly 0 (its activation, derivative and δ, the gradients
that multiply them) is exempt from the nonzero and distinctness conditions. The update of a
parameter with such a gradient is still asked and has no step, so a template that asks updates
only yields exercises whose ReLU units are all active. A unit dropped by its dropout mask makes
its values exactly 0 too, and they are exempt alike; so is an update whose gradient dropout
makes exactly 0 (no sample kept the unit): keeping θ is then the answer, and the lesson.
In a batch or a run of several steps every sample's and every step's values are checked.

The first two conditions do not depend on the digits; the others hold more easily the more
digits are asked. Conditions are reported as ``Condition`` objects: an id and the symbols at
fault, never a computed value, since the author of a practice exercise is its student.
"""

import math
from dataclasses import dataclass

from exercises.generation.fields import locate
from exercises.generation.knobs import MAX_DIGITS, MIN_DIGITS
from exercises.generation.spec_builder import layer_activations
from exercises.grading.tolerance import Comparison, Tolerance
from tracer import activations as registry
from tracer.keys import key_of
from tracer.naming import Names

Z_LIMIT = 4.0
RELU_MARGIN = 0.05
STEP_FACTOR = 20
DIGIT_CHOICES = tuple(range(MIN_DIGITS, MAX_DIGITS + 1))


def N_(message: str) -> str:
    """Mark an English message for the translation catalog; translated where it is shown."""
    return message


# Each condition's message, with %(symbols)s (the values at fault) and %(digits)d.
MESSAGES = {
    "z_range": N_("|z| is over 4 at %(symbols)s, which makes the activations hard to work "
                  "out by hand"),
    "relu_kink": N_("a ReLU unit is within 0.05 of its kink (|z| < 0.05) at %(symbols)s"),
    "rounds_to_zero": N_("%(symbols)s round to 0 at %(digits)d significant figures"),
    "equals_given": N_("%(symbols)s equal a given value at %(digits)d significant figures, "
                       "so copying it would pass"),
    "values_agree": N_("asked values agree at %(digits)d significant figures: %(symbols)s"),
    "step_size": N_("the step |θ⁺ − θ| of %(symbols)s is under 20 times its rounding allowance "
                    "at %(digits)d significant figures, so the rounded answer would not show "
                    "the step"),
}
CONDITIONS = tuple(MESSAGES)


@dataclass(frozen=True)
class Condition:
    """A good-exercise condition that a network fails: its id (a key of ``MESSAGES``), the
    symbols at fault and the answer digits it was checked at."""

    condition: str
    symbols: tuple[str, ...] = ()
    digits: int | None = None

    def params(self) -> dict:
        """The parameters of the condition's message."""
        return {"symbols": ", ".join(self.symbols), "digits": self.digits or 0}

    def message(self) -> str:
        """The condition's message in English."""
        return MESSAGES[self.condition] % self.params()

    def to_dict(self) -> dict:
        """As JSON: the id, the symbols at fault, the digits and the English message."""
        return {"condition": self.condition, "symbols": list(self.symbols),
                "digits": self.digits, "message": self.message()}


def round_sig(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant figures (correctly rounded, half to even)."""
    return float(f"{value:.{digits - 1}e}")


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


def _runs(spec: dict):
    """(sample, iteration) of every forward and backward pass of the exercise."""
    return [(s, t) for t in range(1, spec["iterations"] + 1) for s in range(1, len(spec["inputs"]) + 1)]


def _zero_keys(spec: dict, trace) -> set[str]:
    """Keys of values an inactive ReLU unit or a dropped unit makes exactly 0, whether asked
    or not: per sample and step, and gradients (updates with weight decay aside) that every
    sample's values make 0."""
    keys, dead_sources = set(), {}
    for s, t in _runs(spec):
        found = _relu_zero_keys(spec, trace, s, t)
        keys |= {key_of(q, l, j, k, sample=s if q in _PER_SAMPLE else 1, iteration=t)
                 for q, l, j, k in found if q in _PER_SAMPLE}
        for q, l, j, k in found:
            if q not in _PER_SAMPLE:
                dead_sources.setdefault((q, l, j, k, t), []).append(s)
    samples = len(spec["inputs"])
    for (q, l, j, k, t), seen in dead_sources.items():
        if len(seen) == samples:  # every sample's term of the gradient is 0
            keys.add(key_of(q, l, j, k, iteration=t))
            if q == "dL_dw" and not spec.get("weight_decay"):
                keys |= {key_of(name, l, j, k, iteration=t) for name in ("velocity", "m", "v", "w_new")}
            elif q == "dL_db" and j is not None:
                keys |= {key_of(name, l, j, iteration=t) for name in ("velocity", "m", "v", "b_new")}
    return keys


_PER_SAMPLE = ("a", "da_dz", "delta", "dL_da")


def _relu_zero_keys(spec: dict, trace, sample=1, t=1) -> set[tuple]:
    """(quantity, layer, unit, source) of the values an inactive ReLU unit or a dropped unit
    makes exactly 0 in one sample's pass of step ``t``."""
    sizes, activations = spec["layers"], layer_activations(spec)
    last = len(sizes) - 1
    masks = spec.get("dropout_masks")
    inactive = {(l, j) for l in range(1, last + 1) for j in range(1, sizes[l] + 1)
                if registry.get(activations[l - 1]).zero_below_kink
                and trace.value("z", l, j, sample=sample, iteration=t) <= 0
                or masks and l < last and masks[sample - 1][l - 1][j - 1] == 0}
    dead, keys = {}, set()      # dead: (layer, unit) whose δ inactive ReLU units make 0
    for l in range(last, 0, -1):
        units = range(1, sizes[l] + 1)
        # every unit fed by this layer has δ = 0, so ∂L/∂a of this layer is 0
        silent = l < last and all(dead[(l + 1, k)] for k in range(1, sizes[l + 1] + 1))
        for j in units:
            dead[(l, j)] = (l, j) in inactive or silent
            if silent:
                keys.add(("dL_da", l, j, None))
            if (l, j) in inactive:
                keys |= {("a", l, j, None), ("da_dz", l, j, None)}
            if dead[(l, j)]:
                keys |= {("delta", l, j, None), ("dL_db", l, j, None)}
        if all(dead[(l, j)] for j in units):
            keys.add(("dL_db", l, None, None))
    for (l, j), is_dead in dead.items():
        for k in range(1, sizes[l - 1] + 1):
            if is_dead or (l - 1, k) in inactive:
                keys.add(("dL_dw", l, j, k))
    return keys


def _unit_conditions(spec: dict, trace) -> list[Condition]:
    sizes, activations = spec["layers"], layer_activations(spec)
    wide, kinks = [], []
    for s, t in _runs(spec):
        for l in range(1, len(sizes)):
            for j in range(1, sizes[l] + 1):
                z = abs(trace.value("z", l, j, sample=s, iteration=t))
                if z > Z_LIMIT and (l, j) not in wide:
                    wide.append((l, j))
                elif registry.get(activations[l - 1]).kink and z < RELU_MARGIN and (l, j) not in kinks:
                    kinks.append((l, j))
    if not wide and not kinks:
        return []
    names = Names(sizes, spec["naming"])
    return [Condition(name, tuple(names.text("z", l, j) for l, j in units))
            for name, units in (("z_range", wide), ("relu_kink", kinks)) if units]


@dataclass
class Assessment:
    """One network's asked values, checked against the conditions at any answer digits.

    ``expected`` maps each asked key to its value, ``symbols`` each key to its symbol;
    ``tolerance`` is the exercise's tolerance as stored (``{"mode", "rtol", "atol", "digits"}``).
    """

    spec: dict
    trace: object
    expected: dict
    symbols: dict
    tolerance: dict
    located: dict | None = None

    def __post_init__(self):
        self._units = _unit_conditions(self.spec, self.trace)
        zero = _zero_keys(self.spec, self.trace)
        self._exempt = {key for key in zero if self.expected.get(key) == 0.0}
        dropout = self.spec.get("dropout") is not None
        self._before = {}
        for key in self.expected:
            quantity, layer, unit, source, _, t = (self.located[key] if self.located else locate(key))
            if quantity in ("w_new", "b_new"):
                theta = self.trace.value(quantity[0], layer, unit, source, iteration=t)
                if not (dropout and key in zero and self.expected[key] == theta):
                    self._before[key] = theta
        self._given = given_values(self.spec)
        self._tolerance = Tolerance.from_dict(self.tolerance)

    def failures(self, digits: int, first_only: bool = False,
                 scale: float = 1.0) -> list[Condition]:
        """The conditions this network fails at ``digits`` answer digits (only the first one
        found when ``first_only``); an empty list for a good exercise. With ``scale`` every
        update's step is taken ``scale`` times as large, as a learning rate ``scale`` times
        as large makes it in one step of any optimizer (refusals use this to name a rate)."""
        found = list(self._units)
        if found and first_only:
            return found[:1]
        values = self.expected if scale == 1.0 else {
            **self.expected, **{key: theta + scale * (self.expected[key] - theta)
                                for key, theta in self._before.items()}}
        if not all(math.isfinite(value) for value in values.values()):
            # A rate so many times the template's (η near 0) that a step leaves float64.
            return found + [Condition("step_size", (), digits)]
        for condition in (self._steps, self._rounding):
            found += condition(digits, values, first_only)
            if found and first_only:
                return found[:1]
        return found

    def passes(self, digits: int, scale: float = 1.0) -> bool:
        """Whether this network is a good exercise at ``digits`` answer digits."""
        return not self.failures(digits, first_only=True, scale=scale)

    def fewest_digits(self) -> int | None:
        """The fewest answer digits from 4 to 8 at which this is a good exercise, or None."""
        if self._units:
            return None
        return next((digits for digits in DIGIT_CHOICES if self.passes(digits)), None)

    def _rounding(self, digits: int, values: dict, _first_only: bool) -> list[Condition]:
        shown = {round_sig(value, digits) for value in self._given}
        numbers = {}      # each distinct asked value → the first key that has it
        for key, value in values.items():
            if key not in self._exempt:
                numbers.setdefault(value, key)
        zero, given, agree, seen = [], [], [], {}
        for value, key in numbers.items():
            rounded = round_sig(value, digits)
            name = self.symbols[key]
            if rounded == 0.0:
                zero.append(name)
            elif rounded in shown:
                given.append(name)
            if rounded in seen:
                agree.append(f"{seen[rounded]} = {name}")
            else:
                seen[rounded] = name
        return [Condition(name, tuple(names), digits) for name, names in
                (("rounds_to_zero", zero), ("equals_given", given), ("values_agree", agree))
                if names]

    def _steps(self, digits: int, values: dict, first_only: bool) -> list[Condition]:
        comparison = Comparison(self._tolerance, digits)
        small = []
        for key, theta in self._before.items():
            if abs(values[key] - theta) < STEP_FACTOR * comparison.step_part(values[key]):
                small.append(self.symbols[key])
                if first_only:
                    break
        return [Condition("step_size", tuple(small), digits)] if small else []
