"""The student model: one training step of an exercise, as a student might compute it by hand.

:func:`evaluate` returns every quantity of the trace by key. Two options make it a model of a
student rather than a second engine: ``overrides`` replaces computed values by the student's
own (so everything downstream uses them, which is what error carried forward needs), and
``mistake`` applies one misconception of SPEC §6 throughout. The arithmetic itself comes from
:mod:`tracer.functions`, so a correct student and the engine differ only in their bookkeeping.
"""
from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from exercises.grading.misconceptions import check_mistake, mistaken_update
from exercises.grading.network import Network
from tracer import functions as F

# Mistakes that change δ's chain-rule factor, so a fused output δ must be computed unfused.
_UNFUSING = ("missing_activation_derivative", "derivative_of_activation_output")


class Values(Mapping):
    """The values of one evaluation by key, read lazily from the per-layer arrays computed."""

    def __init__(self, net, arrays):
        self._net, self._arrays = net, arrays

    def __getitem__(self, key):
        group, layer, i = self._net.slot(key)
        array = self._arrays.get((group, layer))
        if array is None:
            raise KeyError(key)
        return array.item(i)

    def __iter__(self):
        for (group, layer) in self._arrays:
            yield from self._net.keys(group, layer)

    def __len__(self):
        return sum(array.size for array in self._arrays.values())


class _Run:
    """The state of one evaluation: what was computed, and the overrides still to apply."""

    def __init__(self, net, overrides, mistake, param):
        self.net, self.mistake, self.param = net, mistake, param
        self.patches = net.patches(overrides)
        self.arrays = {}

    def emit(self, group, layer, array):
        """Record ``array`` as computed, then return it with overrides applied."""
        self.arrays[group, layer] = array
        patch = self.patches.get((group, layer))
        if patch is None:
            return array
        array = np.array(array, dtype=np.float64)
        array.reshape(-1)[patch[0]] = patch[1]
        return array


def evaluate(network, overrides: Mapping[str, float] | None = None, mistake: str | None = None,
             param: float | None = None) -> dict[str, float]:
    """Compute every quantity of one training step of an exercise, by field key.

    ``network`` is a spec dict or a :class:`Network`. Each value is what its formula gives from
    the values upstream of it; where ``overrides`` names a key, its value replaces the computed
    one for everything downstream (the returned value stays the computed one). ``mistake`` is a
    misconception id applied throughout; ``param`` is partial_sum's downstream unit k or
    loss_scale's factor c.
    """
    net = network if isinstance(network, Network) else Network(network)
    return dict(evaluate_lazily(net, overrides, mistake, param))


@lru_cache(maxsize=256)
def true_values(net: Network) -> dict[str, float]:
    """The correct values of ``net``, computed once per network (do not modify)."""
    return dict(evaluate_lazily(net))


def evaluate_lazily(net: Network, overrides=None, mistake: str | None = None, param=None) -> Values:
    """Like :func:`evaluate` on a :class:`Network`, returning a mapping that converts values
    only when they are read; ``overrides`` may be a mapping or ``net.patches(mapping)``."""
    check_mistake(net, mistake, param)
    run = _Run(net, overrides, mistake, param)
    z, a = _forward(run)
    new_weights = [None] * (net.depth + 2)
    delta = None
    for l in range(net.depth, 0, -1):
        delta = _delta(run, l, z, a, delta, new_weights)
        source = z[l - 1] if mistake == "pre_activation_as_input" and l >= 2 else a[l - 1]
        dL_dw = run.emit("dL_dw", l, np.outer(delta, source))
        theta = net.weights[l]
        if mistake == "swapped_weight_indices" and net.is_square(l):
            theta = theta.T
        new_weights[l] = _update(run, l, "w", theta, dL_dw)
        if net.bias != "none":
            dL_db = delta if net.bias == "per_unit" else np.array([delta.sum()])
            dL_db = run.emit("dL_db", l, dL_db)
            if net.update_biases:
                _update(run, l, "b", net.biases[l], dL_db)
    return Values(net, run.arrays)


def _forward(run):
    net = run.net
    z, a = [None], [net.x]
    for l in range(1, net.depth + 1):
        weights = net.weights[l]
        if run.mistake == "swapped_weight_indices" and net.is_square(l):
            weights = weights.T
        zl = weights @ a[l - 1]
        if net.bias != "none" and run.mistake != "missing_bias":
            zl = zl + net.biases[l]
        z.append(run.emit("z", l, zl))
        a.append(run.emit("a", l, F.activate(net.activations[l], z[l], net.slope)))
    run.emit("loss", None, np.atleast_1d(F.loss_value(net.loss, a[-1], net.y)))
    return z, a


def _output_gradient(run, a):
    net, mistake = run.net, run.mistake
    if mistake == "loss_scale":
        gradient = run.param * (a - net.y)
    else:
        gradient = F.loss_gradient(net.loss, a, net.y)
    return -gradient if mistake == "target_minus_output" else gradient


def _delta(run, l, z, a, delta_above, new_weights):
    net, mistake = run.net, run.mistake
    name, zl, al = net.activations[l], z[l], a[l]
    fused = l == net.depth and net.fused
    if not fused:
        if l == net.depth:
            gradient = _output_gradient(run, al)
        else:
            gradient = _hidden_gradient(run, l, delta_above, new_weights)
        gradient = run.emit("dL_da", l, gradient)
    if name != "softmax":
        if mistake == "derivative_of_activation_output" and name in ("sigmoid", "tanh"):
            # f' taken at a instead of z: σ(a)(1 − σ(a)) rather than a(1 − a).
            derivative = F.activation_derivative(name, al, F.activate(name, al), net.slope)
        else:
            derivative = F.activation_derivative(name, zl, al, net.slope)
        derivative = run.emit("da_dz", l, derivative)
    if fused and mistake in _UNFUSING and name == "sigmoid":
        gradient = F.loss_gradient(net.loss, al, net.y)
    elif fused:
        value = F.fused_delta(net.loss, name, al, net.y)
        return run.emit("delta", l, -value if mistake == "target_minus_output" else value)
    if mistake == "missing_activation_derivative" and name not in ("linear", "softmax"):
        value = gradient
    elif name == "softmax":
        value = F.softmax_backward(al, gradient)
    else:
        value = gradient * derivative
    return run.emit("delta", l, value)


def _hidden_gradient(run, l, delta_above, new_weights):
    net, mistake = run.net, run.mistake
    weights = net.weights[l + 1]
    if mistake == "updated_weights_in_backprop":
        weights = new_weights[l + 1]
    elif mistake == "swapped_weight_indices" and net.is_square(l + 1):
        weights = weights.T
    if mistake == "partial_sum" and 2 <= net.sizes[l + 1] and run.param <= net.sizes[l + 1]:
        k = int(run.param) - 1
        return weights[k] * delta_above[k]
    return weights.T @ delta_above


def _update(run, l, kind, theta, gradient):
    """Emit the optimizer state and the updated parameter; return the latter (overridden)."""
    net, opt = run.net, run.net.optimizer
    eta = net.eta
    if opt["name"] == "sgd":
        step = eta * gradient
    elif opt["name"] == "momentum":
        # One iteration: the velocity starts at 0, so it equals the gradient.
        velocity = run.emit("velocity_" + kind, l, opt["momentum"] * 0.0 + gradient)
        step = eta * velocity
    else:
        beta1, beta2 = opt["beta1"], opt["beta2"]
        m = run.emit("m_" + kind, l, beta1 * 0.0 + (1.0 - beta1) * gradient)
        v = run.emit("v_" + kind, l, beta2 * 0.0 + (1.0 - beta2) * gradient * gradient)
        m_hat, v_hat = m / (1.0 - beta1), v / (1.0 - beta2)
        step = eta * m_hat / (np.sqrt(v_hat) + opt["eps"])
    new = theta - step
    if run.mistake is not None:
        new = mistaken_update(run.mistake, kind, theta, new, eta)
    return run.emit(kind + "_new", l, new)
