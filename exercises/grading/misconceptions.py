"""The misconceptions of SPEC §6: where each one can occur in a network, and its variants.

Each id's *targets* are the keys whose own formula the mistake changes (for ``missing_bias``
the pre-activations, for ``target_minus_output`` the output ∂L/∂ŷ …). A mistake *applies* to a
field when a target lies in the field's formula expanded down to asked fields and given values;
values further downstream only inherit the error, which grading calls carried.
"""
import math
from functools import lru_cache

import numpy as np

from tracer.functions import loss_factor

MISCONCEPTIONS = (
    "updated_weights_in_backprop",
    "missing_activation_derivative",
    "derivative_of_activation_output",
    "target_minus_output",
    "gradient_ascent",
    "missing_learning_rate",
    "loss_scale",
    "pre_activation_as_input",
    "swapped_weight_indices",
    "missing_bias",
    "partial_sum",
    "bias_not_updated",
)

# Mistakes that change only updated parameters, which nothing downstream reads.
UPDATE_MISTAKES = ("gradient_ascent", "missing_learning_rate", "bias_not_updated")


def loss_scales(net) -> list[float]:
    """The factors c ∈ {½, 1, 2, 1/n, 2/n} a student might use other than the loss's own."""
    own = loss_factor(net.loss, net.sizes[-1])
    if own is None:
        return []
    n = net.sizes[-1]
    scales = []
    for c in (0.5, 1.0, 2.0, 1.0 / n, 2.0 / n):
        if not any(math.isclose(c, seen) for seen in (own, *scales)):
            scales.append(c)
    return scales


def _partial_layers(net):
    # Hidden layers whose units feed at least two downstream units.
    return [l for l in range(1, net.depth) if net.sizes[l + 1] >= 2]


def variants(net, mistake: str) -> list:
    """Return the parameters to try for ``mistake`` in ``net``; empty where it cannot occur."""
    if mistake == "loss_scale":
        return loss_scales(net)
    if mistake == "partial_sum":
        layers = _partial_layers(net)
        return list(range(1, max(net.sizes[l + 1] for l in layers) + 1)) if layers else []
    possible = {
        "updated_weights_in_backprop": net.depth >= 2,
        "missing_activation_derivative": any(name not in ("linear", "softmax") for name in net.activations[1:]),
        "derivative_of_activation_output": any(name in ("sigmoid", "tanh") for name in net.activations[1:]),
        "target_minus_output": True,
        "gradient_ascent": True,
        "missing_learning_rate": net.eta != 1.0,
        "pre_activation_as_input": net.depth >= 2,
        "swapped_weight_indices": any(net.is_square(l) for l in range(1, net.depth + 1)),
        "missing_bias": net.bias != "none",
        "bias_not_updated": net.update_biases,
    }
    if mistake not in possible:
        raise ValueError(f"unknown misconception {mistake!r}")
    return [None] if possible[mistake] else []


@lru_cache(maxsize=256)
def catalogue(net) -> tuple[tuple[str, float | None, frozenset[str]], ...]:
    """Every (mistake, param, targets) that can occur in ``net``, in contract order."""
    return tuple((mistake, param, targets(net, mistake, param))
                 for mistake in MISCONCEPTIONS for param in variants(net, mistake))


def check_mistake(net, mistake: str | None, param) -> None:
    """Raise ValueError unless ``mistake`` with ``param`` can occur in ``net`` (None: no mistake)."""
    if mistake is None:
        if param is not None:
            raise ValueError("param needs a mistake")
        return
    options = variants(net, mistake)
    if not options:
        raise ValueError(f"{mistake} cannot occur in this network")
    if mistake == "loss_scale":
        if isinstance(param, bool) or not isinstance(param, (int, float)) or not param > 0:
            raise ValueError("loss_scale needs param c > 0, the factor in c(ŷ − y)")
    elif mistake == "partial_sum":
        if param not in options:
            raise ValueError(f"partial_sum needs param k, a downstream unit from 1 to {options[-1]}")
    elif param is not None:
        raise ValueError(f"{mistake} takes no param")


def mistaken_update(mistake: str, kind: str, theta: np.ndarray, new: np.ndarray, eta: float) -> np.ndarray:
    """Return the update a student with ``mistake`` writes, given the correct update ``new``.

    ``kind`` is "w" or "b". Mistakes that are not about updates return ``new`` unchanged.
    """
    if mistake == "gradient_ascent":
        return theta + (theta - new)
    if mistake == "missing_learning_rate":
        return theta - (theta - new) / eta
    if mistake == "bias_not_updated" and kind == "b":
        return np.array(theta, dtype=np.float64)
    return new


def targets(net, mistake: str, param=None) -> frozenset[str]:
    """Return the keys whose own formula ``mistake`` (with ``param``) changes in ``net``."""
    keys = []
    layers = range(1, net.depth + 1)
    output = net.depth
    if mistake == "updated_weights_in_backprop":
        keys += [k for l in range(1, output) for k in net.keys("dL_da", l)]
    elif mistake == "missing_activation_derivative":
        keys += [k for l in layers if net.activations[l] not in ("linear", "softmax") for k in net.keys("delta", l)]
    elif mistake == "derivative_of_activation_output":
        keys += [k for l in layers if net.activations[l] in ("sigmoid", "tanh") for k in net.keys("da_dz", l)]
        if net.fused and net.activations[output] == "sigmoid":
            keys += net.keys("delta", output)  # the fused δ = (ŷ − y)/n never reads da_dz
    elif mistake == "target_minus_output":
        keys += net.keys("delta" if net.fused else "dL_da", output)
    elif mistake in ("gradient_ascent", "missing_learning_rate", "bias_not_updated"):
        groups = ("b_new",) if mistake == "bias_not_updated" else ("w_new", "b_new") if net.update_biases else ("w_new",)
        keys += [k for l in layers for group in groups for k in net.keys(group, l)]
    elif mistake == "loss_scale":
        keys += net.keys("dL_da", output)
    elif mistake == "pre_activation_as_input":
        keys += [k for l in range(2, output + 1) for k in net.keys("dL_dw", l)]
    elif mistake == "swapped_weight_indices":
        for l in (l for l in layers if net.is_square(l)):
            keys += [*net.keys("z", l), *net.keys("w_new", l), *(net.keys("dL_da", l - 1) if l > 1 else ())]
    elif mistake == "missing_bias":
        keys += [k for l in layers for k in net.keys("z", l)]
    elif mistake == "partial_sum":
        keys += [k for l in _partial_layers(net) if param <= net.sizes[l + 1] for k in net.keys("dL_da", l)]
    else:
        raise ValueError(f"unknown misconception {mistake!r}")
    return frozenset(keys)
