"""Feedback a student can act on, written in the exercise's own symbols and numbers.

Messages are shown before the solution is revealed, so they quote only given values and the
student's own answers, never an expected value of any field.
"""
from tracer.keys import key_of, parse_key
from tracer.naming import symbol

_LIST_LIMIT = 3
_DERIVATIVES = {
    "sigmoid": "σ'({z}) = {a}(1 − {a})",
    "tanh": "tanh'({z}) = 1 − {a}²",
    "relu": "ReLU'({z}), 1 when {z} > 0 and 0 otherwise",
    "leaky_relu": "1 when {z} > 0 and {slope:g} otherwise",
}
_WRONG_POINT = {"sigmoid": "σ({a})(1 − σ({a}))", "tanh": "1 − tanh²({a})"}
_LOSS_NAMES = {"mse": "the mean squared error", "half_sse": "½ the sum of squared errors",
               "sse": "the sum of squared errors"}


def _listing(items):
    items = list(items)
    shown = items[:_LIST_LIMIT] + (["…"] if len(items) > _LIST_LIMIT else [])
    return ", ".join(shown)


class Feedback:
    """Writes the messages of one submission."""

    def __init__(self, net, submitted, symbols=None, digits=4):
        """``submitted`` maps field keys to the text the student typed; ``symbols`` optionally
        overrides the symbol of any key (given values included, e.g. ``"w:2:1:1"``); ``digits``
        are the significant figures the exercise expects."""
        self.net, self.submitted, self.symbols, self.digits = net, submitted, symbols or {}, digits

    def sym(self, quantity, layer=None, unit=None, source=None):
        """The symbol of a value in this exercise."""
        if quantity == "a" and layer == 0:
            quantity = "x"  # the activations of layer 0 are the inputs
        key = key_of(quantity, layer, unit, source)
        if key in self.symbols:
            return self.symbols[key]
        return symbol(self.net.spec, quantity, layer, unit, source)

    def of(self, key):
        """The symbol of the value a key names."""
        return self.sym(*parse_key(key))

    def yours(self, key):
        """The student's own answer with its symbol, e.g. "your w5⁺ = 0.43"."""
        return f"your {self.of(key)} = {self.submitted[key].strip()}"

    def carried(self, key, sources, wrong=True):
        """The field follows correctly from the student's answers ``sources`` (upstream asked
        keys): wrong ones, or (``wrong`` False) ones close enough themselves but not exact."""
        listed = " and ".join(f"{self.of(s)} = {self.submitted[s].strip()}" for s in sources)
        verb, pronoun = ("is", "it") if len(sources) == 1 else ("are", "them")
        if wrong:
            return f"Your {listed} {verb} wrong, and this answer follows correctly from {pronoun}."
        return (f"This answer follows correctly from your {listed}, which {verb} within tolerance "
                "but not exact; carry more digits from one step to the next.")

    def incorrect(self, key, value, within_tolerance):
        """A wrong answer no misconception explains."""
        theta = self.net.given(key)
        if theta is not None:
            quantity, *place = parse_key(key)
            before = self.sym(quantity[0], *place)
            if value == theta:
                return f"{self.of(key)} equals {before} = {theta:g}: the update must change it."
            if within_tolerance:
                return (f"Close, but the step {self.of(key)} − {before} is not the right size "
                        f"or sign: give {self.of(key)} to {self.digits} significant figures and "
                        "keep more digits while computing it.")
        return "Not correct: check this value's formula and your arithmetic."

    def misconception(self, key, finding):
        """One or two sentences on how ``finding`` (a diagnose.Finding) went wrong here."""
        text = getattr(self, "_" + finding.mistake)(finding.target, finding.param, key)
        _, layer, unit, _ = parse_key(key)
        _, t_layer, t_unit, _ = parse_key(finding.target)
        if (layer, unit) != (t_layer, t_unit):
            text = f"This follows from a mistake upstream: {text}"
        return text

    def _derivative(self, layer, unit):
        name = self.net.activations[layer]
        return _DERIVATIVES[name].format(z=self.sym("z", layer, unit), a=self.sym("a", layer, unit),
                                         slope=self.net.slope)

    def _output_gradient(self, unit):
        net = self.net
        yhat, y, n = self.sym("a", net.depth, unit), self.sym("y", net.depth, unit), net.sizes[-1]
        if net.loss == "mse":
            return f"∂L/∂{yhat} = (2/n)·({yhat} − {y}) with n = {n}"
        if net.loss in ("half_sse", "sse"):
            return f"∂L/∂{yhat} = {'2·' if net.loss == 'sse' else ''}({yhat} − {y})"
        delta = self.sym("delta", net.depth, unit)
        return f"{delta} = ({yhat} − {y})/{n}" if net.loss == "bce" else f"{delta} = {yhat} − {y}"

    def _weights_from(self, layer, unit):
        above = layer + 1
        return [(self.sym("w", above, i, unit), self.net.weights[above][i - 1, unit - 1])
                for i in range(1, self.net.sizes[above] + 1)]

    def _updated_weights_in_backprop(self, target, param, key):
        _, layer, unit, _ = parse_key(target)
        weights = self._weights_from(layer, unit)
        given = _listing(f"{name} = {value:g}" for name, value in weights)
        updated = _listing(f"{name}⁺" for name, _ in weights)
        return (f"{self.sym('delta', layer, unit)} must use the weights as they were before the "
                f"update ({given}), not the updated {updated}.")

    def _missing_activation_derivative(self, target, param, key):
        _, layer, unit, _ = parse_key(target)
        return (f"{self.sym('delta', layer, unit)} needs the activation's derivative "
                f"{self._derivative(layer, unit)} as a factor; your value leaves it out.")

    def _derivative_of_activation_output(self, target, param, key):
        _, layer, unit, _ = parse_key(target)
        wrong = _WRONG_POINT[self.net.activations[layer]].format(a=self.sym("a", layer, unit))
        return (f"The derivative is taken at the pre-activation: {self._derivative(layer, unit)}, "
                f"not {wrong}.")

    def _target_minus_output(self, target, param, key):
        _, _, unit, _ = parse_key(target)
        return (f"{self._output_gradient(unit)}: output minus target. Your value has the opposite "
                "sign, as if from target minus output.")

    def _update_parts(self, key):
        quantity, *place = parse_key(key)
        before = self.sym(quantity[0], *place)
        step = {"sgd": f"∂L/∂{before}", "momentum": self.sym("velocity", *place),
                "adam": "m̂/(√v̂ + ε)"}[self.net.optimizer["name"]]
        return self.of(key), before, self.net.given(key), step

    def _gradient_ascent(self, target, param, key):
        new, before, value, step = self._update_parts(key)
        return (f"The update goes against the gradient: {new} = {before} − η·{step}. "
                f"{self.yours(key).capitalize()} moves {before} = {value:g} the other way.")

    def _missing_learning_rate(self, target, param, key):
        new, before, _, step = self._update_parts(key)
        eta = self.net.eta
        return (f"The step is scaled by the learning rate η = {eta:g}: {new} = {before} − {eta:g}·{step}; "
                f"{self.yours(key)} leaves η out.")

    def _loss_scale(self, target, param, key):
        _, _, unit, _ = parse_key(target)
        return (f"For {_LOSS_NAMES[self.net.loss]}, {self._output_gradient(unit)}; "
                f"your value uses the factor {param:.4g} instead.")

    def _pre_activation_as_input(self, target, param, key):
        _, layer, unit, source = parse_key(target)
        below = self.sym("a", layer - 1, source)
        return (f"∂L/∂{self.sym('w', layer, unit, source)} = {self.sym('delta', layer, unit)}·{below} "
                f"uses the activation {below}, not the pre-activation {self.sym('z', layer - 1, source)}.")

    def _swapped_weight_indices(self, target, param, key):
        quantity, layer, unit, source = parse_key(target)
        if quantity == "dL_da":
            layer += 1
        other = source if source is not None and source != unit else (2 if unit == 1 else 1)
        pairs = [(unit, other), (other, unit)]
        links = [f"{self.sym('w', layer, j, k)} connects {self.sym('a', layer - 1, k)} → {self.sym('a', layer, j)}"
                 for j, k in pairs]
        return f"{links[0]} and {links[1]}; your value uses one where the other belongs."

    def _missing_bias(self, target, param, key):
        _, layer, unit, _ = parse_key(target)
        per_unit = self.net.bias == "per_unit"
        bias = self.sym("b", layer, unit if per_unit else None)
        value = self.net.biases[layer][unit - 1 if per_unit else 0]
        return (f"The forward pass adds the bias: {self.sym('z', layer, unit)} = … + {bias}, with "
                f"{bias} = {value:g}; your value matches a forward pass without biases.")

    def _partial_sum(self, target, param, key):
        _, layer, unit, _ = parse_key(target)
        terms = " + ".join(f"{name}·{self.sym('delta', layer + 1, i)}"
                           for i, (name, _) in enumerate(self._weights_from(layer, unit), 1))
        return (f"{self.sym('delta', layer, unit)} collects the error of every unit "
                f"{self.sym('a', layer, unit)} feeds: ∂L/∂{self.sym('a', layer, unit)} = {terms}; "
                f"your value uses only the term of {self.sym('a', layer + 1, param)}.")

    def _bias_not_updated(self, target, param, key):
        new, before, value, step = self._update_parts(key)
        return (f"Biases are updated like weights: {new} = {before} − η·{step}; "
                f"{self.yours(key)} keeps {before} = {value:g}.")
