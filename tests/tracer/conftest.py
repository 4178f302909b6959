"""Helpers for the tracer tests, offered as the ``ref`` fixture (tests import with importlib mode).

They hold the seed post's network, an independent reference forward pass written from the
textbook definitions with plain numpy, without tracer code, so that comparing the engine with
it (through finite differences) can fail, random specs to compare on, and the comparisons.
"""

import copy
import math
import sys

import numpy as np
import pytest

SEED_SPEC = {
    "layers": [2, 2, 2],
    "activations": "sigmoid",
    "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]],
    "inputs": [0.50, -0.30],
    "targets": [0.20, 0.90],
    "learning_rate": 0.5,
}


def seed_spec(**changes):
    """A fresh copy of SPEC §3's example (the seed post's 2-2-2 network) with ``changes``."""
    spec = copy.deepcopy(SEED_SPEC)
    spec.update(changes)
    return spec


def collect(result):
    """Map (iteration, sample, quantity, layer, unit, source) to value for every row of a trace."""
    table = {}
    for _, t, sample, _, layer, unit, source, quantity, value in result.numeric_rows():
        table[(t, sample, quantity, layer, unit, source)] = value
    return table


def reference_activation(name, z, slope=0.01):
    """The activation from its definition (inputs kept moderate by the tests)."""
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    if name == "relu":
        return z * (z > 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if name == "linear":
        return z.copy()
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def reference_sample_losses(name, yhat, y):
    """Each sample's loss from SPEC §2's definitions."""
    n = y.shape[1]
    if name == "mse":
        return ((y - yhat) ** 2).sum(axis=1) / n
    if name == "half_sse":
        return 0.5 * ((y - yhat) ** 2).sum(axis=1)
    if name == "sse":
        return ((y - yhat) ** 2).sum(axis=1)
    if name == "bce":
        return -(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)).sum(axis=1) / n
    return -(y * np.log(yhat)).sum(axis=1)


def reference_forward(spec, weights, biases, start=None):
    """Pre-activations and activations of every layer; ``start`` = (layer, "z"|"a", values) overrides one."""
    a = np.array(spec["inputs"], dtype=float).reshape(-1, spec["layers"][0])
    activations = spec["activations"]
    zs, As = [None], [a]
    for l, (w, b) in enumerate(zip(weights, biases), 1):
        z = a @ np.array(w).T + (0.0 if b is None else np.asarray(b))
        if start and start[0] == l and start[1] == "z":
            z = start[2]
        a = reference_activation(activations[l - 1], z, spec.get("leaky_relu_slope", 0.01))
        if start and start[0] == l and start[1] == "a":
            a = start[2]
        zs.append(z)
        As.append(a)
    return zs, As


def reference_loss(spec, weights, biases, start=None):
    """The batch loss (with the spec's reduction) and each sample's loss."""
    _, As = reference_forward(spec, weights, biases, start)
    y = np.array(spec["targets"], dtype=float).reshape(As[-1].shape)
    losses = reference_sample_losses(spec["loss"], As[-1], y)
    batch = losses.mean() if spec.get("reduction", "mean") == "mean" else losses.sum()
    return batch, losses


def derivative(fn, x, h=1e-3):
    """Fourth-order central difference of ``fn`` at ``x`` (error O(h⁴), about 1e-13 here)."""
    return (fn(x - 2 * h) - 8 * fn(x - h) + 8 * fn(x + h) - fn(x + 2 * h)) / (12 * h)


def close(analytic, numeric, rel=1e-6, floor=1e-6):
    """Relative error below ``rel``; for values below ``floor`` the error is measured against it."""
    return abs(analytic - numeric) <= rel * max(abs(numeric), abs(analytic), floor)


def sigmoid(x):
    """σ(x) with math.exp, for closed forms worked by hand."""
    return 1.0 / (1.0 + math.exp(-x))


def random_targets(rng, loss, count, n):
    """Targets a loss accepts: in [0.05, 0.95] for bce, summing to 1 per sample for cross_entropy."""
    if loss == "cross_entropy":
        raw = rng.uniform(0.1, 1.0, (count, n))
        return (raw / raw.sum(axis=1, keepdims=True)).tolist()
    low, high = (0.05, 0.95) if loss == "bce" else (-0.5, 1.0)
    return rng.uniform(low, high, (count, n)).round(3).tolist()


def random_spec(rng, sizes, count, hidden, output, loss, bias, reduction):
    """A random spec whose ReLU-family units all have |z| ≥ 0.05 (away from the kink)."""
    activations = [hidden] * (len(sizes) - 2) + [output]
    while True:
        spec = {
            "layers": sizes, "activations": activations, "loss": loss, "bias": bias,
            "reduction": reduction, "learning_rate": 0.1, "leaky_relu_slope": 0.1,
            "weights": [rng.uniform(-1, 1, (n, m)).tolist() for m, n in zip(sizes, sizes[1:])],
            "inputs": rng.uniform(-1, 1, (count, sizes[0])).tolist(),
            "targets": random_targets(rng, loss, count, sizes[-1]),
        }
        if bias == "per_unit":
            spec["biases"] = [rng.uniform(-0.5, 0.5, n).tolist() for n in sizes[1:]]
        elif bias == "shared":
            spec["biases"] = rng.uniform(-0.5, 0.5, len(sizes) - 1).tolist()
        zs, _ = reference_forward(spec, spec["weights"], bias_arrays(spec))
        kinked = any(np.abs(z).min() < 0.05 for z, act in zip(zs[1:], activations) if "relu" in act)
        if not kinked:
            return spec


def bias_arrays(spec):
    """The spec's biases per layer as arrays (None for every layer when ``bias`` is none)."""
    if spec["bias"] == "none":
        return [None] * len(spec["weights"])
    return [np.array(b, dtype=float) for b in spec["biases"]]


def _perturbed(values, index, delta):
    changed = np.array(values, dtype=float)
    changed[index] += delta
    return changed


def check_parameter_gradients(spec, table):
    """dL_dw and dL_db of iteration 1 in ``table`` (see :func:`collect`) against finite differences."""
    weights, biases = [np.array(w) for w in spec["weights"]], bias_arrays(spec)
    for l, w in enumerate(weights, 1):
        for j, k in np.ndindex(w.shape):
            def loss_at(value, l=l, j=j, k=k):
                changed = list(weights)
                changed[l - 1] = _perturbed(w, (j, k), value - w[j, k])
                return reference_loss(spec, changed, biases)[0]
            numeric = derivative(loss_at, w[j, k])
            assert close(table[(1, None, "dL_dw", l, j + 1, k + 1)], numeric), (l, j, k)
        if spec["bias"] == "none":
            assert not any(key[2] == "dL_db" for key in table)
            continue
        for index in np.ndindex(biases[l - 1].shape):
            b = biases[l - 1]
            def loss_at(value, l=l, index=index, b=b):
                changed = list(biases)
                changed[l - 1] = _perturbed(b, index, value - b[index])
                return reference_loss(spec, weights, changed)[0]
            unit = index[0] + 1 if index else None
            assert close(table[(1, None, "dL_db", l, unit, None)], derivative(loss_at, b[index])), (l, index)


def check_signal_gradients(spec, table, delta_sign=1.0):
    """δ = delta_sign · ∂L_s/∂z, dL_da = ∂L_s/∂a (each sample's own loss) and da_dz = f'(z), by
    finite differences; ``delta_sign`` is −1 for δ = −∂L/∂z (delta_convention negative)."""
    weights, biases = [np.array(w) for w in spec["weights"]], bias_arrays(spec)
    zs, As = reference_forward(spec, weights, biases)
    slope = spec["leaky_relu_slope"]
    for l in range(1, len(weights) + 1):
        name = spec["activations"][l - 1]
        for s, j in np.ndindex(zs[l].shape):
            for kind, values, quantity, sign in (("z", zs[l], "delta", delta_sign), ("a", As[l], "dL_da", 1.0)):
                key = (1, s + 1, quantity, l, j + 1, None)
                if key not in table:
                    continue
                def loss_at(value, kind=kind, values=values, l=l, s=s, j=j):
                    start = (l, kind, _perturbed(values, (s, j), value - values[s, j]))
                    return reference_loss(spec, weights, biases, start)[1][s]
                assert close(table[key], sign * derivative(loss_at, values[s, j])), (quantity, l, s, j)
            if name != "softmax":
                numeric = derivative(lambda v: reference_activation(name, np.array(v), slope), zs[l][s, j])
                assert close(table[(1, s + 1, "da_dz", l, j + 1, None)], numeric), ("da_dz", l, s, j)


@pytest.fixture(scope="session")
def ref():
    """This module: the seed spec, the reference math and the comparison helpers."""
    return sys.modules[__name__]
