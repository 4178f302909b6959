"""Misconceptions of the backward pass (SPEC §6): the loss gradient at the output and the δ
recursion — δ without f′, f′ taken at the output, ∂L/∂ŷ with the wrong sign or factor, a hidden
δ with updated weights or one downstream unit only, and δ in the opposite convention.

One class each, on :class:`~exercises.grading.mistake.Misconception`, registered in
:data:`exercises.grading.misconceptions.REGISTRY`.
"""
import math

from exercises.grading.messages import N_
from exercises.grading.mistake import Misconception, activation_of, all_layers, hidden_layers, step_keys
from tracer import functions as F
from tracer.keys import parse_key


class UpdatedWeightsInBackprop(Misconception):
    id = "updated_weights_in_backprop"
    title = N_("Updated weights used in backpropagation")
    explanation = N_("A hidden δ must use the outgoing weights as they were before this step's "
                     "update: all parameters are updated only after the whole backward pass.")
    message = N_("%(delta)s must use the weights as they were before the update (%(given)s), "
                 "not the updated %(updated)s.")

    def occurs(self, net):
        return net.depth >= 2

    def targets(self, net, param):
        return frozenset(step_keys(net, "dL_da", hidden_layers(net)))

    def alter(self, run, group, layer, value, param):
        return run.delta[layer + 1] @ run.new_weights[layer + 1]

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        weights = fb.weights_from(layer, unit)
        return {"delta": fb.sym("delta", layer, unit),
                "given": fb.listing(f"{name} = {value:g}" for name, value in weights),
                "updated": fb.listing(f"{name}⁺" for name, _ in weights)}


class MissingActivationDerivative(Misconception):
    id = "missing_activation_derivative"
    title = N_("Missing activation derivative")
    explanation = N_("δ comes from the loss gradient with respect to the unit's pre-activation, "
                     "so the chain rule goes through the activation: multiply the loss gradient "
                     "with respect to the unit's output by the activation's derivative at the "
                     "unit's pre-activation.")
    message = N_("%(delta)s needs the activation's derivative %(derivative)s as a factor; your "
                 "value leaves it out.")

    def _layers(self, net):
        return [l for l in all_layers(net)
                if activation_of(net, l).elementwise and not activation_of(net, l).unit_derivative]

    def occurs(self, net):
        return bool(self._layers(net))

    def targets(self, net, param):
        return frozenset(step_keys(net, "delta", self._layers(net)))

    def alter(self, run, group, layer, value, param):
        net = run.net
        gradient = run.gradient[layer]
        if gradient is None:  # the fused output (sigmoid + bce) computes no ∂L/∂ŷ
            gradient = F.loss_gradient(net.loss, run.a[layer], net.y)
        return net.delta_sign * gradient

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        return {"delta": fb.sym("delta", layer, unit), "derivative": fb.derivative(layer, unit)}


class DerivativeOfActivationOutput(Misconception):
    id = "derivative_of_activation_output"
    title = N_("Derivative taken at the output instead of z")
    explanation = N_("The activation's derivative is taken at the unit's pre-activation. For the "
                     "sigmoid it equals out·(1 − out), where out = σ(pre-activation) is the unit's "
                     "output; σ(out)·(1 − σ(out)) applies σ twice.")
    message = N_("The derivative is taken at the pre-activation: %(derivative)s, not %(wrong)s.")

    def _layers(self, net):
        return [l for l in all_layers(net) if activation_of(net, l).misapplied_text]

    def occurs(self, net):
        return bool(self._layers(net))

    def targets(self, net, param):
        keys = step_keys(net, "da_dz", self._layers(net))
        if net.fused and net.depth in self._layers(net):
            keys += net.keys_all("delta", net.depth)  # the fused δ = (ŷ − y)/n never reads f′
        return frozenset(keys)

    def alter(self, run, group, layer, value, param):
        net, a = run.net, run.a[layer]
        name = net.activations[layer]
        derivative = F.activation_derivative(name, a, F.activate(name, a))
        if group == "delta":
            return net.delta_sign * F.loss_gradient(net.loss, a, net.y) * derivative
        return derivative

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        wrong = activation_of(fb.net, layer).misapplied_text
        return {"derivative": fb.derivative(layer, unit), "wrong": wrong.format(a=fb.sym("a", layer, unit))}


class TargetMinusOutput(Misconception):
    id = "target_minus_output"
    title = N_("Sign of the loss gradient flipped")
    explanation = N_("∂L/∂ŷ is proportional to (ŷ − y), output minus target, not (y − ŷ).")
    message = N_("%(gradient)s: output minus target. Your value has the opposite sign, as if from "
                 "target minus output.")

    def targets(self, net, param):
        return frozenset(net.keys_all("delta" if net.fused else "dL_da", net.depth))

    def alter(self, run, group, layer, value, param):
        return -value

    def params(self, fb, target, param, key):
        return {"gradient": fb.output_gradient(parse_key(target)[2])}


class LossScale(Misconception):
    id = "loss_scale"
    title = N_("Wrong factor in the loss gradient")
    explanation = N_("Check the constant in ∂L/∂ŷ: for MSE over n outputs it is 2/n·(ŷ − y), for "
                     "½Σ it is (ŷ − y), for Σ it is 2(ŷ − y).")
    message = N_("For %(loss)s, %(gradient)s; your value uses the factor %(factor)s instead.")

    def variants(self, net):
        """The factors c ∈ {½, 1, 2, 1/n, 2/n} a student might use other than the loss's own."""
        own = F.loss_factor(net.loss, net.sizes[-1])
        if own is None:
            return []
        n, scales = net.sizes[-1], []
        for c in (0.5, 1.0, 2.0, 1.0 / n, 2.0 / n):
            if not any(math.isclose(c, seen) for seen in (own, *scales)):
                scales.append(c)
        return scales

    def targets(self, net, param):
        return frozenset(net.keys_all("dL_da", net.depth))

    def alter(self, run, group, layer, value, param):
        return param * (run.a[layer] - run.net.y)

    def params(self, fb, target, param, key):
        return {"loss": fb.loss_name(), "gradient": fb.output_gradient(parse_key(target)[2]),
                "factor": f"{param:.4g}"}


class PartialSum(Misconception):
    id = "partial_sum"
    title = N_("Only one downstream unit counted")
    explanation = N_("A hidden δ sums over every unit it feeds: the activation's derivative times "
                     "the sum, over those units, of each one's δ times the weight of the edge to "
                     "it.")
    message = N_("%(delta)s collects the error of every unit %(unit)s feeds: ∂L/∂%(unit)s = "
                 "%(terms)s; your value uses only the term of %(only)s.")

    def _layers(self, net):
        return [l for l in hidden_layers(net) if net.sizes[l + 1] >= 2]

    def variants(self, net):
        layers = self._layers(net)
        return list(range(1, max(net.sizes[l + 1] for l in layers) + 1)) if layers else []

    def targets(self, net, param):
        return frozenset(step_keys(net, "dL_da", [l for l in self._layers(net)
                                              if param <= net.sizes[l + 1]]))

    def alter(self, run, group, layer, value, param):
        k = int(param) - 1
        row = run.weights[layer + 1][..., k:k + 1, :]  # W[k][·], as (1, units) or (rows, 1, units)
        return row * run.delta[layer + 1][..., k:k + 1]

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        terms = " + ".join(f"{name}·{fb.sym('delta', layer + 1, i)}"
                           for i, (name, _) in enumerate(fb.weights_from(layer, unit), 1))
        return {"delta": fb.sym("delta", layer, unit), "unit": fb.sym("a", layer, unit),
                "terms": terms, "only": fb.sym("a", layer + 1, int(param))}


class OppositeDeltaConvention(Misconception):
    """Every δ the negative of the exercise's, the rest consistent with it: the output δ flips
    sign, hidden δ follow from it, and gradients and updates come out right."""

    id = "opposite_delta_convention"
    title = N_("δ in the opposite convention")
    explanation = N_("This exercise defines δ with the other sign. Your δ values are the negatives "
                     "of the exercise's, though your updates are consistent with them; use the "
                     "definition the exercise states.")
    message = N_("This exercise defines %(definition)s; your %(delta)s has the opposite sign, as "
                 "in the other convention (%(other)s).")
    local = False

    def targets(self, net, param):
        return frozenset(net.keys_all("delta", net.depth))

    def also_changes(self, net, param):
        groups = ["dL_dw"] + (["dL_db"] if net.bias != "none" else [])
        return frozenset(key for group in groups for key in step_keys(net, group, all_layers(net)))

    def alter(self, run, group, layer, value, param):
        if group == "dL_dw" and run.net.decay:   # −(δ·a) flips, the decay term λw does not
            decay = run.net.decay * run.weights[layer]
            return decay - (value - decay)
        return -value

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        gradient, negative = "δ = ∂L/∂z", "δ = −∂L/∂z"
        own, other = (gradient, negative) if fb.net.delta_sign == 1 else (negative, gradient)
        return {"definition": own, "other": other, "delta": fb.sym("delta", layer, unit)}
