"""The `formula` and `substituted` columns of parameter rows: w, b, their gradients, optimizer
state and updates.

These are almost all of a large network's rows, so they are rendered a unit's weights at a time
(sources in chunks of ``rows.CHUNK``): symbols come as lists from ``Names.weights``, formulas are
filled in by one comprehension per column, and numbers are formatted a list at a time. What a
layer's weight gradients share across units (the previous layer's activations, formatted) is
kept for the next unit.

Gradients are gradients in both ``delta_convention`` values; with δ = −∂L/∂z (negative) their
formulas carry the minus: ∂L/∂w = −δ a, ∂L/∂b = −δ. Updates are written with the gradient and
are the same in both. With weight decay a weight's gradient gains + λw (a bias's never does).
"""

import functools
from itertools import repeat

from tracer.latex import CDOTS, factor, factors, indices, num, nums, shown, total
from tracer.naming import derived
from tracer.rows import STATE, spans

SLOT = "\x00"  # where a formula template takes the parameter's LaTeX symbol


def _symbol(quantity):
    """The LaTeX symbol of ``quantity`` of a parameter, with SLOT for the parameter's symbol."""
    return derived(quantity, (), (SLOT,))[1][0]


def _take(values, index):
    """The floats of a chunk of a parameter-shaped array; ``index`` None for a shared bias."""
    return [float(values)] if index is None else values[index].tolist()


class ParameterFormulas:
    """Renders the rows of the parameter-shaped quantities of one trace."""

    def __init__(self, net, steps, names):
        self.net, self.steps, self.names = net, steps, names
        self.count = len(net.inputs)
        self.samples = indices(self.count)  # the samples a batch sum shows
        self.negative = net.delta_convention == "negative"  # gradients are −δ…, written with a minus
        # What a batch gradient's sum over the samples starts with: the minus, then 1/n for a mean.
        mean = f"\\frac{{1}}{{{self.count}}}" if net.reduction == "mean" else ""
        self.prefix = "-" + mean if self.negative else mean
        # One entry serves every unit of a layer whose sources fit in one chunk.
        self._sources = functools.lru_cache(maxsize=2)(self._sources)

    def _items(self, l, weight):
        """A layer's weights (unit by unit, sources in chunks) or biases, as chunks of
        ``(units, sources, texts, latexes, index)``; ``index`` selects the chunk in an array."""
        names, n = self.names, self.net.sizes[l]
        if weight:
            for j in range(1, n + 1):
                for start, stop in spans(self.net.sizes[l - 1]):
                    texts, latexes = names.weights(l, j, start, stop)
                    yield repeat(j), range(start + 1, stop + 1), texts, latexes, (j - 1, slice(start, stop))
        elif self.net.bias == "shared":
            text, latex = names.param(l, None, None)
            yield (None,), (None,), (text,), (latex,), None
        else:
            for start, stop in spans(n):
                texts, latexes = names.biases(l, start, stop)
                yield range(start + 1, stop + 1), repeat(None), texts, latexes, slice(start, stop)

    def given(self, weight, t, step, l, s):
        """The weights (or biases) before this iteration's update: symbol and number."""
        values, quantity = (step.weights[l], "w") if weight else (step.biases[l], "b")
        for units, sources, texts, latexes, index in self._items(l, weight):
            part = _take(values, index)
            yield None, l, units, sources, ((quantity, texts, latexes, nums(part), part),)

    # gradients -------------------------------------------------------------------------------

    def _sources(self, t, l, start, stop):
        """The activations a_k of sources start+1..stop of layer l − 1 as products need them:
        LaTeX symbols and formatted values; in a batch, symbols marked per sample and per source
        a tuple of the values of the samples a sum shows."""
        a = self.steps[t - 1].a[l - 1]
        symbols = [self.names.unit(l - 1, k)[1] for k in range(start + 1, stop + 1)]
        if self.count == 1:
            return symbols, factors(a[0, start:stop].tolist())
        columns = [factors(a[s, start:stop].tolist()) for s in self.samples if s is not None]
        return [f"{{{symbol}}}^{{[s]}}" for symbol in symbols], list(zip(*columns))

    def weight_gradients(self, t, step, l, s):
        """∂L/∂w = δ_j a_k, or −δ_j a_k when δ = −∂L/∂z (a batch: reduced over the samples), plus
        λ w_{j,k} with weight decay."""
        deltas, count, prefix = step.delta[l], self.count, self.prefix
        for units, sources, texts, latexes, index in self._items(l, True):
            row, columns = index
            inputs, values = self._sources(t, l, columns.start, columns.stop)
            d = self.names.delta(l, row + 1)[1]
            if count == 1:
                fd = factor(deltas[0, row])
                if self.negative:
                    d, fd = "-" + d, "-" + fd
                formulas = [f"{d} {a}" for a in inputs]
                substituted = [f"{fd} \\cdot {v}" for v in values]
            else:
                head = f"{prefix}\\sum_{{s=1}}^{{{count}}} {{{d}}}^{{[s]}} "
                formulas = [head + a for a in inputs]
                # The unit's δ values with a %s slot for each source's a values: one % per row
                # (formatted numbers never hold a %).
                terms = [CDOTS if i is None else factor(deltas[i, row]) + " \\cdot %s" for i in self.samples]
                template = f"{prefix}\\left({' + '.join(terms)}\\right)"
                substituted = [template % v for v in values]
            if self.net.weight_decay:
                decay = num(self.net.weight_decay)
                formulas = [f"{f} + \\lambda {w}" for f, w in zip(formulas, latexes)]
                substituted = [f"{n} + {decay} \\cdot {w}"
                               for n, w in zip(substituted, factors(_take(step.weights[l], index)))]
            yield None, l, units, sources, (
                ("dL_dw", derived("dL_dw", texts, latexes)[0], formulas, substituted, step.dL_dw[l][index].tolist()),)

    def bias_gradients(self, t, step, l, s):
        """∂L/∂b = δ_j (−δ_j when δ = −∂L/∂z); a shared bias sums δ over the layer's units (a
        batch: and the samples)."""
        names, deltas, count, prefix = self.names, step.delta[l], self.count, self.prefix
        for units, sources, texts, latexes, index in self._items(l, False):
            if index is None:
                n = self.net.sizes[l]
                if count == 1:
                    formula, numbers = total(n, lambda i: names.delta(l, i + 1)[1]), " + ".join(shown(deltas[0]))
                    if self.negative:
                        formula, numbers = f"-\\left({formula}\\right)", f"-\\left({numbers}\\right)"
                    formulas, substituted = [formula], [numbers]
                else:
                    delta = names.delta(l, "j")[1]
                    formulas = [f"{prefix}\\sum_{{s=1}}^{{{count}}} \\sum_{{j=1}}^{{{n}}} {{{delta}}}^{{[s]}}"]
                    substituted = [f"{prefix}\\left({' + '.join(shown(deltas.reshape(-1)))}\\right)"]
            elif count == 1:
                formulas = [names.delta(l, j)[1] for j in units]
                if self.negative:
                    formulas = ["-" + d for d in formulas]
                    substituted = ["-" + d for d in factors(deltas[0, index].tolist())]
                else:
                    substituted = nums(deltas[0, index].tolist())
            else:
                formulas = [f"{prefix}\\sum_{{s=1}}^{{{count}}} {{{names.delta(l, j)[1]}}}^{{[s]}}" for j in units]
                substituted = [f"{prefix}\\left({' + '.join(shown(deltas[:, j - 1]))}\\right)" for j in units]
            yield None, l, units, sources, (
                ("dL_db", derived("dL_db", texts, latexes)[0], formulas, substituted, _take(step.dL_db[l], index)),)

    # update ----------------------------------------------------------------------------------
    # Templates per layer: the formula with SLOT where the parameter's symbol goes, and the
    # substituted formula with a %s per number (formatted numbers never hold a %).

    def _state_templates(self, quantity):
        """(formula, substituted with %s for the old state and the gradient) of velocity, m or v."""
        opt, p, g = self.net.optimizer, _symbol(quantity), _symbol("dL_dw")
        if quantity == "velocity":
            mu = num(opt["momentum"])
            return f"\\mu {p} + {g}", f"{mu} \\cdot %s + %s"
        if quantity == "m":
            b1 = num(opt["beta1"])
            return f"\\beta_1 {p} + (1 - \\beta_1) {g}", f"{b1} \\cdot %s + (1 - {b1}) \\cdot %s"
        b2 = num(opt["beta2"])
        return (f"\\beta_2 {p} + (1 - \\beta_2) \\left({g}\\right)^2",
                f"{b2} \\cdot %s + (1 - {b2}) \\cdot %s^2")

    def states(self, weight, t, step, l, s):
        """The optimizer state of every weight (or bias) after its update, interleaved per item."""
        side, quantities = 0 if weight else 1, STATE[self.net.optimizer["name"]]
        templates = {q: self._state_templates(q) for q in quantities}
        grads = step.dL_dw[l] if weight else step.dL_db[l]
        previous = self.steps[t - 2].state if t > 1 else None
        for units, sources, texts, latexes, index in self._items(l, weight):
            new = factors(_take(grads, index))
            groups = []
            for q in quantities:
                formula, numbers = templates[q]
                old = factors(_take(previous[q][side][l], index)) if previous else ["0"] * len(new)
                groups.append((q, derived(q, texts, ())[0], [formula.replace(SLOT, th) for th in latexes],
                               list(map(numbers.__mod__, zip(old, new))), _take(step.state[q][side][l], index)))
            yield None, l, units, sources, groups

    def _update_templates(self, t):
        """(formula, substituted with %s for θ and the step's numbers) of θ⁺ in iteration t."""
        opt, lr = self.net.optimizer, num(self.net.learning_rate)
        if opt["name"] == "sgd":
            return f"{SLOT} - \\eta {_symbol('dL_dw')}", f"%s - {lr} \\cdot %s"
        if opt["name"] == "momentum":
            return f"{SLOT} - \\eta {_symbol('velocity')}", f"%s - {lr} \\cdot %s"
        b1, b2, eps = num(opt["beta1"]), num(opt["beta2"]), num(opt["eps"])
        return (f"{SLOT} - \\eta \\frac{{{_symbol('m')} / (1 - \\beta_1^{{{t}}})}}"
                f"{{\\sqrt{{{_symbol('v')} / (1 - \\beta_2^{{{t}}})}} + \\epsilon}}",
                f"%s - {lr} \\cdot \\frac{{%s / (1 - {b1}^{{{t}}})}}{{\\sqrt{{%s / (1 - {b2}^{{{t}}})}} + {eps}}}")

    def updated(self, weight, t, step, l, s):
        """θ⁺ of every weight (or bias): θ − η times the gradient, velocity or Adam's step."""
        name, side = self.net.optimizer["name"], 0 if weight else 1
        formula, numbers = self._update_templates(t)
        quantity, params, new = ("w_new", step.weights[l], step.weights_new[l]) if weight else (
            "b_new", step.biases[l], step.biases_new[l])
        for units, sources, texts, latexes, index in self._items(l, weight):
            columns = [nums(_take(params, index))]
            if name == "sgd":
                columns.append(factors(_take(step.dL_dw[l] if weight else step.dL_db[l], index)))
            elif name == "momentum":
                columns.append(factors(_take(step.state["velocity"][side][l], index)))
            else:
                columns += [factors(_take(step.state["m"][side][l], index)),
                            nums(_take(step.state["v"][side][l], index))]
            yield None, l, units, sources, (
                (quantity, derived(quantity, texts, ())[0], [formula.replace(SLOT, th) for th in latexes],
                 list(map(numbers.__mod__, zip(*columns))), _take(new, index)),)
