"""The symbolic formulas of the per-unit quantities z, a, dL_da, da_dz and δ, built from a
network's structure and cached.

Formulas are right-hand sides in the spec's naming scheme (the `symbol` column is the left-hand
side). They depend only on the network's structure (and on what δ denotes,
``delta_convention``), so they are kept in bounded caches shared by every trace of the same
shape; :mod:`tracer.formulas` formats only the numbers per row.

A hidden layer with dropout writes a = (r/p)·f(z) and ∂a/∂z = (r/p)·f'(z), f' written with f(z)
(σ(z)(1 − σ(z)), not a(1 − a), since a is the kept value).

With ``delta_convention`` negative, δ = −∂L/∂z: an output δ is written c(y − ŷ)·f′ (fused: (y − ŷ)/n,
y − ŷ; softmax: the negated Jacobian product), a hidden δ by the textbook recursion
(Σ_k δ_k w_kj)·f′, and a hidden ∂L/∂a, still a gradient, as −Σ_k δ_k w_kj.
"""

import functools

from tracer import activations, losses
from tracer.latex import total
from tracer.naming import Names
from tracer.regularization import dropout_factor, keep_symbol
from tracer.rows import CHUNK


def _scale(quantity, loss, outputs):
    """The loss's factor in front of ŷ − y: of the output dL_da (mse, half_sse, sse) or the fused δ."""
    found = losses.get(loss)
    if quantity == "dL_da":
        if found.factor_latex is None:
            raise ValueError(f"loss {loss!r} has no factor c in c(ŷ − y)")
        return found.factor_latex.format(n=outputs)
    return found.fused_factor_latex.format(n=outputs)


def difference(quantity, loss, outputs, p, t):
    """``p`` − ``t`` times the loss's factor: ŷ − y of the output dL_da or the fused δ, or, with
    the arguments swapped, y − ŷ of the fused δ in the negative convention."""
    scale = _scale(quantity, loss, outputs)
    return f"{scale}({p} - {t})" if scale else f"{p} - {t}"


def residual(loss, outputs, t, p, derivative):
    """The negative convention's output δ, c(y − ŷ)·f′ (mse, half_sse, sse)."""
    return f"{_scale('dL_da', loss, outputs)}({t} - {p}) \\cdot {derivative}"


class UnitSymbols:
    """The symbolic formulas of the per-unit quantities of one network structure, cached.

    Shared by every trace of the same shape (see :func:`unit_symbols`), so a tiny trace does
    not rebuild its symbols each time; each cache is bounded.
    """

    def __init__(self, sizes, naming, activations, loss, bias, delta_convention, dropout=False):
        self.names = Names(sizes, naming)
        self.sizes, self.activations, self.loss, self.bias = sizes, activations, loss, bias
        self.dropout = dropout
        self.negative = delta_convention == "negative"
        self.depth = len(sizes) - 1
        for name in ("z", "a", "dL_da", "da_dz", "delta"):
            setattr(self, name, functools.lru_cache(maxsize=CHUNK)(getattr(self, name)))

    def z(self, l, j):
        """Σ_k a⁽ˡ⁻¹⁾_k w_{j,k} (+ b)."""
        names, n = self.names, self.sizes[l - 1]
        formula = total(n, lambda k: f"{names.unit(l - 1, k + 1)[1]} {names.param(l, j, k + 1)[1]}")
        if self.bias != "none":
            formula += " + " + names.param(l, None if self.bias == "shared" else j, None)[1]
        return formula

    def dropped(self, l):
        """Whether layer ``l`` has dropout (a hidden layer of a spec with ``dropout``)."""
        return self.dropout and l < self.depth

    def _factor(self, l, j):
        return dropout_factor(self.names.mask(l, j)[1], keep_symbol(self.depth, l))

    def a(self, l, j):
        """f(z) of the layer's activation; (r/p)·f(z) with dropout."""
        activation, z = activations.get(self.activations[l - 1]), self.names.pre(l, j)[1]
        below = activation.sum_term and total(
            self.sizes[l], lambda i: activation.sum_term.format(self.names.pre(l, i + 1)[1]))
        value = activation.latex.format(z=z, z_factor=z, alpha="\\alpha", sum=below)
        return f"{self._factor(l, j)} \\cdot {value}" if self.dropped(l) else value

    def dL_da(self, l, j):
        """The loss's derivative (output) or Σ_i δ⁽ˡ⁺¹⁾_i w_{i,j} (hidden; negated when δ = −∂L/∂z)."""
        names = self.names
        if l == self.depth:
            return difference("dL_da", self.loss, self.sizes[-1], names.unit(l, j)[1], names.target(j)[1])
        terms = self._downstream(l, j)
        return f"-\\left({terms}\\right)" if self.negative else terms

    def _downstream(self, l, j):
        """Σ_i δ⁽ˡ⁺¹⁾_i w_{i,j}: what the units of layer l + 1 send back to unit j."""
        names, n = self.names, self.sizes[l + 1]
        return total(n, lambda i: f"{names.delta(l + 1, i + 1)[1]} {names.param(l + 1, i + 1, j)[1]}")

    def da_dz(self, l, j):
        """f'(z) written with the unit's symbols."""
        activation = activations.get(self.activations[l - 1])
        a, z = self.names.unit(l, j)[1], self.names.pre(l, j)[1]
        template = activation.derivative_latex
        if self.dropped(l):  # f' from f(z) itself: a is the kept value (r/p)·f(z)
            if activation.unit_derivative:
                return self._factor(l, j)
            f = activation.latex.format(z=z, z_factor=z, alpha="\\alpha")
            derivative = template.format(a=f, a_squared=activation.squared(z), z=z, alpha="\\alpha \\,")
            return f"{self._factor(l, j)} \\cdot " + (f"({derivative})" if activation.derivative_is_sum else derivative)
        square = f"{{{a}}}^2" if "^" in a else f"{a}^2"  # a⁽¹⁾_1 already has a superscript
        return template.format(a=a, a_squared=square, z=z, alpha="\\alpha \\,")

    def delta(self, l, j):
        """δ: fused (ŷ − y), softmax's Jacobian product, or dL_da · da_dz; negated when δ = −∂L/∂z,
        written (y − ŷ) at the output and by the recursion Σ δ w · f′ in a hidden layer."""
        names, name, loss, output = self.names, self.activations[l - 1], self.loss, l == self.depth
        p, t = names.unit(l, j)[1], (names.target(j)[1] if output else None)
        if output and losses.is_fused(name, loss):
            if self.negative:
                return difference("delta", loss, self.sizes[-1], t, p)
            return difference("delta", loss, self.sizes[-1], p, t)
        g = names.latex("dL_da", l, j)
        if not activations.get(name).elementwise:  # softmax's Jacobian product
            inner = total(self.sizes[l], lambda i: f"{names.latex('dL_da', l, i + 1)} {names.unit(l, i + 1)[1]}")
            return f"{'-' if self.negative else ''}{p}\\left({g} - ({inner})\\right)"
        derivative = names.latex("da_dz", l, j)
        if not self.negative:
            return f"{g} \\cdot {derivative}"
        if output:
            return residual(loss, self.sizes[-1], t, p, derivative)
        return f"\\left({self._downstream(l, j)}\\right) \\cdot {derivative}"


@functools.lru_cache(maxsize=4)
def unit_symbols(sizes: tuple, naming: str, activations: tuple, loss: str, bias: str,
                 delta_convention: str, dropout: bool = False) -> UnitSymbols:
    """The :class:`UnitSymbols` of a structure, shared by the traces of that structure (and of
    that ``delta_convention`` and dropout: they change the formulas)."""
    return UnitSymbols(sizes, naming, activations, loss, bias, delta_convention, dropout)


activations.ON_CHANGE.append(unit_symbols.cache_clear)
