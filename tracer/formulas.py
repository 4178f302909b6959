"""The `formula` and `substituted` columns of per-unit rows: x, y, z, a, the loss, dL_da, da_dz, δ.

Formulas are right-hand sides in the spec's naming scheme (the `symbol` column is the left-hand
side), built from the structure when rows are read; per-sample values inside a batch sum carry a
``^{[s]}`` mark. Each method renders one block of rows (see ``rows.blocks``) as chunks of
parallel lists. The symbolic formulas come from :mod:`tracer.symbolic`, cached per network
shape (dropout and the δ convention are described there); only the numbers are formatted per
row, substituted into the same formulas.

The loss gains + Ω, the weight-decay penalty, whose own row follows the loss.
"""

from itertools import repeat

from tracer import activations, losses
from tracer.latex import CDOTS, factor, factors, num, nums, shown, total
from tracer.regularization import dropout_factor, penalty_formulas
from tracer.rows import backward_quantities, spans
from tracer.symbolic import difference, residual, unit_symbols


def products(left, right):
    """The sum of products of two lists of shown factors (``\\cdots`` where a sum is elided)."""
    return " + ".join(a if a is CDOTS else f"{a} \\cdot {b}" for a, b in zip(left, right))


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
                return [difference(q, net.loss, net.sizes[-1], t, p) for p, t in zip(factors(a), targets)]
            targets = factors(net.targets[s, start:stop].tolist())
            return [difference(q, net.loss, net.sizes[-1], p, t) for p, t in zip(nums(a), targets)]
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
            return [residual(net.loss, net.sizes[-1], t, p, f) for t, p, f in zip(targets, factors(a), derivatives)]
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
