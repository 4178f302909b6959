"""The misconceptions of circuits (SPEC §10), in the grading registry beside the network ones.

Each is a :class:`~exercises.grading.misconceptions.Misconception` (title, explanation,
message, parameters) that occurs in no network (``variants`` is empty, so network diagnosis
never tries it) and knows instead where it occurs in a circuit (:meth:`circuit_variants`,
:meth:`circuit_targets`: the keys whose own formula it changes) and how it changes the
formula there (:meth:`alter_circuit`, called by :mod:`exercises.grading.circuit_model`).
"""
from dataclasses import dataclass

from exercises.grading.messages import N_, register
from exercises.grading.misconceptions import REGISTRY
from exercises.grading.mistake import Misconception
from tracer.circuit.keys import circuit_key


@dataclass(frozen=True)
class CircuitSite:
    """Where a mistake is tried: ``throughout`` (every target) or at one ``unit`` key."""

    mistake: "CircuitMisconception"
    param: object
    scope: frozenset
    kind: str


class CircuitMisconception(Misconception):
    """A mistake of backpropagation through a circuit of scalar operations."""

    def variants(self, net):
        return []  # never a network's mistake

    def circuit_variants(self, model) -> list:
        """The parameters to try in ``model``."""
        return [None]

    def circuit_targets(self, model, param) -> frozenset:
        """The keys whose own formula the mistake changes."""
        raise NotImplementedError

    def alter_circuit(self, model, key, value, param, context):
        """The value of ``key`` as the mistake computes it: ``context`` is the list of
        (node, upstream gradient, local gradient) terms for a ``grad`` key, the values flowing
        (name → value) for a ``local_grad`` key."""
        raise NotImplementedError


def _fanned(model):
    return [name for name, uses in model.uses.items() if len(uses) > 1]


class FanOutNotSummed(CircuitMisconception):
    id = "fan_out_not_summed"
    title = N_("Gradient of a fanned-out value from one use only")
    explanation = N_("A value used by several nodes gets a gradient from each use; its gradient "
                     "is the sum of them all (micrograd's +=).")
    message = N_("%(name)s is used by %(uses)s, so %(grad)s adds one term per use; your value "
                 "keeps only one of them.")

    def circuit_variants(self, model):
        return ["first", "last"] if _fanned(model) else []

    def circuit_targets(self, model, param):
        return frozenset(circuit_key("grad", name) for name in _fanned(model))

    def alter_circuit(self, model, key, value, param, context):
        _, upstream, local = context[0 if param == "first" else -1]
        return upstream * local

    def params(self, fb, target, param, key):
        name = target.split(":")[1]
        return {"name": name, "grad": fb.of(target),
                "uses": ", ".join(node.name for node, _ in reversed(fb.net.uses[name]))}


class LocalGradientOnly(CircuitMisconception):
    id = "local_gradient_only"
    title = N_("Local gradient without the upstream gradient")
    explanation = N_("The chain rule multiplies each node's local gradient by the gradient "
                     "flowing into the node from above (∂f/∂node).")
    message = N_("%(grad)s is the upstream gradient times the local gradient, %(terms)s; your "
                 "value is the local gradient alone.")

    def circuit_targets(self, model, param):
        return frozenset(circuit_key("grad", name) for name, uses in model.uses.items()
                         if any(node.name != model.output for node, _ in uses))

    def alter_circuit(self, model, key, value, param, context):
        return sum(local for _, _, local in context)

    def params(self, fb, target, param, key):
        name, out = target.split(":")[1], fb.net.output
        terms = " + ".join(f"∂{out}/∂{node.name}·∂{node.name}/∂{name}"
                           for node, _ in fb.net.uses[name])
        return {"grad": fb.of(target), "terms": terms}


class MaxGradientToBoth(CircuitMisconception):
    id = "max_gradient_to_both"
    title = N_("Max gate passing the gradient to both inputs")
    explanation = N_("A max gate routes the gradient: its larger input gets the whole "
                     "gradient (local gradient 1), the other gets none (local gradient 0).")
    message = N_("The max gate %(node)s passes the gradient to its larger input only: %(local)s "
                 "is 0 here, not 1.")

    def circuit_targets(self, model, param):
        return frozenset(circuit_key("local_grad", node.name, arg) for node in model.circuit.nodes
                         if node.op.name == "max" for arg in node.args)

    def alter_circuit(self, model, key, value, param, context):
        return 1.0

    def params(self, fb, target, param, key):
        _, node, arg = target.split(":")
        return {"node": node, "local": f"∂{node}/∂{arg}"}


class DivisionRuleSign(CircuitMisconception):
    id = "division_rule_sign"
    title = N_("Wrong derivative of a quotient by its denominator")
    explanation = N_("For q = a/b, ∂q/∂b = −a/b²: the derivative of 1/b is −1/b², and the "
                     "numerator stays as a factor.")
    message = N_("For %(node)s = %(a)s/%(b)s, %(local)s = −%(a)s/%(b)s²; your value uses "
                 "%(wrong)s instead.")
    WRONG = {"plus": "{a}/{b}²", "one": "1/{b}²", "reciprocal": "−1/{b}"}

    def circuit_variants(self, model):
        return list(self.WRONG)

    def circuit_targets(self, model, param):
        return frozenset(circuit_key("local_grad", node.name, node.args[1])
                         for node in model.circuit.nodes if node.op.name == "div")

    def alter_circuit(self, model, key, value, param, context):
        node = model.node(key.split(":")[1])
        a, b = (context[name] for name in node.args)
        return {"plus": a / (b * b), "one": 1 / (b * b), "reciprocal": -1 / b}[param]

    def params(self, fb, target, param, key):
        _, node, b = target.split(":")
        a = fb.net.node(node).args[0]
        return {"node": node, "a": a, "b": b, "local": f"∂{node}/∂{b}",
                "wrong": self.WRONG[param].format(a=a, b=b)}


CIRCUIT_MISCONCEPTIONS = (FanOutNotSummed(), LocalGradientOnly(), MaxGradientToBoth(), DivisionRuleSign())
for _mistake in CIRCUIT_MISCONCEPTIONS:
    REGISTRY[_mistake.id] = _mistake
    register("misconception." + _mistake.id, _mistake.message)


def circuit_sites(model) -> list[CircuitSite]:
    """Every site of every circuit misconception in ``model``: throughout, and each target key
    alone when there are several."""
    found = []
    for mistake in CIRCUIT_MISCONCEPTIONS:
        for param in mistake.circuit_variants(model):
            targets = mistake.circuit_targets(model, param)
            if not targets:
                continue
            found.append(CircuitSite(mistake, param, targets, "throughout"))
            if len(targets) > 1:
                found += [CircuitSite(mistake, param, frozenset((key,)), "unit") for key in sorted(targets)]
    return found
