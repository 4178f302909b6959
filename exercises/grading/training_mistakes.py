"""Misconceptions of mini-batches, several steps, weight decay and dropout (issue 16), one class
each, registered in :data:`exercises.grading.misconceptions.REGISTRY` like every other.

Each changes the student model at its targets only; what follows from a target (the updates
after a wrong gradient, step 2 after a wrong step 1) inherits the mistake and is graded
``carried`` or explained upstream, as for any misconception.
"""
import numpy as np

from exercises.grading.messages import N_
from exercises.grading.mistake import Misconception, all_layers, step_keys
from tracer.keys import parse_key, split_key

_STATE_FACTORS = {"velocity": "momentum", "m": "beta1", "v": "beta2"}


def _later_steps(net, groups):
    """The keys of ``groups`` of every layer in steps 2 and later."""
    return frozenset(key for group in groups for key in step_keys(net, group, all_layers(net))
                     if split_key(key)[2] > 1)


class SumInsteadOfMean(Misconception):
    """A batch gradient summed where it is averaged, or averaged where it is summed."""

    id = "sum_instead_of_mean"
    title = N_("Batch gradient not reduced as the exercise says")
    explanation = N_("A mini-batch's gradient is the reduction the exercise names of the samples' "
                     "gradients: the mean divides their sum by the batch size, the sum does not.")
    message = N_("In this batch of %(count)d samples, %(gradient)s = %(formula)s; your value "
                 "matches %(wrong)s instead.")

    def occurs(self, net):
        return net.samples > 1

    def targets(self, net, param):
        groups = ["dL_dw"] + (["dL_db"] if net.bias != "none" else [])
        return frozenset(key for group in groups for key in step_keys(net, group, all_layers(net)))

    def alter(self, run, group, layer, value, param):
        net = run.net
        factor = net.samples if net.reduction == "mean" else 1.0 / net.samples
        if group == "dL_dw" and net.decay:   # λw is added once, whatever the reduction
            decay = net.decay * run.weights[layer]
            return (value - decay) * factor + decay
        return value * factor

    def params(self, fb, target, param, key):
        quantity, layer, unit, source = parse_key(target)
        n = fb.net.samples
        weight = quantity == "dL_dw"
        gradient = "∂L/∂" + fb.sym("w" if weight else "b", layer, unit, source)
        term = f"δ[s]·{fb.sym('a', layer - 1, source)}" if weight else "δ[s]"
        total = f"Σₛ {term}"
        mean = f"(1/{n})·{total}"
        right, wrong = (mean, total) if fb.net.reduction == "mean" else (total, mean)
        return {"count": n, "gradient": gradient, "formula": right, "wrong": wrong}


class StateNotCarried(Misconception):
    """Momentum's velocity or Adam's moments restarted from 0 at a later step."""

    id = "state_not_carried"
    title = N_("Optimizer state restarted")
    explanation = N_("Momentum's velocity and Adam's moments carry from step to step: step t "
                     "starts from the state step t − 1 ended with, not from 0.")
    message = N_("%(state)s of step %(step)d starts from step %(previous)d's %(state)s: "
                 "%(formula)s; your value restarts it from 0.")

    def occurs(self, net):
        return net.iterations > 1 and net.optimizer["name"] in ("momentum", "adam")

    def targets(self, net, param):
        names = {"momentum": ("velocity_w", "velocity_b"), "adam": ("m_w", "m_b", "v_w", "v_b")}
        groups = [g for g in names[net.optimizer["name"]] if g.endswith("_w") or net.update_biases]
        return _later_steps(net, groups)

    def alter(self, run, group, layer, value, param):
        name, kind = group.split("_")
        old = run.state.get((name, kind, layer), 0.0)   # still the previous step's
        return value - run.net.optimizer[_STATE_FACTORS[name]] * old

    def params(self, fb, target, param, key):
        base, _, t = split_key(target)
        quantity = parse_key(base)[0]
        factor = {"velocity": "μ", "m": "β₁", "v": "β₂"}[quantity]
        state = fb.net.symbol(base).split(" (")[0]
        gradient = "(1 − β₂)·g²" if quantity == "v" else "(1 − β₁)·g" if quantity == "m" else "g"
        return {"state": state, "step": t, "previous": t - 1,
                "formula": f"{state} = {factor}·{state}(t−1) + {gradient}"}


class MissingBiasCorrection(Misconception):
    """Adam's update from m and v themselves, not the bias-corrected m̂ and v̂."""

    id = "missing_bias_correction"
    title = N_("Adam without bias correction")
    explanation = N_("Adam divides the moments by 1 − βᵗ before the step: m̂ = m/(1 − β₁ᵗ), "
                     "v̂ = v/(1 − β₂ᵗ), θ⁺ = θ − η·m̂/(√v̂ + ε). Without it the first steps are "
                     "far too small or too large.")
    message = N_("%(new)s = %(before)s − η·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁^%(step)d) and "
                 "v̂ = v/(1 − β₂^%(step)d); your %(new)s = %(yours)s uses m and v uncorrected.")

    def occurs(self, net):
        return net.optimizer["name"] == "adam"

    def targets(self, net, param):
        groups = ["w_new"] + (["b_new"] if net.update_biases else [])
        return frozenset(key for group in groups for key in step_keys(net, group, all_layers(net)))

    def alter(self, run, group, layer, value, param):
        kind = group[0]
        theta = run.weights[layer] if kind == "w" else run.biases[layer]
        m, v = run.state["m", kind, layer], run.state["v", kind, layer]
        return theta - run.net.eta * m / (np.sqrt(v) + run.net.optimizer["eps"])

    def params(self, fb, target, param, key):
        base, _, t = split_key(target)
        new, before, _, _ = fb.update_parts(key)
        return {"new": new, "before": before, "step": t, "yours": fb.answer(key)}


class DecayOnBias(Misconception):
    """Weight decay applied to a bias: ∂L/∂b with + λb."""

    id = "decay_on_bias"
    title = N_("Weight decay applied to a bias")
    explanation = N_("L2 weight decay penalises the weights only: (λ/2)·Σw² has no bias in it, "
                     "so ∂L/∂b gains nothing and stays δ (reduced over the batch).")
    message = N_("%(gradient)s has no decay term: the penalty (λ/2)·Σw² holds no bias; your "
                 "value adds λ·%(bias)s.")

    def occurs(self, net):
        return bool(net.decay) and net.bias != "none"

    def targets(self, net, param):
        return frozenset(step_keys(net, "dL_db", all_layers(net)))

    def alter(self, run, group, layer, value, param):
        return value + run.net.decay * run.biases[layer]

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        bias = fb.sym("b", layer, unit)
        return {"gradient": f"∂L/∂{bias}", "bias": bias}


class MissingWeightDecay(Misconception):
    """The L2 term left out: ∂L/∂w without λw (and the loss without (λ/2)·Σw²)."""

    id = "missing_weight_decay"
    title = N_("Weight decay left out")
    explanation = N_("With L2 weight decay λ the loss gains (λ/2)·Σw², so every weight's "
                     "gradient gains λ·w: ∂L/∂w = δ·a + λ·w.")
    message = N_("%(quantity)s includes the weight decay λ = %(decay)s: %(term)s; your value "
                 "leaves it out.")

    def occurs(self, net):
        return bool(net.decay)

    def targets(self, net, param):
        return frozenset([*step_keys(net, "dL_dw", all_layers(net)), *net.keys_all("loss")])

    def alter(self, run, group, layer, value, param):
        net = run.net
        if group == "loss":
            penalty = 0.5 * net.decay * sum(np.sum(w * w, axis=(-2, -1)) for w in run.weights[1:])
            return value - np.reshape(penalty, (-1, 1))
        return value - net.decay * run.weights[layer]

    def params(self, fb, target, param, key):
        quantity, layer, unit, source = parse_key(target)
        if quantity == "loss":
            return {"quantity": "L", "decay": f"{fb.net.decay:g}", "term": "+ (λ/2)·Σw²"}
        weight = fb.sym("w", layer, unit, source)
        return {"quantity": f"∂L/∂{weight}", "decay": f"{fb.net.decay:g}", "term": f"+ λ·{weight}"}


class DropoutScaleMissing(Misconception):
    """Inverted dropout without its 1/p: a = r·f(z) and ∂a/∂z = r·f'(z)."""

    id = "dropout_scale_missing"
    title = N_("Dropout without the 1/p scale")
    explanation = N_("Inverted dropout keeps a unit's activation scaled by 1/p, a = r·f(z)/p, so "
                     "that its expected value is unchanged; the same 1/p appears in ∂a/∂z.")
    message = N_("%(unit)s = %(mask)s·f(%(z)s)/p with keep probability p = %(keep)s; your "
                 "value leaves out the 1/p.")

    def _layers(self, net):
        return [l for l in range(1, net.depth) if net.keep is not None and net.keep[l] != 1.0]

    def occurs(self, net):
        return bool(self._layers(net))

    def targets(self, net, param):
        layers = self._layers(net)
        return frozenset([*step_keys(net, "a", layers), *step_keys(net, "da_dz", layers)])

    def alter(self, run, group, layer, value, param):
        return value * run.net.keep[layer]

    def params(self, fb, target, param, key):
        _, layer, unit, _ = parse_key(target)
        return {"unit": fb.sym("a", layer, unit), "mask": fb.sym("mask", layer, unit),
                "z": fb.sym("z", layer, unit), "keep": f"{fb.net.keep[layer]:g}"}


TRAINING_MISTAKES = (SumInsteadOfMean(), StateNotCarried(), MissingBiasCorrection(), DecayOnBias(),
                     MissingWeightDecay(), DropoutScaleMissing())
