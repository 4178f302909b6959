"""The arithmetic of a trace: forward pass, loss, backward pass and update, one layer at a time.

Nothing here knows about rows, symbols or formulas: each iteration keeps the numpy arrays it
computed in a :class:`Step`, and the rows are read from them later. Lists indexed by layer hold
``None`` at index 0 so that ``z[l]`` is the layer-l value, as in SPEC §2.
"""

import math

import numpy as np

from tracer import functions as F
from tracer.checks import SpecError


class Step:
    """Every number of one training iteration.

    Per-sample arrays have shape (samples, units); gradients and optimizer state are already
    reduced over the batch. ``state`` maps ``velocity`` or ``m``/``v`` to a pair of per-layer
    lists (weights, biases), each holding the value after this iteration's update.
    """

    __slots__ = ("weights", "biases", "z", "a", "losses", "loss", "dL_da", "da_dz", "delta",
                 "dL_dw", "dL_db", "state", "weights_new", "biases_new")


def _forward(net, step):
    a = [net.inputs]
    z = [None]
    slope = net.slope
    for l, name in enumerate(net.activations, 1):
        zl = a[l - 1] @ step.weights[l].T
        if step.biases[l] is not None:
            zl += step.biases[l]
        z.append(zl)
        a.append(F.activate(name, zl, slope))
    step.z, step.a = z, a
    step.losses = losses = F.loss_value(net.loss, a[-1], net.targets)
    step.loss = float(losses.mean() if net.reduction == "mean" else losses.sum())


def _backward(net, step):
    depth = len(net.activations)
    dL_da, da_dz, delta = [None] * (depth + 1), [None] * (depth + 1), [None] * (depth + 1)
    dL_dw, dL_db = [None] * (depth + 1), [None] * (depth + 1)
    z, a, slope = step.z, step.a, net.slope
    count = len(net.inputs)
    for l in range(depth, 0, -1):
        name = net.activations[l - 1]
        if l == depth:
            fused = F.fused_delta(net.loss, name, a[l], net.targets)
            if fused is None:
                dL_da[l] = F.loss_gradient(net.loss, a[l], net.targets)
        else:
            dL_da[l] = delta[l + 1] @ step.weights[l + 1]
        if name != "softmax":
            da_dz[l] = F.activation_derivative(name, z[l], a[l], slope)
        if l == depth and fused is not None:
            delta[l] = fused
        elif name == "softmax":
            delta[l] = F.softmax_backward(a[l], dL_da[l])
        else:
            delta[l] = dL_da[l] * da_dz[l]
        grad = delta[l].T @ a[l - 1]
        if net.bias == "per_unit":
            bias_grad = delta[l].sum(axis=0)
        elif net.bias == "shared":
            bias_grad = float(delta[l].sum())
        else:
            bias_grad = None
        if net.reduction == "mean" and count > 1:
            grad /= count
            bias_grad = None if bias_grad is None else bias_grad / count
        dL_dw[l], dL_db[l] = grad, bias_grad
    step.dL_da, step.da_dz, step.delta, step.dL_dw, step.dL_db = dL_da, da_dz, delta, dL_dw, dL_db


def _update(net, step, previous, t):
    """Apply the optimizer to weights and (when updated) biases; return the new state."""
    opt, lr = net.optimizer, net.learning_rate
    update_biases = net.update_biases and net.bias != "none"
    pairs = [("weights", step.weights, step.dL_dw, 0)]
    if update_biases:
        pairs.append(("biases", step.biases, step.dL_db, 1))
    step.weights_new, step.biases_new = list(step.weights), list(step.biases)
    names = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v")}[opt["name"]]
    state = {name: ([None] * len(step.weights), [None] * len(step.weights)) for name in names}
    for attribute, params, grads, side in pairs:
        new = getattr(step, attribute + "_new")
        for l in range(1, len(params)):
            theta, g = params[l], grads[l]
            if opt["name"] == "sgd":
                new[l] = theta - lr * g
                continue
            old = {name: previous[name][side][l] for name in names} if previous else dict.fromkeys(names, 0.0)
            if opt["name"] == "momentum":
                velocity = opt["momentum"] * old["velocity"] + g
                state["velocity"][side][l] = velocity
                new[l] = theta - lr * velocity
            else:
                m = opt["beta1"] * old["m"] + (1.0 - opt["beta1"]) * g
                v = opt["beta2"] * old["v"] + (1.0 - opt["beta2"]) * (g * g)
                state["m"][side][l], state["v"][side][l] = m, v
                m_hat = m / (1.0 - opt["beta1"] ** t)
                v_hat = v / (1.0 - opt["beta2"] ** t)
                new[l] = theta - lr * m_hat / (np.sqrt(v_hat) + opt["eps"])
    step.state = state
    return state


def _finite(step):
    last = step.weights_new
    return math.isfinite(step.loss) and all(np.isfinite(w).all() for w in last[1:])


def run(net) -> list[Step]:
    """Compute every iteration of the traced training of ``net`` (a validated Network)."""
    steps = []
    weights, biases = [None, *net.weights], [None, *net.biases]
    state = None
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for t in range(1, net.iterations + 1):
            step = Step()
            step.weights, step.biases = weights, biases
            try:
                _forward(net, step)
                _backward(net, step)
                state = _update(net, step, state, t)
            except FloatingPointError:
                step.loss = math.inf
            if not math.isfinite(step.loss) or not _finite(step):
                key = "learning_rate" if t > 1 else "weights"
                raise SpecError(key, f"the values overflow float64 in iteration {t}; use smaller numbers "
                                     "or a smaller learning rate")
            steps.append(step)
            weights, biases = step.weights_new, step.biases_new
    return steps
