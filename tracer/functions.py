"""Numeric primitives of the engine: activations, losses and their derivatives, by name.

The arithmetic itself lives in the registries (:mod:`tracer.activations`,
:mod:`tracer.losses`); these functions dispatch to them. Every function works on float64 numpy
arrays whose last axis is the units of a layer, so the same code serves one sample (shape
``(n,)``) and a batch (shape ``(samples, n)``). All of them are numerically stable for |z| up to
1e3 and beyond: the sigmoid never exponentiates more than 709, softmax subtracts the row maximum,
and logarithms see ŷ clipped to [1e-12, 1 − 1e-12].
"""

import numpy as np

from tracer import activations as _activations
from tracer import losses as _losses
from tracer.activations import ACTIVATIONS, softmax_backward  # noqa: F401 (re-exported)
from tracer.losses import CLIP, LOSSES  # noqa: F401 (re-exported)


def activate(name: str, z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """Apply activation ``name`` to the pre-activations ``z`` (softmax along the last axis)."""
    return _activations.get(name).forward(np.asarray(z, dtype=np.float64), slope)


def activation_derivative(name: str, z: np.ndarray, a: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """Return f'(z) elementwise, using the activation ``a`` = f(z) where that is the stable form.

    ReLU has f'(0) = 0 and leaky ReLU f'(0) = slope (SPEC §2). Softmax has no elementwise
    derivative; use :func:`softmax_backward` for its Jacobian product.
    """
    activation = _activations.get(name)
    if activation.derivative is None:
        raise ValueError(f"{name} has no elementwise derivative; use its backward product")
    return activation.derivative(z, a, slope)


def loss_value(name: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the loss of each sample (the last axis, the outputs, is reduced)."""
    return _losses.get(name).value(yhat, y)


def loss_factor(name: str, n_outputs: int) -> float | None:
    """Return c in ∂L/∂ŷ = c(ŷ − y): 2/n for mse, 1 for half_sse, 2 for sse; None otherwise."""
    factor = _losses.get(name).factor
    return None if factor is None else factor(n_outputs)


def loss_gradient(name: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return ∂L/∂ŷ of each sample's own loss, elementwise over the outputs."""
    loss = _losses.get(name)
    if loss.factor is None:
        return loss.gradient(yhat, y)
    c = loss.factor(yhat.shape[-1])
    if c == 1.0:
        return yhat - y  # multiplying by 1.0 changes no bit; skip the pass
    return c * (yhat - y)


def fused_delta(loss: str, activation: str, yhat: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Return the output δ = ∂L/∂z for the pairs whose product simplifies, else None.

    sigmoid + bce gives (ŷ − y)/n; softmax + cross_entropy gives ŷ − y (targets sum to 1).
    """
    found = _losses.get(loss)
    if found.fused != activation:
        return None
    return found.fused_delta(yhat, y)
