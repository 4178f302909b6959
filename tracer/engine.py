"""The arithmetic of a trace: forward pass, loss, backward pass and update, one layer at a time.

Nothing here knows about rows, symbols or formulas: each iteration keeps the numpy arrays it
computed in a :class:`Step`, and the rows are read from them later. Lists indexed by layer hold
``None`` at index 0 so that ``z[l]`` is the layer-l value, as in SPEC §2.
"""

import math

import numpy as np

from tracer import activations as A
from tracer import functions as F
from tracer.checks import SpecError

LARGE = 4096  # parameters from which matrix products are checked for overflow explicitly


class Step:
    """Every number of one training iteration.

    Per-sample arrays have shape (samples, units); gradients and optimizer state are already
    reduced over the batch. ``state`` maps ``velocity`` or ``m``/``v`` to a pair of per-layer
    lists (weights, biases), each holding the value after this iteration's update. ``delta`` is
    in the spec's ``delta_convention`` (∂L/∂z or −∂L/∂z); everything else is the same in both.

    With dropout, ``a`` of a hidden layer is the kept activation r·f(z)/p, ``activated`` holds
    f(z) itself (None in layers without dropout), and ``da_dz`` is ∂a/∂z = r·f'(z)/p, so a dropped
    unit's δ is 0. ``loss`` includes the weight-decay ``penalty`` (λ/2)·Σw² (0 without it).
    """

    __slots__ = ("weights", "biases", "z", "a", "activated", "losses", "penalty", "loss", "dL_da",
                 "da_dz", "delta", "dL_dw", "dL_db", "state", "weights_new", "biases_new")


def _forward(net, step):
    a = [net.inputs]
    z = [None]
    activated = [None] * len(net.sizes)
    slope = net.slope
    for l, name in enumerate(net.activations, 1):
        zl = np.dot(a[l - 1], step.weights[l].T)  # np.dot: less call overhead than @
        if net.bias == "per_unit":
            # As a (1, n) row: one sample's z then needs no broadcasting, whose setup costs
            # numpy more than the addition itself on a small layer.
            zl += step.biases[l].reshape(1, -1)
        elif net.bias == "shared":
            zl += step.biases[l]
        z.append(zl)
        al = F.activate(name, zl, slope)
        if net.keep is not None and l < len(net.activations):
            # Inverted dropout: a = r·f(z)/p; + 0.0 records a dropped negative f(z) as 0.0, not −0.0.
            activated[l] = al
            al = net.masks[l - 1] * al / net.keep[l - 1] + 0.0
        a.append(al)
    step.z, step.a, step.activated = z, a, activated
    step.losses = losses = F.loss_value(net.loss, a[-1], net.targets)
    count = len(losses)
    if count == 1:
        step.loss = float(losses[0])
    else:
        step.loss = float(losses.sum() / count if net.reduction == "mean" else losses.sum())
    step.penalty = 0.0
    if net.weight_decay:
        squares = sum(float(np.dot(w.ravel(), w.ravel())) for w in step.weights[1:])
        step.penalty = 0.5 * net.weight_decay * squares
        step.loss += step.penalty


def _backward(net, step):
    depth = len(net.activations)
    dL_da, da_dz, delta = [None] * (depth + 1), [None] * (depth + 1), [None] * (depth + 1)
    dL_dw, dL_db = [None] * (depth + 1), [None] * (depth + 1)
    z, a, slope = step.z, step.a, net.slope
    count = len(net.inputs)
    for l in range(depth, 0, -1):
        name = net.activations[l - 1]
        activation = A.get(name)
        if l == depth:
            fused = F.fused_delta(net.loss, name, a[l], net.targets)
            if fused is None:
                dL_da[l] = F.loss_gradient(net.loss, a[l], net.targets)
        else:
            dL_da[l] = np.dot(delta[l + 1], step.weights[l + 1])
        if activation.elementwise:
            if step.activated[l] is None:
                da_dz[l] = F.activation_derivative(name, z[l], a[l], slope)
            else:  # ∂a/∂z of a = r·f(z)/p: f' at the activation before dropout, times r/p
                derivative = F.activation_derivative(name, z[l], step.activated[l], slope)
                da_dz[l] = net.masks[l - 1] * derivative / net.keep[l - 1] + 0.0
        if l == depth and fused is not None:
            delta[l] = fused
        elif not activation.elementwise:  # softmax: its Jacobian product
            delta[l] = activation.backward(a[l], dL_da[l])
        else:
            delta[l] = dL_da[l] * da_dz[l]
            if step.activated[l] is not None:
                delta[l] += 0.0  # a dropped unit's δ is 0.0, not −0.0
        grad = np.dot(delta[l].T, a[l - 1])
        if net.bias == "per_unit":
            # One sample's sum is the sample itself: skip the reduction, same bits.
            bias_grad = delta[l][0] if count == 1 else delta[l].sum(axis=0)
        elif net.bias == "shared":
            bias_grad = float(delta[l].sum())
        else:
            bias_grad = None
        if net.reduction == "mean" and count > 1:
            grad /= count
            bias_grad = None if bias_grad is None else bias_grad / count
        if net.weight_decay:
            grad = grad + net.weight_decay * step.weights[l]  # ∂/∂w of (λ/2)·Σw²; never biases
        dL_dw[l], dL_db[l] = grad, bias_grad
    if net.delta_convention == "negative":
        # δ = −∂L/∂z is recorded; the recursion and the gradients above ran on ∂L/∂z, and
        # negation is exact, so each value is bit for bit what the textbook recursion gives.
        # 0.0 − δ rather than −δ: a zero δ (an inactive ReLU unit) is recorded as 0.0, never −0.0.
        delta = [None, *(0.0 - d for d in delta[1:])]
    step.dL_da, step.da_dz, step.delta, step.dL_dw, step.dL_db = dL_da, da_dz, delta, dL_dw, dL_db


def _sgd(opt, lr, t, params, grads, old):
    return [p - lr * g for p, g in zip(params, grads)], {}


def _momentum(opt, lr, t, params, grads, old):
    mu = opt["momentum"]
    velocity = grads if old is None else [mu * v + g for v, g in zip(old["velocity"], grads)]
    return [p - lr * v for p, v in zip(params, velocity)], {"velocity": velocity}


def _adam(opt, lr, t, params, grads, old):
    b1, b2, eps = opt["beta1"], opt["beta2"], opt["eps"]
    if old is None:
        m = [(1.0 - b1) * g for g in grads]
        v = [(1.0 - b2) * (g * g) for g in grads]
    else:
        m = [b1 * m + (1.0 - b1) * g for m, g in zip(old["m"], grads)]
        v = [b2 * v + (1.0 - b2) * (g * g) for v, g in zip(old["v"], grads)]
    c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
    new = [p - lr * (mi / c1) / (np.sqrt(vi / c2) + eps) for p, mi, vi in zip(params, m, v)]
    return new, {"m": m, "v": v}


OPTIMIZERS = {"sgd": _sgd, "momentum": _momentum, "adam": _adam}


def _update(net, step, previous, t):
    """Apply the optimizer to the weights and (when updated) biases; return the new state.

    The state is kept as flat lists (weights of layers 1..L, then the updated biases) and
    exposed on the step per layer, as ``state[name] = (weights, biases)`` with None at index 0.
    """
    depth = len(step.weights) - 1
    update_biases = net.update_biases and net.bias != "none"
    params, grads = step.weights[1:], step.dL_dw[1:]
    if update_biases:
        params, grads = params + step.biases[1:], grads + step.dL_db[1:]
    new, state = OPTIMIZERS[net.optimizer["name"]](net.optimizer, net.learning_rate, t, params, grads, previous)
    step.weights_new = [None, *new[:depth]]
    step.biases_new = [None, *new[depth:]] if update_biases else step.biases
    empty = [None] * depth
    step.state = {name: ([None, *values[:depth]], [None, *(values[depth:] or empty)])
                  for name, values in state.items()}
    return state


def _finite(step):
    # An overflow hidden in a product shows as inf in z (forward) or in dL_dw (backward: the
    # hidden dL_da flows into δ and then into dL_dw); a sum is one pass over each.
    return all(np.isfinite(np.add.reduce(values, axis=None)) for values in (*step.z[1:], *step.dL_dw[1:]))


def run(net) -> list[Step]:
    """Compute every iteration of the traced training of ``net`` (a validated Network).

    Any overflow raises a SpecError: numpy reports it as a floating-point error, except inside
    large matrix products, which BLAS runs on worker threads whose flags numpy cannot see; for
    those networks the products are checked explicitly (a cost small next to the products).
    """
    steps = []
    weights, biases = [None, *net.weights], [None, *net.biases]
    state = None
    large = net.parameters >= LARGE
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for t in range(1, net.iterations + 1):
            step = Step()
            step.weights, step.biases = weights, biases
            try:
                _forward(net, step)
                _backward(net, step)
                state = _update(net, step, state, t)
                finite = math.isfinite(step.loss) and (not large or _finite(step))
            except FloatingPointError:
                finite = False
            if not finite:
                _overflow(t)
            steps.append(step)
            weights, biases = step.weights_new, step.biases_new
    return steps


def _overflow(t):
    key = "learning_rate" if t > 1 else "weights"
    raise SpecError(key, "the values overflow float64 in iteration %(t)s; use smaller numbers "
                         "or a smaller learning rate", t=str(t))
