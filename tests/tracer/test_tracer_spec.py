"""Spec validation (SPEC §3): defaults, and one clear error naming the key for each bad spec."""

import math

import numpy as np
import pytest

from tracer import SpecError, normalize, trace
from tracer.spec import Network, compile_spec


def changed(ref, path, value):
    """The seed spec with the value at ``path`` (keys and indices) replaced; ``...`` deletes it."""
    spec = ref.seed_spec()
    target = spec
    for part in path[:-1]:
        target = target[part]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return spec


INVALID = [
    # (path, value, key, part of the message)
    (("weight",), 1, "weight", "is not a spec key"),
    (("",), 1, '""', "is not a spec key"),  # named even when the key is empty
    (("weights",), ..., "weights", "is required"),
    (("learning_rate",), ..., "learning_rate", "is required"),
    (("layers",), 3, "layers", "at least two layer sizes"),
    (("layers",), [2], "layers", "at least two layer sizes"),
    (("layers", 1), 0, "layers[1]", "positive integer"),
    (("layers", 1), True, "layers[1]", "positive integer"),
    (("layers", 1), 2.0, "layers[1]", "positive integer"),
    (("layers",), [4000, 3000, 2], "layers", "at most 10000000"),
    (("activations",), "swish", "activations[0]", "must be one of"),
    (("activations",), ["sigmoid"], "activations", "one per layer"),
    (("activations",), ["softmax", "sigmoid"], "activations[0]", "only in the output layer"),
    (("activations",), "softmax", "activations", "only in the output layer"),
    (("loss",), "hinge", "loss", "must be one of"),
    (("loss",), "cross_entropy", "loss", "needs softmax outputs"),
    (("bias",), "some", "bias", "per_unit, shared, none"),
    (("update_biases",), "yes", "update_biases", "true or false"),
    (("weights",), [[[0.1, 0.2], [0.3, 0.4]]], "weights", "2 matrices"),
    (("weights", 1), [[0.5, -0.6], [0.7, 0.2], [0.1, 0.1]], "weights[1]", "a list of 2 lists of 2 numbers"),
    (("weights", 0, 1), [0.3], "weights[0][1]", "a list of 2 numbers"),
    (("weights", 1, 0, 1), "0.5", "weights[1][0][1]", "finite number"),
    (("weights", 0, 0, 0), True, "weights[0][0][0]", "finite number"),
    (("weights", 0, 0, 1), math.nan, "weights[0][0][1]", "finite number"),
    (("weights", 0, 0, 1), None, "weights[0][0][1]", "finite number"),
    (("weights", 0, 0, 0), 10 ** 400, "weights[0][0][0]", "does not fit in a float64"),
    (("biases", 1, 0), math.inf, "biases[1][0]", "finite number"),
    (("biases",), [[0.1], [0.2, 0.05]], "biases[0]", "a list of 2 numbers"),
    (("biases",), [[0.1, 0.2]], "biases", "one entry per layer"),
    (("inputs",), [0.5], "inputs", "a list of 2 numbers"),
    (("inputs",), [], "inputs", "one sample"),
    (("inputs",), "0.5, -0.3", "inputs", "one sample"),
    (("inputs",), [[0.5, -0.3], [0.1]], "inputs[1]", "a list of 2 numbers"),
    (("inputs",), [[0.5, -0.3], [0.1, 0.2]], "targets", "has 1 samples but inputs has 2"),
    (("targets", 1), -math.inf, "targets[1]", "finite number"),
    (("learning_rate",), 0, "learning_rate", "greater than 0"),
    (("learning_rate",), -0.5, "learning_rate", "greater than 0"),
    (("learning_rate",), "0.5", "learning_rate", "finite number"),
    (("learning_rate",), True, "learning_rate", "finite number"),
    (("optimizer",), "rmsprop", "optimizer", "sgd, momentum, adam"),
    (("optimizer",), {"beta1": 0.9}, "optimizer", "sgd, momentum, adam"),
    (("optimizer",), {"name": "adam", "beta3": 0.9}, "optimizer.beta3", "not a parameter of adam"),
    (("optimizer",), {"name": "sgd", "momentum": 0.9}, "optimizer.momentum", "not a parameter of sgd"),
    (("optimizer",), {"name": "adam", "beta1": 1.0}, "optimizer.beta1", "[0, 1)"),
    (("optimizer",), {"name": "adam", "eps": 0}, "optimizer.eps", "> 0"),
    (("optimizer",), {"name": "momentum", "momentum": -0.1}, "optimizer.momentum", "[0, 1)"),
    (("optimizer",), {"name": "momentum", "momentum": "0.9"}, "optimizer.momentum", "finite number"),
    (("reduction",), "median", "reduction", "mean, sum"),
    (("iterations",), 0, "iterations", "from 1 to 1000"),
    (("iterations",), 1001, "iterations", "from 1 to 1000"),
    (("iterations",), 2.0, "iterations", "from 1 to 1000"),
    (("iterations",), True, "iterations", "from 1 to 1000"),
    (("naming",), "greek", "naming", "seed, sequential, matrix"),
    (("leaky_relu_slope",), -0.1, "leaky_relu_slope", "[0, 1)"),
    (("leaky_relu_slope",), 1.5, "leaky_relu_slope", "[0, 1)"),
    (("delta_convention",), "mitchell", "delta_convention", "gradient, negative"),
    (("delta_convention",), None, "delta_convention", "gradient, negative"),
]


@pytest.mark.parametrize("path, value, key, message", INVALID, ids=[f"{c[2]}={c[1]!r}"[:40] for c in INVALID])
def test_invalid_spec_is_rejected_naming_the_key(ref, path, value, key, message):
    with pytest.raises(SpecError) as error:
        trace(changed(ref, path, value))
    assert error.value.key == key
    assert message in str(error.value)
    assert str(error.value).startswith(key)


LOSS_SPECIFIC = [
    (dict(loss="bce", targets=[0.2, 1.5]), "targets[0][1]", "must lie in [0, 1]"),
    (dict(activations=["sigmoid", "softmax"], loss="cross_entropy", targets=[0.2, 0.7]), "targets[0]", "sum to 1"),
    (dict(activations=["sigmoid", "softmax"], loss="cross_entropy", targets=[1.5, -0.5]), "targets[0][0]", "[0, 1]"),
    (dict(bias="none"), "biases", 'bias is "none"'),
    (dict(bias="shared"), "biases[0]", "finite number"),
    (dict(layers=[2, 2]), "naming", "seed naming needs exactly one hidden layer"),
]


@pytest.mark.parametrize("changes, key, message", LOSS_SPECIFIC)
def test_inconsistent_spec_is_rejected_naming_the_key(ref, changes, key, message):
    spec = ref.seed_spec(**changes)
    if changes.get("layers") == [2, 2]:
        spec.update(weights=[[[0.1, 0.2], [0.3, 0.4]]], biases=[[0.0, 0.0]], naming="seed")
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert (error.value.key, message in str(error.value)) == (key, True)


def test_a_spec_that_is_not_an_object_is_rejected():
    with pytest.raises(SpecError, match="JSON object"):
        trace([1, 2])


def test_overflowing_values_are_rejected_not_warned(ref):
    spec = ref.seed_spec(activations="linear", weights=[[[1e200, 1e200], [1e200, 1e200]], [[1e200, 1e200]] * 2])
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "weights"
    diverging = ref.seed_spec(activations="linear", learning_rate=1e3, iterations=200)
    with pytest.raises(SpecError) as error:
        trace(diverging)
    assert error.value.key == "learning_rate"


def test_overflow_in_a_large_network_is_rejected():
    # Large products run in BLAS, possibly on worker threads; the engine checks them itself.
    sizes = [64, 64, 2]
    spec = {"layers": sizes, "activations": ["sigmoid", "linear"], "weights": [[[1e200] * 64] * 64, [[1.0] * 64] * 2],
            "inputs": [1e200] * 64, "targets": [0.0, 1.0], "learning_rate": 0.1}
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "weights"


def test_normalize_fills_every_default(ref):
    minimal = {key: ref.SEED_SPEC[key] for key in ("layers", "weights", "inputs", "targets", "learning_rate")}
    spec = normalize(minimal)
    assert spec == {
        "layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "mse",
        "weights": ref.SEED_SPEC["weights"], "biases": [[0.0, 0.0], [0.0, 0.0]], "bias": "per_unit",
        "update_biases": True, "inputs": [[0.5, -0.3]], "targets": [[0.2, 0.9]], "learning_rate": 0.5,
        "optimizer": {"name": "sgd"}, "reduction": "mean", "iterations": 1, "naming": "seed",
        "leaky_relu_slope": 0.01, "delta_convention": "gradient", "weight_decay": 0.0,
        "dropout": None, "dropout_masks": None,
    }
    assert normalize(spec) == spec
    assert normalize(dict(minimal, optimizer="momentum"))["optimizer"] == {"name": "momentum", "momentum": 0.9}
    assert normalize(dict(minimal, bias="shared"))["biases"] == [0.0, 0.0]
    assert normalize(dict(minimal, bias="none"))["biases"] is None


def test_numpy_arrays_are_accepted_like_lists(ref):
    spec = ref.seed_spec()
    arrays = dict(spec, weights=[np.array(w) for w in spec["weights"]], inputs=np.array(spec["inputs"]),
                  targets=np.array([spec["targets"]]), biases=[np.array(b) for b in spec["biases"]])
    assert list(trace(arrays).numeric_rows()) == list(trace(spec).numeric_rows())
    with pytest.raises(SpecError) as error:
        trace(dict(spec, inputs=np.array([True, False])))
    assert error.value.key == "inputs"
    with pytest.raises(SpecError) as error:
        trace(dict(spec, inputs=np.array([0.5, np.nan])))
    assert error.value.key == "inputs[1]"


def test_the_callers_spec_is_not_modified(ref):
    spec = ref.seed_spec()
    trace(spec)
    assert spec == ref.SEED_SPEC


def test_a_spec_compiled_without_its_parameters_is_the_rest_of_it(ref):
    """``compile_spec(spec, parameters=False)`` (the traces export: a stored trace holds the
    weights and biases) reads and checks everything but the weights and biases."""
    spec = dict(ref.seed_spec(), optimizer="momentum", weight_decay=0.01, leaky_relu_slope=0.2)
    full, light = compile_spec(spec), compile_spec(spec, parameters=False)
    assert light.weights is None and light.biases is None
    for name in Network.__slots__:
        if name not in ("weights", "biases"):
            assert np.array_equal(getattr(light, name), getattr(full, name)) if isinstance(
                getattr(full, name), np.ndarray) else getattr(light, name) == getattr(full, name), name
    # weights that are no network's pass unread; the rest is still checked
    assert compile_spec(dict(spec, weights="unread"), parameters=False).weights is None
    with pytest.raises(SpecError, match="inputs"):
        compile_spec(dict(spec, inputs=[[0.5, "x"]]), parameters=False)
