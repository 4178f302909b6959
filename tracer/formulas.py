"""The `formula` and `substituted` columns of per-unit rows: x, y, z, a, the loss, dL_da, da_dz, δ.

Formulas are right-hand sides in the spec's naming scheme (the `symbol` column is the left-hand
side), built from the structure when rows are read; per-sample values inside a batch sum carry a
``^{[s]}`` mark. Each method renders one block of rows (see ``rows.blocks``) as chunks of
parallel lists. Symbolic formulas depend only on the network's structure (and on what δ
denotes, ``delta_convention``), so they are kept in bounded caches shared by every trace of the
same shape, and only the numbers are formatted per row.

A hidden layer with dropout writes a = (r/p)·f(z) and ∂a/∂z = (r/p)·f'(z), f' written with f(z)
(σ(z)(1 − σ(z)), not a(1 − a), since a is the kept value); the loss gains + Ω, the weight-decay
penalty, whose own row follows the loss.

With ``delta_convention`` negative, δ = −∂L/∂z: an output δ is written c(y − ŷ)·f′ (fused: (y − ŷ)/n,
y − ŷ; softmax: the negated Jacobian product), a hidden δ by the textbook recursion
(Σ_k δ_k w_kj)·f′, and a hidden ∂L/∂a, still a gradient, as −Σ_k δ_k w_kj.
"""

import functools
from itertools import repeat

from tracer import activations, losses
from tracer.latex import CDOTS, factor, factors, num, nums, shown, total
from tracer.naming import Names
from tracer.regularization import dropout_factor, keep_symbol, penalty_formulas
from tracer.rows import CHUNK, backward_quantities, spans


def products(left, right):
    """The sum of products of two lists of shown factors (``\\cdots`` where a sum is elided)."""
    return " + ".join(a if a is CDOTS else f"{a} \\cdot {b}" for a, b in zip(left, right))


def _scale(quantity, loss, outputs):
    """The loss's factor in front of ŷ − y: of the output dL_da (mse, half_sse, sse) or the fused δ."""
    found = losses.get(loss)
    if quantity == "dL_da":
        if found.factor_latex is None:
            raise ValueError(f"loss {loss!r} has no factor c in c(ŷ − y)")
        return found.factor_latex.format(n=outputs)
    return found.fused_factor_latex.format(n=outputs)


def _difference(quantity, loss, outputs, p, t):
    """``p`` − ``t`` times the loss's factor: ŷ − y of the output dL_da or the fused δ, or, with
    the arguments swapped, y − ŷ of the fused δ in the negative convention."""
    scale = _scale(quantity, loss, outputs)
    return f"{scale}({p} - {t})" if scale else f"{p} - {t}"


def _residual(loss, outputs, t, p, derivative):
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
            return _difference("dL_da", self.loss, self.sizes[-1], names.unit(l, j)[1], names.target(j)[1])
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
                return _difference("delta", loss, self.sizes[-1], t, p)
            return _difference("delta", loss, self.sizes[-1], p, t)
        g = names.latex("dL_da", l, j)
        if not activations.get(name).elementwise:  # softmax's Jacobian product
            inner = total(self.sizes[l], lambda i: f"{names.latex('dL_da', l, i + 1)} {names.unit(l, i + 1)[1]}")
            return f"{'-' if self.negative else ''}{p}\\left({g} - ({inner})\\right)"
        derivative = names.latex("da_dz", l, j)
        if not self.negative:
            return f"{g} \\cdot {derivative}"
        if output:
            return _residual(loss, self.sizes[-1], t, p, derivative)
        return f"\\left({self._downstream(l, j)}\\right) \\cdot {derivative}"


@functools.lru_cache(maxsize=4)
def unit_symbols(sizes: tuple, naming: str, activations: tuple, loss: str, bias: str,
                 delta_convention: str, dropout: bool = False) -> UnitSymbols:
    """The :class:`UnitSymbols` of a structure, shared by the traces of that structure (and of
    that ``delta_convention`` and dropout: they change the formulas)."""
    return UnitSymbols(sizes, naming, activations, loss, bias, delta_convention, dropout)


activations.ON_CHANGE.append(unit_symbols.cache_clear)


class UnitFormulas:
    """Renders the rows of the per-unit quantities and the loss of one trace."""

    def __init__(self, net):
        self.net = net
        self.symbols = unit_symbols(net.sizes, net.naming, net.activations, net.loss, net.bias,
                                    net.delta_convention, net.keep is not None)
        self.names = self.symbols.names
        self.depth, self.count = len(net.sizes) - 1, len(net.inputs)

    def given(self, t, step, l, s):
        """The sample's inputs x, targets y and dropout masks r: their symbol and number."""
        names = self.names
        masks = [(h, mask[s], lambda j, h=h: names.mask(h, j), "mask")
                 for h, mask in enumerate(self.net.masks or (), 1)]
        for layer, values, symbol, quantity in ((0, self.net.inputs[s], lambda k: names.unit(0, k), "x"),
                                                (self.depth, self.net.targets[s], names.target, "y"), *masks):
            for start, stop in spans(len(values)):
                texts, latexes = zip(*map(symbol, range(start + 1, stop + 1)))
                part = values[start:stop].tolist()
                yield (s + 1, layer, range(start + 1, stop + 1), repeat(None),
                       ((quantity, texts, latexes, nums(part), part),))

    # forward ---------------------------------------------------------------------------------

    def forward(self, t, step, l, s):
        """z then a of every unit of layer ``l`` for sample ``s``."""
        names, activation = self.names, activations.get(self.net.activations[l - 1])
        weights, bias = step.weights[l], step.biases[l]
        inputs = shown(step.a[l - 1][s])
        zs, values = step.z[l][s].tolist(), step.a[l][s].tolist()
        template, exponentials = activation.latex, None
        if activation.sum_term:
            exponentials = " + ".join(x if x is CDOTS else activation.sum_term.format(x) for x in shown(zs, nums))
        alpha = f"{num(self.net.slope)} \\cdot" if "{alpha}" in template else ""
        for start, stop in spans(len(zs)):
            units = range(start + 1, stop + 1)
            z, a = zs[start:stop], values[start:stop]
            sums = [products(inputs, shown(weights[j - 1])) for j in units]
            if bias is not None:
                biases = [factor(bias)] * len(sums) if self.net.bias == "shared" else factors(bias[start:stop].tolist())
                sums = [f"{terms} + {b}" for terms, b in zip(sums, biases)]
            texts = [names.pre(l, j)[0] for j in units]
            if template == "{z}":
                numbers = nums(z)
            elif "{z_factor}" in template:
                numbers = [template.format(z=v, z_factor=f, alpha=alpha, sum=exponentials)
                           for f, v in zip(factors(z), nums(z))]
            else:
                numbers = [template.format(z=v, alpha=alpha, sum=exponentials) for v in nums(z)]
            if self.symbols.dropped(l):
                numbers = [f"{f} \\cdot {n}" for f, n in zip(self._factors(l, s, start, stop), numbers)]
            yield s + 1, l, units, repeat(None), (
                ("z", texts, [self.symbols.z(l, j) for j in units], sums, z),
                ("a", [names.unit(l, j)[0] for j in units], [self.symbols.a(l, j) for j in units], numbers, a))

    def _factors(self, l, s, start, stop):
        """The numbers r/p of units start+1..stop of dropout layer ``l`` for sample ``s``."""
        keep = num(self.net.keep[l - 1])
        return [dropout_factor(r, keep) for r in nums(self.net.masks[l - 1][s, start:stop].tolist())]

    # loss ------------------------------------------------------------------------------------

    def _sample_loss(self, step, s):
        names, n, loss = self.names, self.net.sizes[-1], losses.get(self.net.loss)
        yhat, y = step.a[-1][s], self.net.targets[s]
        term, left, right = loss.term, loss.left.format(n=n), loss.right.format(n=n)
        formula = total(n, lambda i: term.format(p=names.unit(self.depth, i + 1)[1], t=names.target(i + 1)[1]))
        substituted = total(n, lambda i: term.format(p=factor(yhat[i]), t=factor(y[i])))
        return left + formula + right, left + substituted + right

    def loss(self, t, step, l, s):
        """Each sample's own loss L_s (in a batch), then the loss L."""
        count = self.count
        if count == 1:
            formula, substituted = self._sample_loss(step, 0)
        else:
            for sample, value in enumerate(step.losses.tolist(), 1):
                formula, substituted = self._sample_loss(step, sample - 1)
                yield sample, None, (None,), (None,), (
                    ("loss", (f"L_{sample}",), (formula,), (substituted,), (value,)),)
            formula = total(count, lambda i: f"L_{{{i + 1}}}")
            substituted = total(count, lambda i: factor(step.losses[i]))
            if self.net.reduction == "mean":
                formula = f"\\frac{{1}}{{{count}}}\\left({formula}\\right)"
                substituted = f"\\frac{{1}}{{{count}}}\\left({substituted}\\right)"
        if not self.net.weight_decay:
            yield None, None, (None,), (None,), (("loss", ("L",), (formula,), (substituted,), (step.loss,)),)
            return
        # The loss gains the penalty Ω = (λ/2)·Σw², shown on its own row after the loss.
        formula, substituted = f"{formula} + \\Omega", f"{substituted} + {factor(step.penalty)}"
        yield None, None, (None,), (None,), (("loss", ("L",), (formula,), (substituted,), (step.loss,)),)
        formula, substituted = penalty_formulas(self.net, self.names, step.weights)
        yield None, None, (None,), (None,), (("penalty", ("Ω",), (formula,), (substituted,), (step.penalty,)),)

    # backward --------------------------------------------------------------------------------

    def _numbers(self, step, q, l, s, start, stop):
        """The substituted formulas of ``q`` for units start+1..stop of layer ``l``, sample ``s``."""
        net, name = self.net, self.net.activations[l - 1]
        a = step.a[l][s, start:stop].tolist()
        if q == "da_dz":
            activation = activations.get(name)
            z = lambda: step.z[l][s, start:stop].tolist()  # noqa: E731 (read only when used)
            if not self.symbols.dropped(l):
                return activation.derivative_numbers(lambda: a, z, net.slope)
            # f' from f(z) before dropout, times r/p
            factors_ = self._factors(l, s, start, stop)
            if activation.unit_derivative:
                return factors_
            plain = activation.derivative_numbers(lambda: step.activated[l][s, start:stop].tolist(), z, net.slope)
            if activation.derivative_is_sum:
                plain = [f"({d})" for d in plain]
            return [f"{r} \\cdot {d}" for r, d in zip(factors_, plain)]
        negative, output = self.symbols.negative, l == self.depth
        if output and (q == "dL_da" or losses.is_fused(name, net.loss)):
            if negative and q == "delta":
                targets = nums(net.targets[s, start:stop].tolist())
                return [_difference(q, net.loss, net.sizes[-1], t, p) for p, t in zip(factors(a), targets)]
            targets = factors(net.targets[s, start:stop].tolist())
            return [_difference(q, net.loss, net.sizes[-1], p, t) for p, t in zip(nums(a), targets)]
        if q == "dL_da":
            sums = self._downstream(step, l, s, start, stop)
            return [f"-\\left({terms}\\right)" for terms in sums] if negative else sums
        g = step.dL_da[l][s]
        if not activations.get(name).elementwise:  # softmax's Jacobian product
            inner = products(shown(g), shown(step.a[l][s]))
            sign = "-" if negative else ""
            return [f"{sign}{v}\\left({d} - ({inner})\\right)"
                    for v, d in zip(nums(a), nums(g[start:stop].tolist()))]
        derivatives = factors(step.da_dz[l][s, start:stop].tolist())
        if not negative:
            return [f"{d} \\cdot {f}" for d, f in zip(factors(g[start:stop].tolist()), derivatives)]
        if output:
            targets = nums(net.targets[s, start:stop].tolist())
            return [_residual(net.loss, net.sizes[-1], t, p, f) for t, p, f in zip(targets, factors(a), derivatives)]
        sums = self._downstream(step, l, s, start, stop)
        return [f"\\left({terms}\\right) \\cdot {f}" for terms, f in zip(sums, derivatives)]

    def _downstream(self, step, l, s, start, stop):
        """Σ_i δ⁽ˡ⁺¹⁾_i w_{i,j} with numbers, for units start+1..stop of hidden layer ``l``."""
        deltas, weights = shown(step.delta[l + 1][s]), step.weights[l + 1]
        return [products(deltas, shown(weights[:, j])) for j in range(start, stop)]

    def backward(self, t, step, l, s):
        """dL_da, da_dz and δ of every unit of layer ``l`` for sample ``s`` (as present)."""
        quantities = backward_quantities(self.net.activations[l - 1], self.net.loss, l == self.depth)
        for start, stop in spans(self.net.sizes[l]):
            units = range(start + 1, stop + 1)
            yield s + 1, l, units, repeat(None), [
                (q, [self.names.text(q, l, j) for j in units], list(map(getattr(self.symbols, q), repeat(l), units)),
                 self._numbers(step, q, l, s, start, stop), getattr(step, q)[l][s, start:stop].tolist())
                for q in quantities]
