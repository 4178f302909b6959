"""The activation and loss registries: one object per name, the facts other modules read."""
import numpy as np
import pytest

import tracer
from tracer import activations, losses
from tracer.activations import ACTIVATIONS, Activation
from tracer.functions import activation_derivative, loss_gradient
from tracer.losses import LOSSES
from tracer.rows import FUSED


def test_the_names_stay_importable_in_their_order():
    assert tuple(ACTIVATIONS) == ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
    assert tuple(LOSSES) == ("mse", "half_sse", "sse", "bce", "cross_entropy")
    assert ", ".join(ACTIVATIONS) == "sigmoid, tanh, relu, leaky_relu, linear, softmax"
    assert "relu" in ACTIVATIONS and "softsign" not in ACTIVATIONS and ["relu"] not in ACTIVATIONS
    assert FUSED == (("sigmoid", "bce"), ("softmax", "cross_entropy"))


def test_the_flags_generation_and_grading_read():
    flags = {name: (a.kink, a.zero_below_kink, a.constant_derivative, a.unit_derivative, a.elementwise)
             for name in ACTIVATIONS for a in [activations.get(name)]}
    assert flags == {"sigmoid": (False, False, False, False, True), "tanh": (False, False, False, False, True),
                     "relu": (True, True, True, False, True), "leaky_relu": (True, False, True, False, True),
                     "linear": (False, False, True, True, True), "softmax": (False, False, True, False, False)}
    assert [name for name in ACTIVATIONS if activations.get(name).uses_slope] == ["leaky_relu"]
    assert {name: losses.get(name).fused for name in LOSSES} == {
        "mse": None, "half_sse": None, "sse": None, "bce": "sigmoid", "cross_entropy": "softmax"}


def test_an_unknown_name_is_an_error_never_a_default():
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        activations.get("softsign")
    with pytest.raises(ValueError, match="unknown activation"):
        activation_derivative("softsign", np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        loss_gradient("hinge", np.zeros(2), np.zeros(2))


def test_an_elementwise_activation_without_its_derivatives_latex_is_refused():
    bare = Activation("bare", lambda z, s: z, lambda z, a, s: np.ones_like(z), latex="{z}",
                      derivative_latex=None, definition="f(z) = z", description="", derivative_text="",
                      range=(0.0, 1.0))
    with pytest.raises(ValueError, match="derivative's LaTeX"):
        activations.register(bare)
    assert "bare" not in ACTIVATIONS


def test_the_loss_factors_are_the_closed_forms():
    yhat, y = np.array([0.8, 0.1, 0.3]), np.array([1.0, 0.0, 0.5])
    for name, c in (("mse", 2 / 3), ("half_sse", 1.0), ("sse", 2.0)):
        assert losses.get(name).factor(3) == pytest.approx(c)
        np.testing.assert_allclose(loss_gradient(name, yhat, y), c * (yhat - y))
    assert losses.get("bce").factor is None and losses.get("cross_entropy").factor is None


def test_a_loss_needs_its_fused_activation_by_name():
    spec = {"layers": [1, 2], "activations": "tanh", "loss": "cross_entropy", "weights": [[[0.1], [0.2]]],
            "inputs": [1.0], "targets": [1.0, 0.0], "learning_rate": 0.1}
    with pytest.raises(tracer.SpecError, match="cross_entropy needs softmax outputs; the output "
                                               "activation is tanh"):
        tracer.trace(spec)
    with pytest.raises(tracer.SpecError, match="softmax is allowed only in the output layer"):
        tracer.trace({**spec, "layers": [1, 2, 2], "activations": ["softmax", "softmax"],
                      "weights": [[[0.1], [0.2]], [[0.1, 0.2], [0.3, 0.4]]]})


def test_dropout_writes_a_derivative_that_is_a_sum_in_parentheses():
    assert activations.get("tanh").derivative_is_sum and activations.get("leaky_relu").derivative_is_sum
    assert not activations.get("sigmoid").derivative_is_sum and not activations.get("relu").derivative_is_sum


QUARTER = losses.Loss("quarter_sse", lambda yhat, y: 0.25 * np.sum((yhat - y) ** 2, axis=-1), losses.SQUARE,
                      "\\frac{{1}}{{4}}\\left[", "\\right]", factor=lambda n: 0.5,
                      factor_latex="\\frac{{1}}{{2}}", text="¼Σ(ŷ − y)²",
                      gradient_text="∂L/∂{yhat} = ½({yhat} − {y})")


@pytest.fixture
def quarter_sse():
    losses.register(QUARTER)
    yield QUARTER
    losses.unregister("quarter_sse")


def _sigmoid_loss(w, x, y):
    """¼Σ(ŷ − y)² of a 2-2-2 sigmoid network without biases, by hand."""
    a = np.array(x)
    for layer in w:
        a = 1 / (1 + np.exp(-(np.array(layer) @ a)))
    return 0.25 * float(np.sum((a - np.array(y)) ** 2))


def test_a_toy_loss_is_one_registry_object(quarter_sse):
    weights = [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]]
    spec = {"layers": [2, 2, 2], "activations": "sigmoid", "loss": "quarter_sse", "bias": "none",
            "weights": weights, "inputs": [0.05, 0.1], "targets": [0.01, 0.99], "learning_rate": 0.5}
    trace = tracer.trace(spec)
    yhat = [trace.value("a", 2, j) for j in (1, 2)]
    assert trace.value("loss") == pytest.approx(0.25 * ((yhat[0] - 0.01) ** 2 + (yhat[1] - 0.99) ** 2))
    assert trace.value("dL_da", 2, 1) == pytest.approx(0.5 * (yhat[0] - 0.01), rel=1e-15)
    rows = {(row["quantity"], row["layer"], row["unit"]): row for row in trace.rows()}
    assert rows[("dL_da", 2, 1)]["formula"].startswith("\\frac{1}{2}(")
    assert rows[("loss", None, None)]["formula"].startswith("\\frac{1}{4}\\left[")
    h = 1e-6
    for l, j, k in ((1, 1, 1), (1, 2, 2), (2, 1, 2), (2, 2, 1)):
        up, down = np.array(weights), np.array(weights)
        up[l - 1][j - 1][k - 1] += h
        down[l - 1][j - 1][k - 1] -= h
        numeric = (_sigmoid_loss(up, [0.05, 0.1], [0.01, 0.99]) - _sigmoid_loss(down, [0.05, 0.1], [0.01, 0.99])) / (2 * h)
        assert trace.value("dL_dw", l, j, k) == pytest.approx(numeric, rel=1e-6)


def test_a_name_registered_again_never_serves_the_old_formulas():
    spec = {"layers": [1, 1], "activations": "double", "weights": [[[0.5]]], "inputs": [1.0],
            "targets": [0.2], "learning_rate": 0.1}
    first = Activation("double", lambda z, s: 2.0 * z, lambda z, a, s: np.full_like(z, 2.0), latex="2{z}",
                       derivative_latex="2", definition="f(z) = 2z", description="", derivative_text="",
                       range=(-np.inf, np.inf))
    try:
        activations.register(first)
        before = {row["quantity"]: row["formula"] for row in tracer.trace(spec).rows() if row["layer"] == 1}
        activations.register(Activation(**{**first.__dict__, "latex": "2 \\cdot {z}"}))
        after = {row["quantity"]: row["formula"] for row in tracer.trace(spec).rows() if row["layer"] == 1}
    finally:
        activations.unregister("double")
    assert before["a"].startswith("2") and after["a"] == before["a"].replace("2", "2 \\cdot ", 1)
    assert tracer.trace(spec | {"activations": "linear"}).value("a", 1, 1) == 0.5
