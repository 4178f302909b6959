"""Numeric primitives of the engine: activations, losses and their derivatives.

Every function works on float64 numpy arrays whose last axis is the units of a layer, so the
same code serves one sample (shape ``(n,)``) and a batch (shape ``(samples, n)``). All of them
are numerically stable for |z| up to 1e3 and beyond: the sigmoid never exponentiates more than
709, softmax subtracts the row maximum, and logarithms see ŷ clipped to [1e-12, 1 − 1e-12].
"""

import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
LOSSES = ("mse", "half_sse", "sse", "bce", "cross_entropy")

CLIP = 1e-12


def _constant(value: float) -> np.ndarray:
    """``value`` as a read-only 0-d float64 array: the same arithmetic as the float, but numpy
    takes it as an array and skips the conversion it does for a Python scalar on every call,
    a large part of an operation's cost on a tiny layer."""
    array = np.array(value, dtype=np.float64)
    array.flags.writeable = False
    return array


ONE, EXP_FLOOR = _constant(1.0), _constant(-709.0)


def _sigmoid(z, slope):
    # 1/(1 + e^−z) keeps full relative precision on both sides; clipping z at −709 only keeps
    # e^−z finite (σ(−709) ≈ 1.2e−308, so below that the result is off by less than 1e−307).
    return ONE / (ONE + np.exp(-np.maximum(z, EXP_FLOOR)))


def _tanh(z, slope):
    return np.tanh(z)


def _relu(z, slope):
    return np.where(z > 0, z, 0.0)


def _leaky_relu(z, slope):
    return np.where(z > 0, z, slope * z)


def _linear(z, slope):
    return np.array(z, dtype=np.float64)


def _softmax(z, slope):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


_ACTIVATE = {
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "linear": _linear,
    "softmax": _softmax,
}


def activate(name: str, z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """Apply activation ``name`` to the pre-activations ``z`` (softmax along the last axis)."""
    if name not in _ACTIVATE:
        raise ValueError(f"unknown activation {name!r}")
    return _ACTIVATE[name](np.asarray(z, dtype=np.float64), slope)


def activation_derivative(name: str, z: np.ndarray, a: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """Return f'(z) elementwise, using the activation ``a`` = f(z) where that is the stable form.

    ReLU has f'(0) = 0 and leaky ReLU f'(0) = slope (SPEC §2). Softmax has no elementwise
    derivative; use :func:`softmax_backward` for its Jacobian product.
    """
    if name == "sigmoid":
        return a * (ONE - a)
    if name == "tanh":
        return ONE - a * a
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, slope)
    if name == "linear":
        return np.ones_like(np.asarray(z, dtype=np.float64))
    if name == "softmax":
        raise ValueError("softmax has no elementwise derivative; use softmax_backward")
    raise ValueError(f"unknown activation {name!r}")


def softmax_backward(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Return Jᵀg for softmax outputs ``a`` and upstream gradient ``g``: a ⊙ (g − Σ g⊙a)."""
    return a * (g - np.sum(g * a, axis=-1, keepdims=True))


def _clipped(yhat):
    return np.clip(yhat, CLIP, 1.0 - CLIP)


def loss_value(name: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the loss of each sample (the last axis, the outputs, is reduced)."""
    d = yhat - y
    if name == "mse":
        return np.add.reduce(d * d, axis=-1) / d.shape[-1]
    if name == "half_sse":
        return 0.5 * np.sum(d * d, axis=-1)
    if name == "sse":
        return np.sum(d * d, axis=-1)
    if name == "bce":
        p = _clipped(yhat)
        return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), axis=-1)
    if name == "cross_entropy":
        return -np.sum(y * np.log(_clipped(yhat)), axis=-1)
    raise ValueError(f"unknown loss {name!r}")


def loss_factor(name: str, n_outputs: int) -> float | None:
    """Return c in ∂L/∂ŷ = c(ŷ − y): 2/n for mse, 1 for half_sse, 2 for sse; None otherwise."""
    if name == "mse":
        return 2.0 / n_outputs
    if name == "half_sse":
        return 1.0
    if name == "sse":
        return 2.0
    if name in LOSSES:
        return None
    raise ValueError(f"unknown loss {name!r}")


def loss_gradient(name: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return ∂L/∂ŷ of each sample's own loss, elementwise over the outputs."""
    n = yhat.shape[-1]
    c = loss_factor(name, n)
    if c == 1.0:
        return yhat - y  # multiplying by 1.0 changes no bit; skip the pass
    if c is not None:
        return c * (yhat - y)
    p = _clipped(yhat)
    if name == "bce":
        return (p - y) / (p * (1.0 - p)) / n
    return -y / p


def fused_delta(loss: str, activation: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Return the output δ = ∂L/∂z for the pairs whose product simplifies, else None.

    sigmoid + bce gives (ŷ − y)/n; softmax + cross_entropy gives ŷ − y (targets sum to 1).
    """
    if loss == "bce" and activation == "sigmoid":
        return (yhat - y) / yhat.shape[-1]
    if loss == "cross_entropy" and activation == "softmax":
        return yhat - y
    return None
