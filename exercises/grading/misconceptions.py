"""The misconceptions of SPEC §6, one class each, in a registry keyed by contract id.

A :class:`Misconception` bundles everything grading asks of a mistake: where it can occur in a
network (:meth:`~Misconception.variants`, :meth:`~Misconception.targets` — the keys whose own
formula it changes), how it changes the student model at a target (:meth:`~Misconception.alter`,
called by :mod:`exercises.grading.model` with the correct value and the run's context), and how
it is explained (a title, an explanation and a message template with its parameters, all
English marked for translation with ``N_``). Adding a misconception is one class here, added
to ``REGISTRY``, and its tests; nothing else branches on its id.

Values of the ``delta`` group are in the exercise's δ convention (``net.delta_sign``), so an
alteration of δ returns that convention too.
"""
import math

import numpy as np

from exercises.grading.messages import N_, register
from exercises.grading.model import pre_activation, transposed, weight_gradient
from tracer import activations
from tracer import functions as F
from tracer.keys import parse_key

_UPDATES = ("w_new", "b_new")


class Misconception:
    """One mistake of SPEC §6's table; subclasses fill in where it occurs and what it does."""

    id: str = ""
    title: str = ""
    explanation: str = ""
    message: str = ""
    #: Whether the mistake can sit at one layer or one unit, or only everywhere at once.
    local: bool = True

    def variants(self, net) -> list:
        """The parameters to try in ``net`` ([None] for a mistake without one); empty where the
        mistake cannot occur."""
        return [None] if self.occurs(net) else []

    def occurs(self, net) -> bool:
        """Whether the mistake can occur in ``net`` (for mistakes without a parameter)."""
        return True

    def targets(self, net, param) -> frozenset:
        """The keys whose own formula the mistake changes."""
        raise NotImplementedError

    def also_changes(self, net, param) -> frozenset:
        """Keys the mistake changes besides its targets when made throughout, to stay
        consistent with itself (their values end up right)."""
        return frozenset()

    def groups(self, net, param, targets) -> list[frozenset]:
        """The targets split into the "one layer" sites: by the layer of each key."""
        layers = {}
        for key in targets:
            layers.setdefault(parse_key(key)[1], set()).add(key)
        return [frozenset(keys) for keys in layers.values()]

    def alter(self, run, group, layer, value, param):
        """Return the array of ``group`` in ``layer`` as the mistake computes it, given the
        correct ``value`` and the run's state (``run.z``, ``run.a``, ``run.gradient``,
        ``run.delta``, ``run.new_weights``)."""
        raise NotImplementedError

    def params(self, fb, target, param, key) -> dict:
        """The message's parameters for field ``key`` where the mistake sits at ``target``;
        ``fb`` is the submission's :class:`~exercises.grading.feedback.Feedback`."""
        return {}


def _keys(net, group, layers):
    # Every iteration's keys: a mistake a student makes, they make at every step.
    return [key for l in layers for key in net.keys_all(group, l)]


def _activation(net, layer):
    """The registry's :class:`~tracer.activations.Activation` of ``layer``."""
    return activations.get(net.activations[layer])


def _layers(net):
    return range(1, net.depth + 1)


def _hidden(net):
    return range(1, net.depth)


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
        return frozenset(_keys(net, "dL_da", _hidden(net)))

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
        return [l for l in _layers(net) if _activation(net, l).elementwise and not _activation(net, l).unit_derivative]

    def occurs(self, net):
        return bool(self._layers(net))

    def targets(self, net, param):
        return frozenset(_keys(net, "delta", self._layers(net)))

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
        return [l for l in _layers(net) if _activation(net, l).misapplied_text]

    def occurs(self, net):
        return bool(self._layers(net))

    def targets(self, net, param):
        keys = _keys(net, "da_dz", self._layers(net))
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
        wrong = _activation(fb.net, layer).misapplied_text
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
        return frozenset(_keys(net, "dL_dw", range(2, net.depth + 1)))

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
        return [l for l in _layers(net) if net.is_square(l)]

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
        return frozenset(_keys(net, "z", _layers(net)))

    def alter(self, run, group, layer, value, param):
        return run.a[layer - 1] @ transposed(run.weights[layer])

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        per_unit = fb.net.bias == "per_unit"
        bias = fb.sym("b", layer, unit if per_unit else None)
        value = fb.net.biases[layer][unit - 1 if per_unit else 0]
        return {"z": fb.sym("z", layer, unit), "bias": bias, "value": f"{value:g}"}


class PartialSum(Misconception):
    id = "partial_sum"
    title = N_("Only one downstream unit counted")
    explanation = N_("A hidden δ sums over every unit it feeds: the activation's derivative times "
                     "the sum, over those units, of each one's δ times the weight of the edge to "
                     "it.")
    message = N_("%(delta)s collects the error of every unit %(unit)s feeds: ∂L/∂%(unit)s = "
                 "%(terms)s; your value uses only the term of %(only)s.")

    def _layers(self, net):
        return [l for l in _hidden(net) if net.sizes[l + 1] >= 2]

    def variants(self, net):
        layers = self._layers(net)
        return list(range(1, max(net.sizes[l + 1] for l in layers) + 1)) if layers else []

    def targets(self, net, param):
        return frozenset(_keys(net, "dL_da", [l for l in self._layers(net)
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


class _UpdateMistake(Misconception):
    """A mistake in the update alone; nothing downstream reads an updated parameter."""

    groups_updated = _UPDATES

    def targets(self, net, param):
        groups = [g for g in self.groups_updated if g == "w_new" or net.update_biases]
        return frozenset(key for group in groups for key in _keys(net, group, _layers(net)))

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
        return frozenset(key for group in groups for key in _keys(net, group, _layers(net)))

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


# The mistakes of batches, steps, weight decay and dropout live in their own module, which
# builds on the base class above.
from exercises.grading.training_mistakes import TRAINING_MISTAKES  # noqa: E402

REGISTRY: dict[str, Misconception] = {
    mistake.id: mistake for mistake in (
        UpdatedWeightsInBackprop(), MissingActivationDerivative(), DerivativeOfActivationOutput(),
        TargetMinusOutput(), GradientAscent(), MissingLearningRate(), LossScale(),
        PreActivationAsInput(), SwappedWeightIndices(), MissingBias(), PartialSum(),
        BiasNotUpdated(), OppositeDeltaConvention(), *TRAINING_MISTAKES,
    )
}
MISCONCEPTIONS = tuple(REGISTRY)
for _mistake in REGISTRY.values():
    register("misconception." + _mistake.id, _mistake.message)


def get(mistake_id: str) -> Misconception:
    """The registered misconception of ``mistake_id``; ValueError for an unknown id."""
    try:
        return REGISTRY[mistake_id]
    except KeyError:
        raise ValueError(f"unknown misconception {mistake_id!r}") from None


def variants(net, mistake_id: str) -> list:
    """The parameters to try for ``mistake_id`` in ``net``; empty where it cannot occur."""
    return get(mistake_id).variants(net)


def targets(net, mistake_id: str, param=None) -> frozenset:
    """The keys whose own formula ``mistake_id`` (with ``param``) changes in ``net``."""
    return get(mistake_id).targets(net, param)


# The circuit misconceptions (SPEC §10) join REGISTRY here, so labels, messages and statistics
# read them like the others; MISCONCEPTIONS above stays the network table of SPEC §6.
from exercises.grading import circuit_mistakes  # noqa: E402,F401  (imports REGISTRY from above)
