"""The loss registry: one :class:`Loss` per name, its value, gradient, factor, fused pair and
formulas, defined once.

A loss whose gradient is c(ŷ − y) gives ``factor(n)`` = c (mse 2/n, half_sse 1, sse 2); the
others give a ``gradient`` of their own. A loss ``fused`` with an activation (bce with sigmoid,
cross_entropy with softmax) needs that output activation, and its output δ = ∂L/∂z simplifies to
``fused_delta`` (the engine writes no dL_da row there). LaTeX templates: ``term`` has ``{p}``
(ŷ) and ``{t}`` (y), ``left``/``right`` wrap the sum of terms and may use ``{n}`` (the outputs);
``factor_latex`` is c in front of (ŷ − y) of the output dL_da, ``fused_factor_latex`` the same of
the fused δ. ``text``/``gradient_text`` are plain text for grading's feedback (``{yhat}``,
``{y}``, ``{z}``, ``{n}``).
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from tracer.activations import Names, changed

CLIP = 1e-12


@dataclass(frozen=True)
class Loss:
    """One loss function and every fact about it (see the module docstring)."""

    name: str
    value: Callable                   # (ŷ, y) -> each sample's loss (last axis reduced)
    term: str
    left: str
    right: str
    factor: Callable | None = None    # n -> c in ∂L/∂ŷ = c(ŷ − y); None for other forms
    gradient: Callable | None = None  # (ŷ, y) -> ∂L/∂ŷ when there is no factor
    factor_latex: str | None = None
    fused: str | None = None          # the activation this loss requires and fuses with
    fused_delta: Callable | None = None  # (ŷ, y) -> δ = ∂L/∂z of the fused pair
    fused_factor_latex: str = ""
    text: str | None = None
    gradient_text: str = ""
    probabilities: bool = False       # targets lie in [0, 1]
    distribution: bool = False        # each sample's targets sum to 1


_REGISTRY: dict[str, Loss] = {}


def register(loss: Loss) -> Loss:
    """Add ``loss`` to the registry (replacing one of the same name); return it."""
    if (loss.factor is None) == (loss.gradient is None):
        raise ValueError(f"loss {loss.name!r} needs exactly one of a factor or a gradient")
    if (loss.fused is None) != (loss.fused_delta is None):
        raise ValueError(f"loss {loss.name!r}: a fused activation needs its fused δ, and back")
    _REGISTRY[loss.name] = loss
    changed()
    return loss


def unregister(name: str) -> None:
    """Remove loss ``name`` (a test's toy loss) from the registry."""
    _REGISTRY.pop(name, None)
    changed()


def get(name: str) -> Loss:
    """The registered loss ``name``; ValueError naming it when there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}") from None


def names() -> tuple[str, ...]:
    """The registered losses' names, in registration order."""
    return tuple(_REGISTRY)


def fused_pairs() -> tuple[tuple[str, str], ...]:
    """The (activation, loss) pairs whose output δ the engine fuses."""
    return tuple((loss.fused, loss.name) for loss in _REGISTRY.values() if loss.fused)


def is_fused(activation: str, loss: str) -> bool:
    """Whether the output δ of ``activation`` with ``loss`` is the fused one."""
    found = _REGISTRY.get(loss)
    return found is not None and found.fused == activation


LOSSES = Names(_REGISTRY)


def clipped(yhat):
    """ŷ clipped to [1e-12, 1 − 1e-12], so that logarithms and quotients stay finite."""
    return np.clip(yhat, CLIP, 1.0 - CLIP)


def _bce(yhat, y):
    p = clipped(yhat)
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), axis=-1)


def _bce_gradient(yhat, y):
    p = clipped(yhat)
    return (p - y) / (p * (1.0 - p)) / yhat.shape[-1]


SQUARE = "({t} - {p})^2"

register(Loss(
    "mse", lambda yhat, y: np.add.reduce((d := yhat - y) * d, axis=-1) / d.shape[-1],
    SQUARE, "\\frac{{1}}{{{n}}}\\left[", "\\right]", factor=lambda n: 2.0 / n,
    factor_latex="\\frac{{2}}{{{n}}}", text="MSE", gradient_text="∂L/∂{yhat} = (2/{n})·({yhat} − {y})"))
register(Loss(
    "half_sse", lambda yhat, y: 0.5 * np.sum((d := yhat - y) * d, axis=-1),
    SQUARE, "\\frac{{1}}{{2}}\\left[", "\\right]", factor=lambda n: 1.0, factor_latex="",
    text="½Σ(ŷ − y)²", gradient_text="∂L/∂{yhat} = ({yhat} − {y})"))
register(Loss(
    "sse", lambda yhat, y: np.sum((d := yhat - y) * d, axis=-1),
    SQUARE, "", "", factor=lambda n: 2.0, factor_latex="2",
    text="Σ(ŷ − y)²", gradient_text="∂L/∂{yhat} = 2·({yhat} − {y})"))
register(Loss(
    "bce", _bce, "{t} \\ln {p} + (1 - {t}) \\ln(1 - {p})", "-\\frac{{1}}{{{n}}}\\left[", "\\right]",
    gradient=_bce_gradient, fused="sigmoid", fused_delta=lambda yhat, y: (yhat - y) / yhat.shape[-1],
    fused_factor_latex="\\frac{{1}}{{{n}}}", gradient_text="∂L/∂{z} = ({yhat} − {y})/{n}",
    probabilities=True))
register(Loss(
    "cross_entropy", lambda yhat, y: -np.sum(y * np.log(clipped(yhat)), axis=-1),
    "{t} \\ln {p}", "-\\left(", "\\right)", gradient=lambda yhat, y: -y / clipped(yhat),
    fused="softmax", fused_delta=lambda yhat, y: yhat - y, gradient_text="∂L/∂{z} = {yhat} − {y}",
    probabilities=True, distribution=True))
