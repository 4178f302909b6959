"""The formulas of weight decay and dropout (SPEC §2): the penalty row and the dropout factor.

The penalty (λ/2)·Σw² sums over every weight of every layer, in row order (layers, units,
sources); like any long sum it shows its first and last terms around ``\\cdots``. A hidden
unit with dropout keeps r·f(z)/p, r its mask (0 or 1) and p its layer's keep probability.
"""

from tracer.latex import CDOTS, factor, indices, num


def _weight(sizes, index):
    """(layer, unit, source) of the ``index``-th weight of the network, in row order."""
    for l in range(1, len(sizes)):
        count = sizes[l] * sizes[l - 1]
        if index < count:
            unit, source = divmod(index, sizes[l - 1])
            return l, unit + 1, source + 1
        index -= count
    raise IndexError(index)


def penalty_formulas(net, names, weights) -> tuple[str, str]:
    """(formula, substituted) of the penalty (λ/2)·Σw² of the weights before the update."""
    sizes = net.sizes
    count = sum(a * b for a, b in zip(sizes, sizes[1:]))
    formula, numbers = [], []
    for i in indices(count):
        if i is None:
            formula.append(CDOTS)
            numbers.append(CDOTS)
            continue
        l, j, k = _weight(sizes, i)
        symbol = names.param(l, j, k)[1]
        formula.append(f"{{{symbol}}}^2" if "^" in symbol else f"{symbol}^2")
        numbers.append(f"{factor(weights[l][j - 1, k - 1])}^2")
    return (f"\\frac{{\\lambda}}{{2}}\\left({' + '.join(formula)}\\right)",
            f"\\frac{{{num(net.weight_decay)}}}{{2}}\\left({' + '.join(numbers)}\\right)")


def keep_symbol(depth: int, layer: int) -> str:
    """The keep probability's LaTeX symbol: p with one hidden layer, p⁽ˡ⁾ with several."""
    return "p" if depth == 2 else f"p^{{({layer})}}"


def dropout_factor(mask: str, keep: str) -> str:
    """The factor r/p in front of f(z) and f'(z) of a unit with dropout."""
    return f"\\frac{{{mask}}}{{{keep}}}"
