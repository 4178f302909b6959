"""The `formula` and `substituted` columns: LaTeX built from the structure when a row is read.

:class:`Formulas` answers ``render(...)`` for one row at a time from the arrays the engine kept,
so a trace whose formulas are never read costs nothing here. Formulas are right-hand sides in
the spec's naming scheme (the `symbol` column is the left-hand side); per-sample values inside a
batch sum carry a ``^{[s]}`` mark.
"""

from tracer.latex import factor, num, total


def _at(values, unit, source):
    """One entry of a per-layer parameter-shaped value (a float for a shared bias)."""
    if unit is None:
        return values
    return values[unit - 1] if source is None else values[unit - 1, source - 1]


def _in_sample(latex):
    """A symbol of sample s inside a batch sum: braced, so symbols with scripts stay valid LaTeX."""
    return f"{{{latex}}}^{{[s]}}"


class Formulas:
    """Renders formulas and substituted formulas of one trace's rows."""

    def __init__(self, net, steps, names):
        self.net, self.steps, self.names = net, steps, names
        self.depth = len(net.sizes) - 1
        self.count = len(net.inputs)

    def render(self, t, sample, quantity, layer, unit, source, value):
        """Return ``(formula, substituted)`` for the row of ``quantity`` with value ``value``."""
        step = self.steps[t - 1]
        s = None if sample is None else sample - 1
        if quantity in ("x", "y", "w", "b"):
            return self.names.latex(quantity, layer, unit, source), num(value)
        if quantity == "loss":
            return self._loss(step, s)
        if quantity in ("z", "a", "dL_da", "da_dz", "delta"):
            return getattr(self, "_" + quantity)(step, s, layer, unit)
        if quantity in ("dL_dw", "dL_db"):
            return self._gradient(step, layer, unit, source)
        if quantity in ("velocity", "m", "v"):
            return self._state(t, quantity, layer, unit, source)
        return self._new(t, layer, unit, source)

    # forward ---------------------------------------------------------------------------------

    def _z(self, step, s, l, j):
        names, weights, bias = self.names, step.weights[l], step.biases[l]
        prev = step.a[l - 1][s]
        n = self.net.sizes[l - 1]
        formula = total(n, lambda k: f"{names.unit(l - 1, k + 1)[1]} {names.param(l, j, k + 1)[1]}")
        substituted = total(n, lambda k: f"{factor(prev[k])} \\cdot {factor(weights[j - 1, k])}")
        if bias is not None:
            shared = self.net.bias == "shared"
            formula += " + " + names.param(l, None if shared else j, None)[1]
            substituted += " + " + factor(bias if shared else bias[j - 1])
        return formula, substituted

    def _a(self, step, s, l, j):
        name, names = self.net.activations[l - 1], self.names
        z, zv = names.pre(l, j)[1], step.z[l][s, j - 1]
        if name == "softmax":
            n, row = self.net.sizes[l], step.z[l][s]
            below = total(n, lambda i: f"e^{{{names.pre(l, i + 1)[1]}}}")
            numbers = total(n, lambda i: f"e^{{{num(row[i])}}}")
            return f"\\frac{{e^{{{z}}}}}{{{below}}}", f"\\frac{{e^{{{num(zv)}}}}}{{{numbers}}}"
        if name == "leaky_relu":
            slope = self.net.slope
            return f"\\max(\\alpha {z}, {z})", f"\\max({num(slope)} \\cdot {factor(zv)}, {num(zv)})"
        if name == "linear":
            return z, num(zv)
        wrap = {"sigmoid": "\\sigma({})", "tanh": "\\tanh({})", "relu": "\\max(0, {})"}[name]
        return wrap.format(z), wrap.format(num(zv))

    # loss ------------------------------------------------------------------------------------

    def _sample_loss(self, step, s):
        names, n, loss = self.names, self.net.sizes[-1], self.net.loss
        yhat, y = step.a[-1][s], self.net.targets[s]
        term = {"bce": "{t} \\ln {p} + (1 - {t}) \\ln(1 - {p})",
                "cross_entropy": "{t} \\ln {p}"}.get(loss, "({t} - {p})^2")
        left, right = {
            "mse": (f"\\frac{{1}}{{{n}}}\\left[", "\\right]"),
            "half_sse": ("\\frac{1}{2}\\left[", "\\right]"),
            "sse": ("", ""),
            "bce": (f"-\\frac{{1}}{{{n}}}\\left[", "\\right]"),
            "cross_entropy": ("-\\left(", "\\right)"),
        }[loss]
        formula = total(n, lambda i: term.format(p=names.unit(self.depth, i + 1)[1], t=names.target(i + 1)[1]))
        substituted = total(n, lambda i: term.format(p=factor(yhat[i]), t=factor(y[i])))
        return left + formula + right, left + substituted + right

    def _loss(self, step, s):
        if s is not None or self.count == 1:
            return self._sample_loss(step, s or 0)
        count = self.count
        formula = total(count, lambda i: f"L_{{{i + 1}}}")
        substituted = total(count, lambda i: factor(step.losses[i]))
        if self.net.reduction == "mean":
            return (f"\\frac{{1}}{{{count}}}\\left({formula}\\right)",
                    f"\\frac{{1}}{{{count}}}\\left({substituted}\\right)")
        return formula, substituted

    # backward --------------------------------------------------------------------------------

    def _dL_da(self, step, s, l, j):
        names = self.names
        if l == self.depth:
            p, t = names.unit(l, j)[1], names.target(j)[1]
            pv, tv = num(step.a[l][s, j - 1]), factor(self.net.targets[s, j - 1])
            scale = {"mse": f"\\frac{{2}}{{{self.net.sizes[-1]}}}", "half_sse": "", "sse": "2"}[self.net.loss]
            if not scale:
                return f"{p} - {t}", f"{pv} - {tv}"
            return f"{scale}({p} - {t})", f"{scale}({pv} - {tv})"
        n, deltas, weights = self.net.sizes[l + 1], step.delta[l + 1][s], step.weights[l + 1]
        formula = total(n, lambda i: f"{names.delta(l + 1, i + 1)[1]} {names.param(l + 1, i + 1, j)[1]}")
        substituted = total(n, lambda i: f"{factor(deltas[i])} \\cdot {factor(weights[i, j - 1])}")
        return formula, substituted

    def _da_dz(self, step, s, l, j):
        name = self.net.activations[l - 1]
        a, av = self.names.unit(l, j)[1], step.a[l][s, j - 1]
        z, zv = self.names.pre(l, j)[1], num(step.z[l][s, j - 1])
        if name == "sigmoid":
            return f"{a}(1 - {a})", f"{num(av)}(1 - {num(av)})"
        if name == "tanh":
            return f"1 - {a}^2", f"1 - {factor(av)}^2"
        if name == "relu":
            return f"\\mathbb{{1}}[{z} > 0]", f"\\mathbb{{1}}[{zv} > 0]"
        if name == "leaky_relu":
            slope = num(self.net.slope)
            return (f"\\mathbb{{1}}[{z} > 0] + \\alpha \\, \\mathbb{{1}}[{z} \\le 0]",
                    f"\\mathbb{{1}}[{zv} > 0] + {slope} \\cdot \\mathbb{{1}}[{zv} \\le 0]")
        return "1", "1"

    def _delta(self, step, s, l, j):
        names, name, loss = self.names, self.net.activations[l - 1], self.net.loss
        fused = l == self.depth and (name, loss) in (("sigmoid", "bce"), ("softmax", "cross_entropy"))
        if fused:
            p, t = names.unit(l, j)[1], names.target(j)[1]
            pv, tv = num(step.a[l][s, j - 1]), factor(self.net.targets[s, j - 1])
            scale = f"\\frac{{1}}{{{self.net.sizes[-1]}}}" if loss == "bce" else ""
            wrap = "({})" if scale else "{}"
            return scale + wrap.format(f"{p} - {t}"), scale + wrap.format(f"{pv} - {tv}")
        g, gv = names.both("dL_da", l, j)[1], step.dL_da[l][s]
        if name == "softmax":
            n, av = self.net.sizes[l], step.a[l][s]
            inner = total(n, lambda i: f"{names.both('dL_da', l, i + 1)[1]} {names.unit(l, i + 1)[1]}")
            numbers = total(n, lambda i: f"{factor(gv[i])} \\cdot {factor(av[i])}")
            a = names.unit(l, j)[1]
            return (f"{a}\\left({g} - ({inner})\\right)",
                    f"{num(av[j - 1])}\\left({num(gv[j - 1])} - ({numbers})\\right)")
        d, dv = names.both("da_dz", l, j)[1], step.da_dz[l][s, j - 1]
        return f"{g} \\cdot {d}", f"{factor(gv[j - 1])} \\cdot {factor(dv)}"

    def _batch(self, formula, substituted):
        """Wrap a per-sample sum over the batch in its reduction."""
        scale = f"\\frac{{1}}{{{self.count}}}" if self.net.reduction == "mean" else ""
        return (f"{scale}\\sum_{{s=1}}^{{{self.count}}} {formula}", f"{scale}\\left({substituted}\\right)")

    def _gradient(self, step, l, j, k):
        names, deltas = self.names, step.delta[l]
        if k is not None:
            d, a, prev = names.delta(l, j)[1], names.unit(l - 1, k)[1], step.a[l - 1]
            if self.count == 1:
                return f"{d} {a}", f"{factor(deltas[0, j - 1])} \\cdot {factor(prev[0, k - 1])}"
            return self._batch(f"{_in_sample(d)} {_in_sample(a)}", total(
                self.count, lambda s: f"{factor(deltas[s, j - 1])} \\cdot {factor(prev[s, k - 1])}"))
        if j is not None:
            d = names.delta(l, j)[1]
            if self.count == 1:
                return d, num(deltas[0, j - 1])
            return self._batch(_in_sample(d), total(self.count, lambda s: factor(deltas[s, j - 1])))
        n = self.net.sizes[l]
        if self.count == 1:
            return (total(n, lambda i: names.delta(l, i + 1)[1]), total(n, lambda i: factor(deltas[0, i])))
        flat = deltas.reshape(-1)
        return self._batch(f"\\sum_{{j=1}}^{{{n}}} {_in_sample(names.delta(l, 'j')[1])}",
                           total(len(flat), lambda i: factor(flat[i])))

    # update ----------------------------------------------------------------------------------

    def _values(self, t, quantity, l, j, k):
        """The value of a parameter-shaped quantity after iteration ``t`` (0 before the first)."""
        if t == 0:
            return 0.0
        step = self.steps[t - 1]
        side = 0 if k is not None else 1
        if quantity in ("velocity", "m", "v"):
            return _at(step.state[quantity][side][l], j, k)
        table = {"param": (step.weights, step.biases), "grad": (step.dL_dw, step.dL_db),
                 "new": (step.weights_new, step.biases_new)}[quantity]
        return _at(table[side][l], j, k)

    def _state(self, t, quantity, l, j, k):
        names, opt = self.names, self.net.optimizer
        g = names.both("dL_dw" if k is not None else "dL_db", l, j, k)[1]
        p = names.both(quantity, l, j, k)[1]
        gv, old = self._values(t, "grad", l, j, k), self._values(t - 1, quantity, l, j, k)
        if quantity == "velocity":
            return f"\\mu {p} + {g}", f"{num(opt['momentum'])} \\cdot {factor(old)} + {factor(gv)}"
        if quantity == "m":
            b1 = num(opt["beta1"])
            return (f"\\beta_1 {p} + (1 - \\beta_1) {g}", f"{b1} \\cdot {factor(old)} + (1 - {b1}) \\cdot {factor(gv)}")
        b2 = num(opt["beta2"])
        return (f"\\beta_2 {p} + (1 - \\beta_2) \\left({g}\\right)^2",
                f"{b2} \\cdot {factor(old)} + (1 - {b2}) \\cdot {factor(gv)}^2")

    def _new(self, t, l, j, k):
        names, opt, lr = self.names, self.net.optimizer, num(self.net.learning_rate)
        theta, thetav = names.param(l, j, k)[1], num(self._values(t, "param", l, j, k))
        if opt["name"] == "sgd":
            g = names.both("dL_dw" if k is not None else "dL_db", l, j, k)[1]
            return f"{theta} - \\eta {g}", f"{thetav} - {lr} \\cdot {factor(self._values(t, 'grad', l, j, k))}"
        if opt["name"] == "momentum":
            v = names.both("velocity", l, j, k)[1]
            return f"{theta} - \\eta {v}", f"{thetav} - {lr} \\cdot {factor(self._values(t, 'velocity', l, j, k))}"
        m, v = names.both("m", l, j, k)[1], names.both("v", l, j, k)[1]
        mv, vv = factor(self._values(t, "m", l, j, k)), num(self._values(t, "v", l, j, k))
        b1, b2, eps = num(opt["beta1"]), num(opt["beta2"]), num(opt["eps"])
        formula = (f"{theta} - \\eta \\frac{{{m} / (1 - \\beta_1^{{{t}}})}}"
                   f"{{\\sqrt{{{v} / (1 - \\beta_2^{{{t}}})}} + \\epsilon}}")
        substituted = (f"{thetav} - {lr} \\cdot \\frac{{{mv} / (1 - {b1}^{{{t}}})}}"
                       f"{{\\sqrt{{{vv} / (1 - {b2}^{{{t}}})}} + {eps}}}")
        return formula, substituted
