"""The activation registry: one :class:`Activation` per name, everything the engine, the formulas,
generation, grading and the web know about it, defined once.

An activation's arithmetic works on float64 numpy arrays whose last axis is the units of a layer
(one sample ``(n,)`` or a batch ``(samples, n)``). Its LaTeX is written as ``str.format``
templates whose placeholders the formula builders fill with symbols or numbers:

- ``latex`` (f(z)): ``{z}`` the pre-activation, ``{z_factor}`` the same as a factor of a product
  (a negative number parenthesised), ``{alpha}`` the slope as a factor (``\\alpha`` in symbols,
  ``0.01 \\cdot`` in numbers), ``{sum}`` the layer-wide sum of ``sum_term`` (softmax's
  denominator);
- ``derivative_latex`` (f'(z)): ``{a}`` the activation f(z), ``{a_squared}`` its square, ``{z}``
  and ``{alpha}`` (``\\alpha \\,`` in symbols). Under dropout the formulas write it with f(z)
  itself (``square_latex`` gives f(z)², by default ``\\left(f(z)\\right)^2``);
- ``definition``: the LaTeX the statement shows ("σ(z) = 1/(1 + e^{−z})"), with
  ``, α = slope`` appended for an activation that ``uses_slope``; ``description`` the English
  sentence beside it (marked with ``N_`` for the catalog; the web layer translates it);
- ``derivative_text``/``misapplied_text``: plain-text formulas for grading's feedback, with
  ``{z}``, ``{a}`` and ``{slope}``; ``misapplied_text`` is f' applied to the activation instead of
  z (a misconception), None where that mistake gives the right value.

Adding an activation is one :func:`register` call (see the README's "How to extend").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

import numpy as np

from tracer.latex import factors, num, nums


def _constant(value: float) -> np.ndarray:
    """``value`` as a read-only 0-d float64 array: the same arithmetic as the float, but numpy
    takes it as an array and skips the conversion it does for a Python scalar on every call,
    a large part of an operation's cost on a tiny layer."""
    array = np.array(value, dtype=np.float64)
    array.flags.writeable = False
    return array


ONE, EXP_FLOOR = _constant(1.0), _constant(-709.0)
INF = float("inf")


def N_(message: str) -> str:
    """Mark ``message`` for the translation catalog (the web layer translates it when shown)."""
    return message


@dataclass(frozen=True)
class Activation:
    """One activation function and every fact about it (see the module docstring)."""

    name: str
    forward: Callable          # (z, slope) -> f(z)
    derivative: Callable | None  # (z, a, slope) -> f'(z) elementwise; None when not elementwise
    latex: str
    derivative_latex: str | None
    definition: str
    description: str
    derivative_text: str | None
    range: tuple[float, float]
    kink: bool = False                 # f' jumps at z = 0 (generation keeps |z| away from it)
    zero_below_kink: bool = False      # f(z) = f'(z) = 0 for z ≤ 0 (an inactive unit)
    constant_derivative: bool = False  # f' is the same number for most z: never asked
    unit_derivative: bool = False      # f' ≡ 1: leaving it out changes nothing
    uses_slope: bool = False           # reads leaky_relu_slope (α)
    misapplied_text: str | None = None
    square_latex: str | None = None
    sum_term: str | None = None        # the term of a layer-wide sum in f (softmax's e^{z_k})
    backward: Callable | None = None   # (a, g) -> Jᵀg for an activation that is not elementwise
    targets: tuple[float, float] | None = None  # a generated target's range, if not [−1, 1]
    one_hot: bool = False              # generated targets are one-hot vectors

    @property
    def elementwise(self) -> bool:
        """Whether f acts unit by unit (softmax does not: it has no da_dz rows)."""
        return self.derivative is not None

    def squared(self, z: str) -> str:
        """f(z)² in LaTeX, for the pre-activation ``z`` (a symbol)."""
        if self.square_latex is None:
            return "\\left(" + self.latex.format(z=z, z_factor=z, alpha="\\alpha") + "\\right)^2"
        return self.square_latex.format(z=z)


    @property
    def derivative_is_sum(self) -> bool:
        """Whether f'(z) is a sum at its top level (parenthesised when a factor r/p precedes it)."""
        depth, text = 0, (self.derivative_latex or "").replace("{{", "").replace("}}", "")
        for i, char in enumerate(text):
            depth += char in "([{"
            depth -= char in ")]}"
            if depth == 0 and text[i:i + 3] in (" + ", " - "):
                return True
        return False

    def derivative_numbers(self, a, z, slope) -> list[str]:
        """f'(z) with numbers, one per unit; ``a`` and ``z`` return the units' activations and
        pre-activations as lists (called only when the formula uses them)."""
        template = self.derivative_latex
        columns = {}
        if "{a}" in template:
            columns["a"] = nums(a())
        if "{a_squared}" in template:
            columns["a_squared"] = [f"{v}^2" for v in factors(a())]
        if "{z}" in template:
            columns["z"] = nums(z())
        alpha = f"{num(slope)} \\cdot" if "{alpha}" in template else ""
        if not columns:
            return [template.format(alpha=alpha)] * len(a())
        keys = list(columns)
        return [template.format(alpha=alpha, **dict(zip(keys, row))) for row in zip(*columns.values())]


_REGISTRY: dict[str, Activation] = {}
# Caches keyed by names (the formulas' symbols) register their cache_clear here, so that a name
# registered again, or removed, never serves the formulas of the object it replaced.
ON_CHANGE: list[Callable[[], None]] = []


def changed() -> None:
    """Tell the caches keyed by activation or loss names that a registry changed."""
    for clear in ON_CHANGE:
        clear()


def register(activation: Activation) -> Activation:
    """Add ``activation`` to the registry (replacing one of the same name); return it."""
    if activation.derivative is None and activation.backward is None:
        raise ValueError(f"activation {activation.name!r} needs a derivative or a backward product")
    if activation.derivative is not None and not activation.derivative_latex:
        raise ValueError(f"activation {activation.name!r} needs its derivative's LaTeX")
    _REGISTRY[activation.name] = activation
    changed()
    return activation


def unregister(name: str) -> None:
    """Remove activation ``name`` (a test's toy activation) from the registry."""
    _REGISTRY.pop(name, None)
    changed()


def get(name: str) -> Activation:
    """The registered activation ``name``; ValueError naming it when there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}") from None


def names() -> tuple[str, ...]:
    """The registered activations' names, in registration order."""
    return tuple(_REGISTRY)


class Names(Sequence):
    """A live, read-only tuple-like view of a registry's names: ``ACTIVATIONS`` and ``LOSSES``
    stay importable as sequences and still see an activation registered later."""

    def __init__(self, registry: dict):
        self._registry = registry

    def __iter__(self):
        return iter(tuple(self._registry))

    def __len__(self):
        return len(self._registry)

    def __contains__(self, name):
        return isinstance(name, str) and name in self._registry

    def __getitem__(self, index):
        return tuple(self._registry)[index]

    def __eq__(self, other):
        return tuple(self) == (tuple(other) if isinstance(other, (tuple, list, Names)) else other)

    def __hash__(self):
        return hash(tuple(self))

    def __repr__(self):
        return repr(tuple(self))


ACTIVATIONS = Names(_REGISTRY)


# The built-in activations -------------------------------------------------------------------

def _sigmoid(z, slope):
    # 1/(1 + e^−z) keeps full relative precision on both sides; clipping z at −709 only keeps
    # e^−z finite (σ(−709) ≈ 1.2e−308, so below that the result is off by less than 1e−307).
    return ONE / (ONE + np.exp(-np.maximum(z, EXP_FLOOR)))


def _softmax(z, slope):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_backward(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Return Jᵀg for softmax outputs ``a`` and upstream gradient ``g``: a ⊙ (g − Σ g⊙a)."""
    return a * (g - np.sum(g * a, axis=-1, keepdims=True))


register(Activation(
    "sigmoid", _sigmoid, lambda z, a, slope: a * (ONE - a),
    latex="\\sigma({z})", derivative_latex="{a}(1 - {a})",
    definition=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    description=N_("The logistic sigmoid squashes z into (0, 1)."),
    derivative_text="σ'({z}) = {a}(1 − {a})", misapplied_text="σ({a})(1 − σ({a}))",
    range=(0.0, 1.0), targets=(0.05, 0.95)))
register(Activation(
    "tanh", lambda z, slope: np.tanh(z), lambda z, a, slope: ONE - a * a,
    latex="\\tanh({z})", derivative_latex="1 - {a_squared}", square_latex="\\tanh^2({z})",
    definition=r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    description=N_("The hyperbolic tangent squashes z into (−1, 1)."),
    derivative_text="tanh'({z}) = 1 − {a}²", misapplied_text="1 − tanh²({a})",
    range=(-1.0, 1.0)))
register(Activation(
    "relu", lambda z, slope: np.where(z > 0, z, 0.0), lambda z, a, slope: np.where(z > 0, 1.0, 0.0),
    latex="\\max(0, {z})", derivative_latex="\\mathbb{{1}}[{z} > 0]",
    definition=r"\mathrm{ReLU}(z) = \max(0, z)",
    description=N_("The rectified linear unit passes a positive z and outputs 0 otherwise."),
    derivative_text="ReLU'({z}) (1 when {z} > 0, else 0)",
    range=(0.0, INF), kink=True, zero_below_kink=True, constant_derivative=True))
register(Activation(
    "leaky_relu", lambda z, slope: np.where(z > 0, z, slope * z),
    lambda z, a, slope: np.where(z > 0, 1.0, slope),
    latex="\\max({alpha} {z_factor}, {z})",
    derivative_latex="\\mathbb{{1}}[{z} > 0] + {alpha} \\mathbb{{1}}[{z} \\le 0]",
    definition=r"f(z) = \max(\alpha z, z)",
    description=N_("The leaky ReLU passes a positive z and scales a negative z by the slope α."),
    derivative_text="f'({z}) (1 when {z} > 0, else {slope:g})",
    range=(-INF, INF), kink=True, constant_derivative=True, uses_slope=True))
register(Activation(
    "linear", lambda z, slope: np.array(z, dtype=np.float64),
    lambda z, a, slope: np.ones_like(np.asarray(z, dtype=np.float64)),
    latex="{z}", derivative_latex="1", definition=r"f(z) = z", derivative_text="f'({z}) = 1",
    description=N_("The linear (identity) activation outputs z unchanged."),
    range=(-INF, INF), constant_derivative=True, unit_derivative=True))
register(Activation(
    "softmax", _softmax, None, latex="\\frac{{e^{{{z}}}}}{{{sum}}}", derivative_latex=None,
    definition=r"\mathrm{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}", derivative_text=None,
    description=N_("Softmax turns the layer's z into probabilities that sum to 1."),
    range=(0.0, 1.0), constant_derivative=True, sum_term="e^{{{}}}", backward=softmax_backward,
    one_hot=True))
