"""The Python API of SPEC §4: value(), array(), len() and their errors."""

import numpy as np
import pytest

from tracer import ENGINE_VERSION, trace

BATCH = dict(inputs=[[0.5, -0.3], [0.1, 0.2]], targets=[[0.2, 0.9], [0.6, 0.4]])


def test_value_reads_per_sample_and_reduced_quantities(ref):
    result = trace(ref.seed_spec(**BATCH))
    table = ref.collect(result)
    assert result.value("a", 1, 2, sample=2) == table[(1, 2, "a", 1, 2, None)]
    assert result.value("x", unit=2, sample=2) == 0.2
    assert result.value("y", 2, 1, sample=2) == 0.6
    assert result.value("loss", sample=1) == table[(1, 1, "loss", None, None, None)]
    assert result.value("loss") == pytest.approx((result.value("loss", sample=1) + result.value("loss", sample=2)) / 2)
    assert result.value("dL_dw", 2, 1, 2) == table[(1, None, "dL_dw", 2, 1, 2)]


@pytest.mark.parametrize("args, kwargs", [
    (("a", 1, 1), {}),                       # per-sample in a batch needs the sample
    (("a", 1, 3), {"sample": 1}),            # no unit 3
    (("a", 1, -1), {"sample": 1}),           # no negative indices
    (("a", 3, 1), {"sample": 1}),            # no layer 3
    (("w", 1, 1), {}),                       # a weight needs its source
    (("b", 1, 1, 1), {}),                    # a bias has no source
    (("b", 1), {}),                          # per-unit bias needs its unit
    (("velocity", 1, 1, 1), {}),             # sgd has no state
    (("loss",), {"sample": 3}),
    (("loss",), {"iteration": 2}),
    (("weight", 1, 1, 1), {}),
])
def test_value_raises_key_error_for_values_the_trace_does_not_hold(ref, args, kwargs):
    with pytest.raises(KeyError):
        trace(ref.seed_spec(**BATCH)).value(*args, **kwargs)


def test_fused_output_has_no_dL_da_but_sigmoid_bce_keeps_da_dz(ref):
    result = trace(ref.seed_spec(loss="bce"))
    with pytest.raises(KeyError):
        result.value("dL_da", 2, 1)
    assert result.value("da_dz", 2, 1) == pytest.approx(result.value("a", 2, 1) * (1 - result.value("a", 2, 1)))
    softmax = trace(ref.seed_spec(activations=["sigmoid", "softmax"], loss="cross_entropy", targets=[0.0, 1.0]))
    for quantity in ("dL_da", "da_dz"):
        with pytest.raises(KeyError):
            softmax.value(quantity, 2, 1)
    assert softmax.value("delta", 2, 2) == pytest.approx(softmax.value("a", 2, 2) - 1.0)


def test_shared_bias_values_have_no_unit(ref):
    result = trace(ref.seed_spec(bias="shared", biases=[0.1, 0.2]))
    assert result.value("b", 1) == 0.1
    assert result.value("b_new", 2) == pytest.approx(0.2 - 0.5 * result.value("dL_db", 2))
    with pytest.raises(KeyError):
        result.value("b", 1, 1)


def test_array_returns_copies_of_layer_values(ref):
    result = trace(ref.seed_spec(optimizer="adam", **BATCH))
    delta = result.array("delta", 2)
    assert delta.shape == (2, 2)
    assert delta[1, 0] == result.value("delta", 2, 1, sample=2)
    assert result.array("m", 1)[1, 0] == result.value("m", 1, 2, 1)
    assert result.array("v_b", 2)[1] == result.value("v", 2, 2)
    delta[:] = 0
    assert result.array("delta", 2)[1, 0] != 0
    with pytest.raises(KeyError):
        result.array("delta", 0)
    sgd = trace(ref.seed_spec())
    assert np.array_equal(sgd.array("w_new", 2), sgd.array("w", 2) - 0.5 * sgd.array("dL_dw", 2))


def test_len_and_engine_version(ref):
    result = trace(ref.seed_spec())
    assert len(result) == 61 == sum(1 for _ in result.rows())
    assert isinstance(ENGINE_VERSION, str) and ENGINE_VERSION
    assert result.to_dict()["engine_version"] == ENGINE_VERSION
