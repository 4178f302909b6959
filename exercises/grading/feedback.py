"""Feedback a student can act on, as message ids with parameters in the exercise's own symbols.

Messages are shown before the solution is revealed, so their parameters hold only symbols,
given values and the student's own answers, never an expected value of any field.
"""
from exercises.grading.messages import Part
from tracer import activations, losses
from tracer.keys import key_of, parse_key, split_key

_LIST_LIMIT = 3


class Feedback:
    """Writes the message parts of one submission."""

    def __init__(self, net, submitted, symbols=None, digits=4):
        """``submitted`` maps field keys to the text the student typed; ``symbols`` optionally
        overrides the symbol of any key (given values included, e.g. ``"w:2:1:1"``); ``digits``
        are the significant figures the exercise expects."""
        self.net, self.submitted, self.symbols, self.digits = net, submitted, symbols or {}, digits

    # -- symbols ---------------------------------------------------------------------------
    def sym(self, quantity, layer=None, unit=None, source=None):
        """The symbol of a value in this exercise (without a sample's or step's mark: a
        message names it beside the field it is about)."""
        if quantity == "a" and layer == 0:
            quantity = "x"  # the activations of layer 0 are the inputs
        key = key_of(quantity, layer, unit, source)
        if key in self.symbols:
            return self.symbols[key]
        return self.net.plain_symbol(key)

    def of(self, key):
        """The symbol of the value a key names, marked with its sample and step."""
        return self.symbols[key] if key in self.symbols else self.net.symbol(key)

    def answer(self, key):
        """The student's own answer to ``key`` as typed."""
        return self.submitted[key].strip()

    @staticmethod
    def listing(items):
        """At most three items joined by commas, with an ellipsis for the rest."""
        items = list(items)
        return ", ".join(items[:_LIST_LIMIT] + (["…"] if len(items) > _LIST_LIMIT else []))

    def answers_of(self, keys):
        """"δ_ŷ1 = 0.3 and δ_ŷ2 = 0.1": the student's answers to ``keys`` with their symbols."""
        return " & ".join(f"{self.of(key)} = {self.answer(key)}" for key in keys)

    def derivative(self, layer, unit):
        """f′ of a unit in symbols, e.g. σ'(a_h1) = h1(1 − h1)."""
        text = activations.get(self.net.activations[layer]).derivative_text
        return text.format(z=self.sym("z", layer, unit), a=self.sym("a", layer, unit), slope=self.net.slope)

    def output_gradient(self, unit):
        """∂L/∂ŷ (or the fused δ) of an output unit in symbols."""
        net = self.net
        yhat, y, n = self.sym("a", net.depth, unit), self.sym("y", net.depth, unit), net.sizes[-1]
        return losses.get(net.loss).gradient_text.format(yhat=yhat, y=y, n=n, z=self.sym("z", net.depth, unit))

    def loss_name(self):
        """The loss's name as a formula."""
        return losses.get(self.net.loss).text

    def weights_from(self, layer, unit):
        """(symbol, value) of the weights leaving ``unit`` of ``layer``."""
        above = layer + 1
        return [(self.sym("w", above, i, unit), self.net.weights[above][i - 1, unit - 1])
                for i in range(1, self.net.sizes[above] + 1)]

    def update_parts(self, key):
        """(θ⁺'s symbol, θ's symbol, θ's value, the step's symbol) of an update key."""
        quantity, *place = parse_key(key)
        before = self.sym(quantity[0], *place)
        step = {"sgd": f"∂L/∂{before}", "momentum": self.sym("velocity", *place),
                "adam": "m̂/(√v̂ + ε)"}[self.net.optimizer["name"]]
        return self.of(key), before, self.net.given(key), step

    # -- messages ---------------------------------------------------------------------------
    def carried(self, sources, wrong=True) -> list[Part]:
        """The field follows correctly from the student's answers ``sources`` (upstream asked
        keys): wrong ones, or (``wrong`` False) ones close enough themselves but not exact."""
        listed = {"sources": self.answers_of(sources)}
        if not wrong:
            return [("carried_inexact", listed)]
        return [("carried" if len(sources) == 1 else "carried_many", listed)]

    def no_follow_through(self, key, sources) -> list[Part]:
        """Why a value that follows from the student's answers earns no credit: it is what
        writing nothing gives."""
        listed = self.answers_of(sources)
        theta = self.net.given(key)
        if theta is None:
            return [("no_follow_through_zero", {"sources": listed})]
        new, before, value, _ = self.update_parts(key)
        return [("no_follow_through_unchanged",
                 {"symbol": new, "before": before, "value": f"{value:g}", "sources": listed})]

    def incorrect(self, key, value, close) -> list[Part]:
        """A wrong answer no misconception explains; ``close`` when its value is within the
        tolerance (so only an update's step can be off)."""
        theta = self.net.given(key)
        if theta is not None:
            new, before, given, _ = self.update_parts(key)
            if value == theta:
                return [("unchanged", {"symbol": new, "before": before, "value": f"{given:g}"})]
            if close:
                return [("step_off", {"symbol": new, "before": before, "digits": self.digits})]
        return [("incorrect", {})]

    def precision(self) -> list[Part]:
        """Close, but with too few digits."""
        return [("precision", {"digits": self.digits})]

    def ambiguous(self) -> list[Part]:
        """Wrong in a way more than one misconception would explain."""
        return [("ambiguous", {})]

    def misconception(self, key, finding) -> list[Part]:
        """How ``finding`` (a diagnose.Finding) went wrong here, upstream of the field or in it."""
        mistake = finding.site.mistake
        parts = [("misconception." + mistake.id,
                  mistake.params(self, finding.target, finding.site.param, key))]
        _, layer, unit, _ = parse_key(key)
        _, t_layer, t_unit, _ = parse_key(finding.target)
        if (layer, unit, *split_key(key)[1:]) != (t_layer, t_unit, *split_key(finding.target)[1:]):
            parts.insert(0, ("upstream", {}))
        return parts
