"""No overflow or invalid-value warning (pytest turns warnings into errors) for |z| up to 1e3."""

import math

import pytest

from tracer import trace

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
PAIRS = [(act, loss) for act in ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
         for loss in ("mse", "half_sse", "sse")] + [("sigmoid", "bce"), ("softmax", "cross_entropy")]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss", PAIRS)
def test_extreme_pre_activations_give_finite_values_without_warnings(hidden, output, loss):
    # Hidden z = ±1000; output weights of ±1000 push the output z far out as well.
    spec = {
        "layers": [1, 2, 2], "activations": [hidden, output], "loss": loss,
        "weights": [[[1000.0], [-1000.0]], [[1.0, -1.0], [-1.0, 1.0]]],
        "biases": [[0.0, 0.0], [0.0, 0.0]], "inputs": [1.0],
        "targets": [1.0, 0.0] if loss == "cross_entropy" else [0.0, 1.0], "learning_rate": 0.1,
        "optimizer": "adam", "iterations": 2,
    }
    if hidden in ("sigmoid", "tanh"):
        spec["weights"][1] = [[1000.0, -1000.0], [-1000.0, 1000.0]]
    result = trace(spec)
    for row in result.rows():
        assert math.isfinite(row["value"]), row
    z = [row["value"] for row in result.rows() if row["quantity"] == "z"]
    assert max(abs(v) for v in z) >= 1000.0
