"""Misconceptions about the parameters (SPEC §6): the weight gradient's input, swapped weight
indices, a bias left out of the forward pass, and the update θ⁺ = θ − η·∂L/∂θ taken the wrong
way, without η, or not at all for a bias.

One class each, on :class:`~exercises.grading.mistake.Misconception`, registered in
:data:`exercises.grading.misconceptions.REGISTRY`.
"""
import numpy as np

from exercises.grading.messages import N_
from exercises.grading.mistake import Misconception, all_layers, step_keys
from exercises.grading.model import pre_activation, transposed, weight_gradient
from tracer.keys import parse_key

_UPDATES = ("w_new", "b_new")


class PreActivationAsInput(Misconception):
    id = "pre_activation_as_input"
    title = N_("Pre-activation used as the weight's input")
    explanation = N_("A weight's gradient multiplies δ of the destination unit by the value that "
                     "flowed along the edge: the source unit's output (its activation), not its "
                     "pre-activation.")
    message = N_("∂L/∂%(weight)s = %(delta)s·%(source)s uses the activation %(source)s, not the "
                 "pre-activation %(pre)s.")

    def occurs(self, net):
        return net.depth >= 2

    def targets(self, net, param):
        return frozenset(step_keys(net, "dL_dw", range(2, net.depth + 1)))

    def alter(self, run, group, layer, value, param):
        return weight_gradient(run, layer, run.delta[layer], run.z[layer - 1])

    def params(self, fb, target, param, key):
        _, layer, unit, source = parse_key(target)
        return {"weight": fb.sym("w", layer, unit, source), "delta": fb.sym("delta", layer, unit),
                "source": fb.sym("a", layer - 1, source), "pre": fb.sym("z", layer - 1, source)}


class SwappedWeightIndices(Misconception):
    """W[k][j] read where W[j][k] belongs, in a square layer: in the forward pass (``z``), in
    the backward sum of the layer below (``dL_da``) or in the update (``w_new``)."""

    id = "swapped_weight_indices"
    title = N_("Weight indices swapped")
    explanation = N_("W[j][k] connects source unit k to destination unit j; this answer used the "
                     "weight of the edge in the other direction.")
    message = N_("%(first)s connects %(first_edge)s and %(second)s connects %(second_edge)s; your "
                 "value uses one where the other belongs.")

    def _square(self, net):
        return [l for l in all_layers(net) if net.is_square(l)]

    def occurs(self, net):
        return bool(self._square(net))

    def targets(self, net, param):
        keys = []
        for l in self._square(net):
            keys += [*net.keys_all("z", l), *net.keys_all("w_new", l)]
            if l > 1:
                keys += net.keys_all("dL_da", l - 1)
        return frozenset(keys)

    def groups(self, net, param, targets):
        # One use of one matrix at a time: its forward pass, its backward sum, its update.
        found = []
        for l in self._square(net):
            found += [frozenset(net.keys_all("z", l)), frozenset(net.keys_all("w_new", l))]
            if l > 1:
                found.append(frozenset(net.keys_all("dL_da", l - 1)))
        return found

    def alter(self, run, group, layer, value, param):
        if group == "z":
            return pre_activation(run, layer, transposed(run.weights[layer]))
        if group == "dL_da":
            return run.delta[layer + 1] @ transposed(run.weights[layer + 1])
        return value + (transposed(run.weights[layer]) - run.weights[layer])

    def params(self, fb, target, param, key):
        quantity, layer, unit, source = parse_key(target)
        if quantity == "dL_da":
            layer += 1
        other = source if source is not None and source != unit else (2 if unit == 1 else 1)
        if quantity == "dL_da":  # the backward sum of source unit `unit` reads W[·][unit]
            pairs = [(other, unit), (unit, other)]
        else:
            pairs = [(unit, other), (other, unit)]
        names = [fb.sym("w", layer, j, k) for j, k in pairs]
        edges = [f"{fb.sym('a', layer - 1, k)} → {fb.sym('a', layer, j)}" for j, k in pairs]
        return {"first": names[0], "first_edge": edges[0], "second": names[1],
                "second_edge": edges[1]}


class MissingBias(Misconception):
    id = "missing_bias"
    title = N_("Bias left out of the forward pass")
    explanation = N_("Each pre-activation is the weighted sum of the unit's inputs plus the "
                     "unit's bias: include the bias.")
    message = N_("The forward pass adds the bias: %(z)s = … + %(bias)s, with %(bias)s = %(value)s; "
                 "your value matches a forward pass without it.")

    def occurs(self, net):
        return net.bias != "none"

    def targets(self, net, param):
        return frozenset(step_keys(net, "z", all_layers(net)))

    def alter(self, run, group, layer, value, param):
        return run.a[layer - 1] @ transposed(run.weights[layer])

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        per_unit = fb.net.bias == "per_unit"
        bias = fb.sym("b", layer, unit if per_unit else None)
        value = fb.net.biases[layer][unit - 1 if per_unit else 0]
        return {"z": fb.sym("z", layer, unit), "bias": bias, "value": f"{value:g}"}


class _UpdateMistake(Misconception):
    """A mistake in the update alone; nothing downstream reads an updated parameter."""

    groups_updated = _UPDATES

    def targets(self, net, param):
        groups = [g for g in self.groups_updated if g == "w_new" or net.update_biases]
        return frozenset(key for group in groups for key in step_keys(net, group, all_layers(net)))

    def before(self, run, group, layer):
        return run.weights[layer] if group == "w_new" else run.biases[layer]

    def params(self, fb, target, param, key):
        new, before, value, step = fb.update_parts(key)
        return {"new": new, "before": before, "value": f"{value:g}", "step": step,
                "yours": fb.answer(key), "eta": f"{fb.net.eta:g}"}


class GradientAscent(_UpdateMistake):
    id = "gradient_ascent"
    title = N_("Step taken the wrong way")
    explanation = N_("Gradient descent subtracts: θ⁺ = θ − η·∂L/∂θ. Adding the gradient increases "
                     "the loss.")
    message = N_("The update goes against the gradient: %(new)s = %(before)s − η·%(step)s. Your "
                 "%(new)s = %(yours)s moves %(before)s = %(value)s the other way.")

    def alter(self, run, group, layer, value, param):
        theta = self.before(run, group, layer)
        return theta + (theta - value)


class MissingLearningRate(_UpdateMistake):
    id = "missing_learning_rate"
    title = N_("Learning rate left out")
    explanation = N_("The update is θ⁺ = θ − η·∂L/∂θ: the gradient is scaled by the learning "
                     "rate η.")
    message = N_("The step is scaled by the learning rate η = %(eta)s: %(new)s = %(before)s − "
                 "%(eta)s·%(step)s; your %(new)s = %(yours)s leaves η out.")

    def occurs(self, net):
        return net.eta != 1.0

    def alter(self, run, group, layer, value, param):
        theta = self.before(run, group, layer)
        return theta - (theta - value) / run.net.eta


class BiasNotUpdated(_UpdateMistake):
    id = "bias_not_updated"
    title = N_("Bias not updated")
    explanation = N_("Biases are parameters too: b⁺ = b − η·∂L/∂b, where ∂L/∂b is the loss "
                     "gradient with respect to the unit's pre-activation.")
    message = N_("Biases are updated like weights: %(new)s = %(before)s − η·%(step)s; your "
                 "%(new)s = %(yours)s keeps %(before)s = %(value)s.")
    groups_updated = ("b_new",)

    def occurs(self, net):
        return net.update_biases

    def alter(self, run, group, layer, value, param):
        return np.broadcast_to(self.before(run, group, layer), value.shape)
