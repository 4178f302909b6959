"""The student model: one training step of an exercise, as a student might compute it by hand.

:func:`evaluate` returns every quantity of the trace by key. Three options make it a model of a
student rather than a second engine: ``overrides`` replaces computed values by the student's
own (so everything downstream uses them, which is what error carried forward needs); a
:class:`~exercises.grading.sites.Site` applies one misconception of SPEC §6 at some of the
places it can occur (throughout, one layer, one unit's own formula); and ``rounding`` rounds
every value as it is computed, as a student who keeps few digits does. The arithmetic itself
comes from :mod:`tracer.functions`, so a correct student and the engine differ only in their
bookkeeping.
"""
from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from exercises.grading.network import Network
from tracer import functions as F


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


class Run:
    """The state of one evaluation: what was computed so far, which misconceptions read (the
    pre-activations, activations, loss gradients and updated weights of each layer), and the
    overrides still to apply."""

    def __init__(self, net, overrides, site, rounding):
        self.net, self.site, self.rounding = net, site, rounding
        self.patches = net.patches(overrides)
        self.arrays = {}
        self.z, self.a = [None] * (net.depth + 1), [net.x] + [None] * net.depth
        self.gradient = [None] * (net.depth + 1)   # ∂L/∂a of each layer, as used
        self.delta = [None] * (net.depth + 2)      # ∂L/∂z of each layer, as used
        self.new_weights = [None] * (net.depth + 2)

    def emit(self, group, layer, array):
        """Record ``array`` as computed — after the site's mistake, where it acts, and the
        student's rounding — then return it with the student's overrides applied."""
        site = self.site
        if site is not None:
            mask = site.mask(group, layer)
            if mask is not None:
                mistaken = site.mistake.alter(self, group, layer, array, site.param)
                array = mistaken if mask is True else \
                    np.where(mask.reshape(np.shape(array)), mistaken, array)
        if self.rounding is not None:
            array = self.rounding(array)
        self.arrays[group, layer] = array
        patch = self.patches.get((group, layer))
        if patch is None:
            return array
        array = np.array(array, dtype=np.float64)
        array.reshape(-1)[patch[0]] = patch[1]
        return array


def evaluate(network, overrides: Mapping[str, float] | None = None, mistake: str | None = None,
             param: float | None = None, scope=None) -> dict[str, float]:
    """Compute every quantity of one training step of an exercise, by field key.

    ``network`` is a spec dict or a :class:`Network`. Each value is what its formula gives from
    the values upstream of it; where ``overrides`` names a key, its value replaces the computed
    one for everything downstream (the returned value stays the computed one). ``mistake`` is a
    misconception id, applied throughout or, with ``scope`` (an iterable of the mistake's target
    keys), only there; ``param`` is partial_sum's downstream unit k or loss_scale's factor c.
    """
    from exercises.grading.sites import Site

    net = network if isinstance(network, Network) else Network(network)
    site = None if mistake is None else Site.of(net, mistake, param, scope)
    if mistake is None and (param is not None or scope is not None):
        raise ValueError("param and scope need a mistake")
    return dict(evaluate_lazily(net, overrides, site))


@lru_cache(maxsize=256)
def true_values(net: Network) -> dict[str, float]:
    """The correct values of ``net``, computed once per network (do not modify)."""
    return dict(evaluate_lazily(net))


def evaluate_lazily(net: Network, overrides=None, site=None, rounding=None) -> Values:
    """Like :func:`evaluate` on a :class:`Network` with a :class:`Site` (or None), returning a
    mapping that converts values only when they are read; ``overrides`` may be a mapping or
    ``net.patches(mapping)``; ``rounding`` maps an array to its rounded form."""
    run = Run(net, overrides, site, rounding)
    _forward(run)
    for l in range(net.depth, 0, -1):
        delta = _delta(run, l)
        dL_dw = run.emit("dL_dw", l, np.outer(delta, run.a[l - 1]))
        run.new_weights[l] = _update(run, l, "w", net.weights[l], dL_dw)
        if net.bias != "none":
            dL_db = delta if net.bias == "per_unit" else np.array([delta.sum()])
            dL_db = run.emit("dL_db", l, dL_db)
            if net.update_biases:
                _update(run, l, "b", net.biases[l], dL_db)
    return Values(net, run.arrays)


def _forward(run):
    net = run.net
    for l in range(1, net.depth + 1):
        zl = net.weights[l] @ run.a[l - 1]
        if net.bias != "none":
            zl = zl + net.biases[l]
        run.z[l] = run.emit("z", l, zl)
        run.a[l] = run.emit("a", l, F.activate(net.activations[l], run.z[l], net.slope))
    run.emit("loss", None, np.atleast_1d(F.loss_value(net.loss, run.a[-1], net.y)))


def _delta(run, l):
    """Emit layer ``l``'s ∂L/∂a, f′(z) and δ; return ∂L/∂z as used downstream.

    δ is emitted in the exercise's convention (``net.delta_sign`` · ∂L/∂z) and read back from
    it, so a student's δ answer in either convention enters the next layer as ∂L/∂z."""
    net = run.net
    name, zl, al = net.activations[l], run.z[l], run.a[l]
    fused = l == net.depth and net.fused
    if not fused:
        if l == net.depth:
            gradient = F.loss_gradient(net.loss, al, net.y)
        else:
            gradient = net.weights[l + 1].T @ run.delta[l + 1]
        run.gradient[l] = gradient = run.emit("dL_da", l, gradient)
    if name != "softmax":
        derivative = run.emit("da_dz", l, F.activation_derivative(name, zl, al, net.slope))
    if fused:
        value = F.fused_delta(net.loss, name, al, net.y)
    elif name == "softmax":
        value = F.softmax_backward(al, gradient)
    else:
        value = gradient * derivative
    sign = net.delta_sign
    emitted = run.emit("delta", l, value if sign == 1 else -value)
    run.delta[l] = emitted if sign == 1 else -emitted
    return run.delta[l]


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
    return run.emit(kind + "_new", l, theta - step)
