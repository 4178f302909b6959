"""The numeric primitives against their textbook definitions and finite differences."""

import math

import numpy as np
import pytest

from tracer import functions as F

Z = np.array([[-2.0, -0.3, 0.4, 1.7], [0.9, -1.1, 0.25, -0.6]])
H = 1e-6


def numeric_derivative(fn, z):
    return (fn(z + H) - fn(z - H)) / (2 * H)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_activation_derivative_matches_finite_differences(name):
    a = F.activate(name, Z, 0.05)
    analytic = F.activation_derivative(name, Z, a, 0.05)
    numeric = numeric_derivative(lambda z: F.activate(name, z, 0.05), Z)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_sigmoid_and_softmax_match_their_definitions():
    assert F.activate("sigmoid", np.array([0.3]))[0] == pytest.approx(1 / (1 + math.exp(-0.3)), rel=1e-15)
    row = [1.0, 2.0, 0.5]
    total = sum(math.exp(v) for v in row)
    np.testing.assert_allclose(F.activate("softmax", np.array(row)), [math.exp(v) / total for v in row], rtol=1e-15)


def test_relu_kink_conventions():
    zero = np.array([0.0])
    assert F.activation_derivative("relu", zero, F.activate("relu", zero))[0] == 0.0
    assert F.activation_derivative("leaky_relu", zero, F.activate("leaky_relu", zero), 0.2)[0] == 0.2


def test_extreme_inputs_are_finite_and_silent():
    z = np.array([-1e3, -50.0, 0.0, 50.0, 1e3])
    for name in F.ACTIVATIONS:
        assert np.all(np.isfinite(F.activate(name, z)))
    y = np.array([0.0, 0.0, 1.0, 0.0, 0.0])
    for name in F.LOSSES:
        yhat = F.activate("softmax" if name == "cross_entropy" else "sigmoid", z)
        assert np.isfinite(F.loss_value(name, yhat, y))
        assert np.all(np.isfinite(F.loss_gradient(name, yhat, y)))


@pytest.mark.parametrize("name", F.LOSSES)
def test_loss_gradient_matches_finite_differences(name):
    yhat = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]])
    y = np.array([[0.0, 1.0, 0.0], [0.3, 0.3, 0.4]])
    numeric = np.empty_like(yhat)
    for index in np.ndindex(yhat.shape):
        up, down = yhat.copy(), yhat.copy()
        up[index] += H
        down[index] -= H
        row = index[0]
        numeric[index] = (F.loss_value(name, up, y)[row] - F.loss_value(name, down, y)[row]) / (2 * H)
    np.testing.assert_allclose(F.loss_gradient(name, yhat, y), numeric, rtol=1e-6)


def test_mse_is_the_seed_posts_mean_of_squares():
    assert F.loss_value("mse", np.array([0.6, 0.4]), np.array([0.2, 0.9]))[()] == pytest.approx((0.16 + 0.25) / 2)
    assert F.loss_factor("mse", 2) == 1.0
    assert F.loss_factor("half_sse", 2) == 1.0
    assert F.loss_factor("sse", 3) == 2.0
    assert F.loss_factor("bce", 3) is None


def test_softmax_backward_is_the_jacobian_product():
    z = np.array([0.3, -1.2, 0.8])
    a = F.activate("softmax", z)
    g = np.array([0.5, -0.25, 2.0])
    jacobian = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(F.softmax_backward(a, g), jacobian.T @ g, rtol=1e-14)


def test_fused_deltas_equal_the_chain_rule_products():
    y = np.array([0.2, 0.9])
    yhat = F.activate("sigmoid", np.array([0.4, -0.7]))
    chained = F.loss_gradient("bce", yhat, y) * yhat * (1 - yhat)
    np.testing.assert_allclose(F.fused_delta("bce", "sigmoid", yhat, y), chained, rtol=1e-12)
    y = np.array([0.0, 1.0, 0.0])
    yhat = F.activate("softmax", np.array([0.4, -0.7, 1.1]))
    chained = F.softmax_backward(yhat, F.loss_gradient("cross_entropy", yhat, y))
    np.testing.assert_allclose(F.fused_delta("cross_entropy", "softmax", yhat, y), chained, rtol=1e-12)
    assert F.fused_delta("mse", "sigmoid", yhat, y) is None


def test_unknown_names_raise():
    with pytest.raises(ValueError):
        F.activate("swish", Z)
    with pytest.raises(ValueError):
        F.activation_derivative("softmax", Z, Z)
    with pytest.raises(ValueError):
        F.loss_value("hinge", Z, Z)
