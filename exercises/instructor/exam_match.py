"""Whether a network spec is an exam variant in disguise, up to what the answers don't see.

A student who copies their variant's network can change it without changing any answer at
the digits asked: nudge a value by less than the variant's shown decimals round away, send the
sample inside a batch, reorder the hidden units (or the inputs or outputs, with the targets),
or add units whose outgoing weights are all zero. ``Canonical`` holds a network in the one form
all of those share, and ``matches`` searches for the unit permutations that make a spec equal
to a variant within the rounding of the variant's decimals. Plain numpy, no database.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_DECIMALS = 12
SEARCH_BUDGET = 20_000  # backtracking steps; a search that runs out counts as a match


@dataclass(frozen=True)
class Canonical:
    """A network's weights, effective per-unit biases and input samples as float arrays."""

    weights: tuple[np.ndarray, ...]  # weights[l-1] has shape (units of l, units of l-1)
    biases: tuple[np.ndarray, ...]   # one per-unit vector per layer 1..L (zeros: no bias)
    inputs: np.ndarray               # (samples, inputs)

    @classmethod
    def from_spec(cls, spec: dict) -> Canonical:
        """The canonical form of a normalized spec (``tracer.normalize``)."""
        weights = tuple(np.asarray(layer, dtype=np.float64).reshape(size, -1)
                        for layer, size in zip(spec["weights"], spec["layers"][1:]))
        mode, given = spec.get("bias", "per_unit"), spec.get("biases")
        biases = []
        for index, w in enumerate(weights):
            if mode == "none" or given is None:
                biases.append(np.zeros(w.shape[0]))
            elif mode == "shared":
                biases.append(np.full(w.shape[0], float(given[index])))
            else:
                biases.append(np.asarray(given[index], dtype=np.float64).reshape(w.shape[0]))
        inputs = np.asarray(spec["inputs"], dtype=np.float64)
        inputs = inputs.reshape(-1, weights[0].shape[1]) if inputs.size else inputs.reshape(0, 0)
        return cls(weights, tuple(biases), inputs)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, inputs first."""
        return (self.weights[0].shape[1], *(w.shape[0] for w in self.weights))

    def pruned(self, tolerance: float) -> Canonical:
        """Without the units no answer can see: hidden units (and inputs) whose outgoing weights
        all round to zero. Removing one can leave a unit below it dead, so this runs from the
        top layer down."""
        weights, biases, inputs = list(self.weights), list(self.biases), self.inputs
        for layer in range(len(weights) - 1, -1, -1):
            live = np.any(np.abs(weights[layer]) > tolerance, axis=0)
            if live.all() or not live.any():
                continue
            weights[layer] = weights[layer][:, live]
            if layer == 0:
                inputs = inputs[:, live]
            else:
                weights[layer - 1] = weights[layer - 1][live]
                biases[layer - 1] = biases[layer - 1][live]
        return Canonical(tuple(weights), tuple(biases), inputs)


@dataclass(frozen=True)
class Tolerances:
    """Half a unit of the last shown decimal of each kind of value: a value within it rounds to
    the shown one."""

    weights: float
    biases: float
    inputs: float

    @classmethod
    def of(cls, decimals: dict[str, int | None], variant: Canonical) -> Tolerances:
        """Tolerances from the template's decimals, or where it names none from the decimals
        the variant's own values need."""
        def half_unit(kind: str, values) -> float:
            places = decimals.get(kind)
            if not isinstance(places, int) or not 0 <= places <= MAX_DECIMALS:
                places = needed_decimals(values)
            return 0.5 * 10.0 ** -places * (1 + 1e-9) + 1e-15
        return cls(half_unit("weights", variant.weights), half_unit("biases", variant.biases),
                   half_unit("inputs", [variant.inputs]))


def needed_decimals(arrays) -> int:
    """The fewest decimals that write every value of ``arrays`` exactly (at most 12)."""
    values = np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)
    for places in range(MAX_DECIMALS + 1):
        if np.allclose(np.round(values, places), values, rtol=0, atol=1e-12):
            return places
    return MAX_DECIMALS


class _Budget:
    def __init__(self):
        self.left = SEARCH_BUDGET

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def matches(spec: Canonical, variant: Canonical, tol: Tolerances) -> bool:
    """Whether ``spec`` is ``variant`` up to rounding, batching, unit order and dead units.

    ``spec`` is pruned here with the variant's weight tolerance; the variant is pruned of exactly
    zero weights only. A search that runs out of budget answers True (refusing a trace is the
    safe side)."""
    spec = spec.pruned(tol.weights)
    variant = variant.pruned(0.0)
    if spec.sizes != variant.sizes or spec.inputs.shape[0] == 0:
        return False
    budget = _Budget()
    try:
        return any(_from_inputs(spec, variant, tol, budget, s, t)
                   for s, t in _sample_pairs(spec, variant, tol))
    except _OutOfBudget:
        return True


class _OutOfBudget(Exception):
    pass


def _sample_pairs(spec: Canonical, variant: Canonical, tol: Tolerances):
    """(spec sample, variant sample) pairs whose values agree as multisets."""
    spec_sorted = np.sort(spec.inputs, axis=1)
    for t, row in enumerate(np.sort(variant.inputs, axis=1)):
        close = np.all(np.abs(spec_sorted - row) <= tol.inputs, axis=1)
        for s in np.flatnonzero(close):
            yield int(s), t


def _injections(candidates: list[np.ndarray], budget: _Budget):
    """Every injective choice of one candidate per position (backtracking)."""
    chosen: list[int] = []
    used: set[int] = set()

    def extend(position: int):
        if not budget.spend():
            raise _OutOfBudget
        if position == len(candidates):
            yield tuple(chosen)
            return
        for option in candidates[position]:
            option = int(option)
            if option in used:
                continue
            chosen.append(option)
            used.add(option)
            yield from extend(position + 1)
            chosen.pop()
            used.discard(option)

    yield from extend(0)


def _from_inputs(spec, variant, tol, budget, s, t) -> bool:
    x_spec, x_var = spec.inputs[s], variant.inputs[t]
    input_candidates = [np.flatnonzero(np.abs(x_spec - value) <= tol.inputs) for value in x_var]
    return any(_layers(spec, variant, tol, budget, 0, order)
               for order in _injections(input_candidates, budget))


def _layers(spec, variant, tol, budget, layer: int, below: tuple[int, ...]) -> bool:
    """Whether layers ``layer``+1.. match, given the spec unit matched to each variant unit of
    the layer below (``below``)."""
    if layer == len(variant.weights):
        return True
    w_spec = spec.weights[layer][:, list(below)]
    w_var, b_spec, b_var = variant.weights[layer], spec.biases[layer], variant.biases[layer]
    candidates = []
    for j in range(w_var.shape[0]):
        rows = np.all(np.abs(w_spec - w_var[j]) <= tol.weights, axis=1)
        rows &= np.abs(b_spec - b_var[j]) <= tol.biases
        options = np.flatnonzero(rows)
        if options.size == 0:
            return False
        candidates.append(options)
    return any(_layers(spec, variant, tol, budget, layer + 1, order)
               for order in _injections(candidates, budget))


def decimals_of(template: dict | None) -> dict[str, int | None]:
    """The decimals a variant's template shows weights, biases and inputs with (None: unknown,
    the variant's own values tell)."""
    found: dict[str, int | None] = {}
    for kind in ("weights", "biases", "inputs"):
        knob = (template or {}).get(kind)
        found[kind] = knob.get("decimals") if isinstance(knob, dict) else None
    return found

