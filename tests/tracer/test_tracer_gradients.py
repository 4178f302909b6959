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


def _targets(rng, loss, count, n):
    if loss == "cross_entropy":
        raw = rng.uniform(0.1, 1.0, (count, n))
        return (raw / raw.sum(axis=1, keepdims=True)).tolist()
    low, high = (0.05, 0.95) if loss == "bce" else (-0.5, 1.0)
    return rng.uniform(low, high, (count, n)).round(3).tolist()


def random_spec(ref, rng, sizes, count, hidden, output, loss, bias, reduction):
    """A random spec whose ReLU-family units all have |z| ≥ 0.05."""
    activations = [hidden] * (len(sizes) - 2) + [output]
    while True:
        spec = {
            "layers": sizes, "activations": activations, "loss": loss, "bias": bias,
            "reduction": reduction, "learning_rate": 0.1, "leaky_relu_slope": 0.1,
            "weights": [rng.uniform(-1, 1, (n, m)).tolist() for m, n in zip(sizes, sizes[1:])],
            "inputs": rng.uniform(-1, 1, (count, sizes[0])).tolist(),
            "targets": _targets(rng, loss, count, sizes[-1]),
        }
        if bias == "per_unit":
            spec["biases"] = [rng.uniform(-0.5, 0.5, n).tolist() for n in sizes[1:]]
        elif bias == "shared":
            spec["biases"] = rng.uniform(-0.5, 0.5, len(sizes) - 1).tolist()
        zs, _ = ref.reference_forward(spec, spec["weights"], _bias_arrays(spec))
        kinked = any(np.abs(z).min() < 0.05 for z, act in zip(zs[1:], activations) if "relu" in act)
        if not kinked:
            return spec


def _bias_arrays(spec):
    if spec["bias"] == "none":
        return [None] * len(spec["weights"])
    return [np.array(b, dtype=float) for b in spec["biases"]]


def _perturbed(values, index, delta):
    changed = np.array(values, dtype=float)
    changed[index] += delta
    return changed


def check_parameter_gradients(ref, spec, table):
    weights, biases = [np.array(w) for w in spec["weights"]], _bias_arrays(spec)
    for l, w in enumerate(weights, 1):
        for j, k in np.ndindex(w.shape):
            def loss_at(value, l=l, j=j, k=k):
                changed = list(weights)
                changed[l - 1] = _perturbed(w, (j, k), value - w[j, k])
                return ref.reference_loss(spec, changed, biases)[0]
            numeric = ref.derivative(loss_at, w[j, k])
            assert ref.close(table[(1, None, "dL_dw", l, j + 1, k + 1)], numeric), (l, j, k)
        if spec["bias"] == "none":
            assert not any(key[2] == "dL_db" for key in table)
            continue
        for index in np.ndindex(biases[l - 1].shape):
            b = biases[l - 1]
            def loss_at(value, l=l, index=index, b=b):
                changed = list(biases)
                changed[l - 1] = _perturbed(b, index, value - b[index])
                return ref.reference_loss(spec, weights, changed)[0]
            unit = index[0] + 1 if index else None
            assert ref.close(table[(1, None, "dL_db", l, unit, None)], ref.derivative(loss_at, b[index])), (l, index)


def check_signal_gradients(ref, spec, table):
    """δ = ∂L_s/∂z, dL_da = ∂L_s/∂a (each sample's own loss) and da_dz = f'(z)."""
    weights, biases = [np.array(w) for w in spec["weights"]], _bias_arrays(spec)
    zs, As = ref.reference_forward(spec, weights, biases)
    slope = spec["leaky_relu_slope"]
    for l in range(1, len(weights) + 1):
        name = spec["activations"][l - 1]
        for s, j in np.ndindex(zs[l].shape):
            for kind, values, quantity in (("z", zs[l], "delta"), ("a", As[l], "dL_da")):
                key = (1, s + 1, quantity, l, j + 1, None)
                if key not in table:
                    continue
                def loss_at(value, kind=kind, values=values, l=l, s=s, j=j):
                    start = (l, kind, _perturbed(values, (s, j), value - values[s, j]))
                    return ref.reference_loss(spec, weights, biases, start)[1][s]
                assert ref.close(table[key], ref.derivative(loss_at, values[s, j])), (quantity, l, s, j)
            if name != "softmax":
                numeric = ref.derivative(lambda v: ref.reference_activation(name, np.array(v), slope), zs[l][s, j])
                assert ref.close(table[(1, s + 1, "da_dz", l, j + 1, None)], numeric), ("da_dz", l, s, j)


@pytest.mark.parametrize("hidden, output, bias, reduction", COMBINATIONS,
                         ids=[f"{h}-{o[0]}-{o[1]}-{b}-{r}" for h, o, b, r in COMBINATIONS])
def test_gradients_match_finite_differences(ref, hidden, output, bias, reduction):
    rng = np.random.default_rng(COMBINATIONS.index((hidden, output, bias, reduction)))
    for sizes, count in SHAPES:
        spec = random_spec(ref, rng, sizes, count, hidden, output[0], output[1], bias, reduction)
        table = ref.collect(trace(spec))
        expected_loss = ref.reference_loss(spec, spec["weights"], _bias_arrays(spec))[0]
        assert ref.close(table[(1, None, "loss", None, None, None)], expected_loss, rel=1e-12)
        check_parameter_gradients(ref, spec, table)
        check_signal_gradients(ref, spec, table)


def test_second_iteration_gradients_are_taken_at_the_updated_parameters(ref):
    rng = np.random.default_rng(7)
    spec = random_spec(ref, rng, [2, 3, 2], 2, "tanh", "sigmoid", "mse", "per_unit", "mean")
    spec["iterations"] = 2
    table = ref.collect(trace(spec))
    moved = dict(spec)
    moved["weights"] = [[[table[(1, None, "w_new", l, j, k)] for k in range(1, m + 1)] for j in range(1, n + 1)]
                        for l, (m, n) in enumerate(zip(spec["layers"], spec["layers"][1:]), 1)]
    moved["biases"] = [[table[(1, None, "b_new", l, j, None)] for j in range(1, n + 1)]
                       for l, n in enumerate(spec["layers"][1:], 1)]
    second = {(1, *key[1:]): value for key, value in table.items() if key[0] == 2}
    check_parameter_gradients(ref, moved, second)


INVALID = [(act, "bce") for act in ACTIVATIONS if act != "sigmoid"]
INVALID += [(act, "cross_entropy") for act in ACTIVATIONS if act != "softmax"]


@pytest.mark.parametrize("output, loss", INVALID)
def test_loss_that_does_not_fit_the_output_activation_is_rejected(ref, output, loss):
    spec = random_spec(ref, np.random.default_rng(0), [2, 3, 2], 1, "sigmoid", "sigmoid", "mse", "per_unit", "mean")
    spec.update(activations=["sigmoid", output], loss=loss, targets=[[0.5, 0.5]])
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "loss"


@pytest.mark.parametrize("loss", ["mse", "half_sse", "sse", "bce", "cross_entropy"])
def test_softmax_before_the_output_layer_is_rejected(ref, loss):
    spec = random_spec(ref, np.random.default_rng(0), [2, 3, 2], 1, "sigmoid", "sigmoid", "mse", "per_unit", "mean")
    spec.update(activations=["softmax", "softmax" if loss == "cross_entropy" else "sigmoid"], loss=loss,
                targets=[[0.5, 0.5]])
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "activations[0]"
    assert "softmax" in str(error.value)
