"""Every gradient of the trace against finite differences of an independent forward pass.

All valid activation × loss × bias mode × reduction combinations are covered, each on networks
with one, two and three hidden layers and with batches. Test points keep every ReLU and leaky
ReLU unit at |z| ≥ 0.05, away from the kink. Agreement: relative error below 1e-6 (for values
under 1e-6 the error is measured against 1e-6, i.e. below 1e-12 absolute).
"""

import itertools

import numpy as np
import pytest

from tracer import SpecError, trace
from tracer.functions import ACTIVATIONS

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUTS = [(act, loss) for act in ACTIVATIONS for loss in ("mse", "half_sse", "sse")]
OUTPUTS += [("sigmoid", "bce"), ("softmax", "cross_entropy")]
COMBINATIONS = list(itertools.product(HIDDEN, OUTPUTS, ("per_unit", "shared", "none"), ("mean", "sum")))
# (layer sizes, samples): one, two and three hidden layers, with and without a batch.
SHAPES = (([2, 3, 3], 3), ([3, 3, 2, 3], 1), ([2, 3, 2, 3, 2], 2))


@pytest.mark.parametrize("hidden, output, bias, reduction", COMBINATIONS,
                         ids=[f"{h}-{o[0]}-{o[1]}-{b}-{r}" for h, o, b, r in COMBINATIONS])
def test_gradients_match_finite_differences(ref, hidden, output, bias, reduction):
    rng = np.random.default_rng(COMBINATIONS.index((hidden, output, bias, reduction)))
    for sizes, count in SHAPES:
        spec = ref.random_spec(rng, sizes, count, hidden, output[0], output[1], bias, reduction)
        table = ref.collect(trace(spec))
        expected_loss = ref.reference_loss(spec, spec["weights"], ref.bias_arrays(spec))[0]
        assert ref.close(table[(1, None, "loss", None, None, None)], expected_loss, rel=1e-12)
        ref.check_parameter_gradients(spec, table)
        ref.check_signal_gradients(spec, table)


def test_second_iteration_gradients_are_taken_at_the_updated_parameters(ref):
    rng = np.random.default_rng(7)
    spec = ref.random_spec(rng, [2, 3, 2], 2, "tanh", "sigmoid", "mse", "per_unit", "mean")
    spec["iterations"] = 2
    table = ref.collect(trace(spec))
    moved = dict(spec)
    moved["weights"] = [[[table[(1, None, "w_new", l, j, k)] for k in range(1, m + 1)] for j in range(1, n + 1)]
                        for l, (m, n) in enumerate(zip(spec["layers"], spec["layers"][1:]), 1)]
    moved["biases"] = [[table[(1, None, "b_new", l, j, None)] for j in range(1, n + 1)]
                       for l, n in enumerate(spec["layers"][1:], 1)]
    second = {(1, *key[1:]): value for key, value in table.items() if key[0] == 2}
    ref.check_parameter_gradients(moved, second)


INVALID = [(act, "bce") for act in ACTIVATIONS if act != "sigmoid"]
INVALID += [(act, "cross_entropy") for act in ACTIVATIONS if act != "softmax"]


@pytest.mark.parametrize("output, loss", INVALID)
def test_loss_that_does_not_fit_the_output_activation_is_rejected(ref, output, loss):
    spec = ref.random_spec(np.random.default_rng(0), [2, 3, 2], 1, "sigmoid", "sigmoid", "mse", "per_unit", "mean")
    spec.update(activations=["sigmoid", output], loss=loss, targets=[[0.5, 0.5]])
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "loss"


@pytest.mark.parametrize("loss", ["mse", "half_sse", "sse", "bce", "cross_entropy"])
def test_softmax_before_the_output_layer_is_rejected(ref, loss):
    spec = ref.random_spec(np.random.default_rng(0), [2, 3, 2], 1, "sigmoid", "sigmoid", "mse", "per_unit", "mean")
    spec.update(activations=["softmax", "softmax" if loss == "cross_entropy" else "sigmoid"], loss=loss,
                targets=[[0.5, 0.5]])
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "activations[0]"
    assert "softmax" in str(error.value)
