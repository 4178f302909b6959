"""Helpers for the tracer tests, offered as the ``ref`` fixture (tests import with importlib mode).

They hold the seed post's network and an independent reference forward pass written from the
textbook definitions with plain numpy, without tracer code, so that comparing the engine with
it (through finite differences) can fail.
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


@pytest.fixture(scope="session")
def ref():
    """This module: the seed spec, the reference math and the comparison helpers."""
    return sys.modules[__name__]
