"""The student model: one training step of an exercise, as a student might compute it by hand.

:func:`evaluate` returns every quantity of the trace by key. Three options make it a model of a
student rather than a second engine: ``overrides`` replaces computed values by the student's
own (so everything downstream uses them, which is what error carried forward needs); a
misconception is applied at a :class:`~exercises.grading.sites.Site` — throughout, in one
layer, or in one unit's own formula; and ``rounding`` rounds every value as it is computed, as
a student who keeps few digits does. The arithmetic itself comes from :mod:`tracer.functions`,
so a correct student and the engine differ only in their bookkeeping.

Every array carries a leading axis of *rows*: one row per site of a :class:`Batch`, so that the
hundreds of sites diagnosis tries are computed in one vectorised pass rather than one by one.
Per-sample arrays are (rows, samples, units); a mini-batch's gradients are reduced over the
samples. Iterations run one after another, each from the previous one's updated parameters and
optimizer state *as emitted*, so a student's wrong step-1 update carries into step 2.
"""
from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from exercises.grading.network import GradingNetwork, place
from tracer import activations
from tracer import functions as F


class Batch:
    """Sites evaluated together, one row each (none: one row without a mistake), with the
    masks that say, per array of the network, which elements each misconception changes."""

    def __init__(self, net, sites=()):
        self.sites = tuple(sites)
        self.size = max(1, len(self.sites))
        masks = {}
        for row, site in enumerate(self.sites):
            for (group, layer), mask in site.masks():
                key = (group, layer, site.mistake.id, site.param)
                if key not in masks:
                    masks[key] = (site.mistake, site.param,
                                  np.zeros((self.size, len(net.keys(group, layer))), dtype=bool))
                masks[key][2][row] = mask
        self._alterations = {}
        for (group, layer, _, _), entry in masks.items():
            self._alterations.setdefault((group, layer), []).append(entry)

    def alterations(self, group, layer):
        """(misconception, param, rows × elements mask) acting on ``group`` of ``layer``."""
        return self._alterations.get((group, layer), ())


class Values(Mapping):
    """The values of one row of an evaluation by key, read lazily from its per-layer arrays."""

    def __init__(self, net, flat, row=0):
        self._net, self._flat, self._row = net, flat, row

    def __getitem__(self, key):
        group, layer, i = self._net.slot(key)
        array = self._flat.get((group, layer))
        if array is None:
            raise KeyError(key)
        return float(array[self._row, i])

    def __iter__(self):
        for (group, layer) in self._flat:
            yield from self._net.keys(group, layer)

    def __len__(self):
        return sum(array.shape[1] for array in self._flat.values())


class Run:
    """The state of one evaluation: what was computed so far, which misconceptions read (the
    pre-activations, activations, loss gradients, δ and updated weights of each layer, every
    array with a row per site), and the overrides still to apply."""

    def __init__(self, net, overrides, batch, rounding):
        self.net, self.batch, self.rounding = net, batch, rounding
        self.rows = batch.size
        self.patches = net.patches(overrides)
        self.arrays = {}
        self.state = {}

    def begin(self, t, weights, biases):
        """Start iteration ``t`` from these parameters (per layer, with or without a row axis)."""
        net = self.net
        self.t, self.weights, self.biases = t, weights, biases
        self.z = [None] * (net.depth + 1)
        self.a = [np.broadcast_to(net.x, (self.rows, *net.x.shape))] + [None] * net.depth
        self.activated = [None] * (net.depth + 1)  # f(z) before dropout, where there is dropout
        self.gradient = [None] * (net.depth + 1)   # ∂L/∂a of each layer, as used
        self.delta = [None] * (net.depth + 2)      # ∂L/∂z of each layer, as used
        self.new_weights = [None] * (net.depth + 2)

    def emit(self, group, layer, array):
        """Record ``array`` as computed — after each site's mistake where it acts, and the
        student's rounding — then return it with the student's overrides applied."""
        array = np.broadcast_to(array, (self.rows, *np.shape(array)[-_rank(group):]))
        layer = place(layer, self.t)
        for mistake, param, mask in self.batch.alterations(group, layer):
            mistaken = mistake.alter(self, group, layer if self.t == 1 else layer[0], array, param)
            array = np.where(mask.reshape(array.shape), mistaken, array)
        if self.rounding is not None:
            array = self.rounding(array)
        self.arrays[group, layer] = array
        patch = self.patches.get((group, layer))
        if patch is None:
            return array
        array = np.array(array, dtype=np.float64)
        array.reshape(self.rows, -1)[:, patch[0]] = patch[1]
        return array

    def flat(self):
        """Every computed array as rows × elements."""
        return {slot: array.reshape(self.rows, -1) for slot, array in self.arrays.items()}


_MATRICES = ("dL_dw", "w_new", "velocity_w", "m_w", "v_w", "z", "a", "dL_da", "da_dz", "delta")


def _rank(group):
    # Weights and per-sample values are matrices per row; biases and the loss a vector per row.
    return 2 if group in _MATRICES else 1


def transposed(weights):
    """Wᵀ of a layer's weights, with or without a leading row axis."""
    return np.swapaxes(weights, -1, -2)


def weight_gradient(run, layer, delta, inputs):
    """The batch's ∂L/∂W: Σ_s δ_s a_sᵀ (over the batch size for a mean), plus λW with weight decay."""
    net = run.net
    gradient = np.einsum("rsj,rsk->rjk", delta, inputs)
    if net.samples > 1 and net.reduction == "mean":
        gradient = gradient / net.samples
    return gradient + net.decay * run.weights[layer] if net.decay else gradient


def evaluate(network, overrides: Mapping[str, float] | None = None, mistake: str | None = None,
             param: float | None = None, scope=None) -> dict[str, float]:
    """Compute every quantity of one training step of an exercise, by field key.

    ``network`` is a spec dict or a :class:`GradingNetwork`. Each value is what its formula gives from
    the values upstream of it; where ``overrides`` names a key, its value replaces the computed
    one for everything downstream (the returned value stays the computed one). ``mistake`` is a
    misconception id, applied throughout or, with ``scope`` (an iterable of the mistake's target
    keys), only there; ``param`` is partial_sum's downstream unit k or loss_scale's factor c.
    """
    from exercises.grading.sites import Site

    net = network if isinstance(network, GradingNetwork) else GradingNetwork(network)
    if mistake is None and (param is not None or scope is not None):
        raise ValueError("param and scope need a mistake")
    sites = () if mistake is None else (Site.of(net, mistake, param, scope),)
    return dict(evaluate_lazily(net, overrides, Batch(net, sites)))


@lru_cache(maxsize=256)
def true_values(net: GradingNetwork) -> dict[str, float]:
    """The correct values of ``net``, computed once per network (do not modify)."""
    return dict(evaluate_lazily(net))


def evaluate_lazily(net: GradingNetwork, overrides=None, batch=None, rounding=None) -> Values:
    """Like :func:`evaluate` on a :class:`GradingNetwork` for the first row of ``batch`` (default: no
    mistake), returning a mapping that converts values only when they are read; ``overrides``
    may be a mapping or ``net.patches(mapping)``; ``rounding`` maps an array to its rounded form."""
    return Values(net, evaluate_rows(net, overrides, batch, rounding))


def evaluate_rows(net: GradingNetwork, overrides=None, batch=None, rounding=None) -> dict:
    """Evaluate every row of ``batch`` at once; return (group, layer) → rows × elements."""
    run = Run(net, overrides, batch or _plain(net), rounding)
    weights, biases = list(net.weights), list(net.biases)
    for t in range(1, net.iterations + 1):
        run.begin(t, weights, biases)
        _forward(run)
        weights, biases = list(weights), list(biases)
        for l in range(net.depth, 0, -1):
            delta = _delta(run, l)
            dL_dw = run.emit("dL_dw", l, weight_gradient(run, l, delta, run.a[l - 1]))
            weights[l] = run.new_weights[l] = _update(run, l, "w", run.weights[l], dL_dw)
            if net.bias != "none":
                dL_db = delta.sum(axis=1) if net.bias == "per_unit" else delta.sum(axis=(1, 2))[:, None]
                if net.samples > 1 and net.reduction == "mean":
                    dL_db = dL_db / net.samples
                dL_db = run.emit("dL_db", l, dL_db)
                if net.update_biases:
                    biases[l] = _update(run, l, "b", run.biases[l], dL_db)
    return run.flat()


@lru_cache(maxsize=256)
def _plain(net):
    return Batch(net)


def pre_activation(run, layer, weights):
    """z of ``layer`` from the activations below, with ``weights`` (W, or a mistaken matrix)."""
    zl = run.a[layer - 1] @ transposed(weights)
    if run.net.bias != "none":
        b = run.biases[layer]
        zl = zl + (b[:, None, :] if np.ndim(b) == 2 else b)
    return zl


def _forward(run):
    net = run.net
    for l in range(1, net.depth + 1):
        run.z[l] = run.emit("z", l, pre_activation(run, l, run.weights[l]))
        al = F.activate(net.activations[l], run.z[l], net.slope)
        if net.keep is not None and l < net.depth:
            run.activated[l] = al
            al = net.masks[l] * al / net.keep[l]
        run.a[l] = run.emit("a", l, al)
    losses = F.loss_value(net.loss, run.a[-1], net.y)
    loss = losses.mean(axis=-1) if net.reduction == "mean" else losses.sum(axis=-1)
    if net.decay:
        loss = loss + 0.5 * net.decay * sum(np.sum(w * w, axis=(-2, -1)) for w in run.weights[1:])
    run.emit("loss", None, np.reshape(loss, (-1, 1)))


def _delta(run, l):
    """Emit layer ``l``'s ∂L/∂a, f′(z) and δ; return ∂L/∂z as used downstream.

    δ is emitted in the exercise's convention (``net.delta_sign`` · ∂L/∂z) and read back from
    it, so a student's δ answer in either convention enters the next layer as ∂L/∂z."""
    net = run.net
    name, al = net.activations[l], run.a[l]
    fused = l == net.depth and net.fused
    if not fused:
        if l == net.depth:
            gradient = F.loss_gradient(net.loss, al, net.y)
        else:
            gradient = run.delta[l + 1] @ run.weights[l + 1]
        run.gradient[l] = gradient = run.emit("dL_da", l, gradient)
    activation = activations.get(name)
    if activation.elementwise:
        derivative = activation_derivative(run, l)
        derivative = run.emit("da_dz", l, derivative)
    if fused:
        value = F.fused_delta(net.loss, name, al, net.y)
    elif not activation.elementwise:  # softmax: its Jacobian product
        value = activation.backward(al, gradient)
    else:
        value = gradient * derivative
    sign = net.delta_sign
    emitted = run.emit("delta", l, value if sign == 1 else -value)
    run.delta[l] = emitted if sign == 1 else -emitted
    return run.delta[l]


def activation_derivative(run, l):
    """∂a/∂z of layer ``l``: f'(z), times r/p where the layer has dropout."""
    net = run.net
    name = net.activations[l]
    if run.activated[l] is None:
        return F.activation_derivative(name, run.z[l], run.a[l], net.slope)
    return net.masks[l] * F.activation_derivative(name, run.z[l], run.activated[l], net.slope) / net.keep[l]


def _update(run, l, kind, theta, gradient):
    """Emit the optimizer state and the updated parameter; return the latter (overridden).

    State starts at 0 and is carried from the previous iteration as emitted (so overridden)."""
    net, opt, state, t = run.net, run.net.optimizer, run.state, run.t
    eta = net.eta
    if opt["name"] == "sgd":
        step = eta * gradient
    elif opt["name"] == "momentum":
        old = state.get(("velocity", kind, l), 0.0)
        velocity = run.emit("velocity_" + kind, l, opt["momentum"] * old + gradient)
        state["velocity", kind, l] = velocity
        step = eta * velocity
    else:
        beta1, beta2 = opt["beta1"], opt["beta2"]
        m = run.emit("m_" + kind, l, beta1 * state.get(("m", kind, l), 0.0) + (1.0 - beta1) * gradient)
        v = run.emit("v_" + kind, l, beta2 * state.get(("v", kind, l), 0.0)
                     + (1.0 - beta2) * gradient * gradient)
        state["m", kind, l], state["v", kind, l] = m, v
        m_hat, v_hat = m / (1.0 - beta1 ** t), v / (1.0 - beta2 ** t)
        step = eta * m_hat / (np.sqrt(v_hat) + opt["eps"])
    return run.emit(kind + "_new", l, theta - step)
