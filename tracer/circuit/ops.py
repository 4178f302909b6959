"""The operations of a circuit (SPEC §10), each with its forward value and local backward rule.

As in micrograd, an operation knows how to compute its value from its arguments and the
derivative of that value with respect to each argument, and nothing else. Each also writes
both as LaTeX from its arguments' texts (symbols or numbers), so one function serves the
``formula`` and the ``substituted`` column. ``local`` gets the arguments, the node's own value
(``out``) and the exponent; ``local_tex`` writes the local gradient of argument ``i`` in the
same terms, ``out`` being the node's own text (σ'(q) is written ``f(1 − f)`` as CS231n does).
"""

import math
from dataclasses import dataclass
from typing import Callable

VARIADIC = None  # arity of add and mul: two or more arguments


@dataclass(frozen=True)
class Op:
    """One operation: its arity, forward value, local gradients and their LaTeX."""

    name: str
    arity: int | None
    forward: Callable[[list, int | None], float]
    local: Callable[[list, float, int | None], list]
    tex: Callable[[list, int | None], str]
    local_tex: Callable[[list, int, str, int | None], str]


def _product(values):
    result = 1.0
    for value in values:
        result *= value
    return result


def _sigmoid(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)  # never overflows for a < 0
    return e / (1.0 + e)


def _others(args, i):
    """The product of every argument but the i-th, as LaTeX (the local gradient of a mul)."""
    rest = [text for j, text in enumerate(args) if j != i]
    return " \\cdot ".join(rest)


def _max_tex(args, i, out, n):
    # The gradient goes to the first arg on a tie (SPEC §10).
    a, b = args
    return f"\\mathbb{{1}}[{a} \\ge {b}]" if i == 0 else f"\\mathbb{{1}}[{b} > {a}]"


def _pow_local_tex(args, i, out, n):
    return "0" if n == 0 else f"{n} \\cdot {args[0]}^{{{n - 1}}}"


OPS = {op.name: op for op in (
    Op("add", VARIADIC, lambda v, n: sum(v),
       lambda v, out, n: [1.0] * len(v),
       lambda a, n: " + ".join(a), lambda a, i, out, n: "1"),
    Op("mul", VARIADIC, lambda v, n: _product(v),
       lambda v, out, n: [_product(v[:i] + v[i + 1:]) for i in range(len(v))],
       lambda a, n: " \\cdot ".join(a), lambda a, i, out, n: _others(a, i)),
    Op("sub", 2, lambda v, n: v[0] - v[1], lambda v, out, n: [1.0, -1.0],
       lambda a, n: f"{a[0]} - {a[1]}", lambda a, i, out, n: "1" if i == 0 else "-1"),
    Op("div", 2, lambda v, n: v[0] / v[1], lambda v, out, n: [1.0 / v[1], -v[0] / (v[1] * v[1])],
       lambda a, n: f"\\frac{{{a[0]}}}{{{a[1]}}}",
       lambda a, i, out, n: f"\\frac{{1}}{{{a[1]}}}" if i == 0 else f"-\\frac{{{a[0]}}}{{{a[1]}^{{2}}}}"),
    Op("max", 2, lambda v, n: max(v[0], v[1]),
       lambda v, out, n: [1.0, 0.0] if v[0] >= v[1] else [0.0, 1.0],
       lambda a, n: f"\\max({a[0]}, {a[1]})", _max_tex),
    Op("neg", 1, lambda v, n: -v[0], lambda v, out, n: [-1.0],
       lambda a, n: f"-{a[0]}", lambda a, i, out, n: "-1"),
    Op("exp", 1, lambda v, n: math.exp(v[0]), lambda v, out, n: [out],
       lambda a, n: f"e^{{{a[0]}}}", lambda a, i, out, n: f"e^{{{a[0]}}}"),
    Op("log", 1, lambda v, n: math.log(v[0]), lambda v, out, n: [1.0 / v[0]],
       lambda a, n: f"\\ln {a[0]}", lambda a, i, out, n: f"\\frac{{1}}{{{a[0]}}}"),
    Op("relu", 1, lambda v, n: v[0] if v[0] > 0 else 0.0, lambda v, out, n: [1.0 if v[0] > 0 else 0.0],
       lambda a, n: f"\\max(0, {a[0]})", lambda a, i, out, n: f"\\mathbb{{1}}[{a[0]} > 0]"),
    Op("sigmoid", 1, lambda v, n: _sigmoid(v[0]), lambda v, out, n: [out * (1.0 - out)],
       lambda a, n: f"\\frac{{1}}{{1 + e^{{-{a[0]}}}}}", lambda a, i, out, n: f"{out}(1 - {out})"),
    Op("tanh", 1, lambda v, n: math.tanh(v[0]), lambda v, out, n: [1.0 - out * out],
       lambda a, n: f"\\tanh {a[0]}", lambda a, i, out, n: f"1 - {out}^{{2}}"),
    Op("pow", 1, lambda v, n: v[0] ** n, lambda v, out, n: [n * v[0] ** (n - 1) if n else 0.0],
       lambda a, n: f"{a[0]}^{{{n}}}", _pow_local_tex),
)}
