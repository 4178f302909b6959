"""Momentum and Adam over several iterations against their update formulas, computed here.

The gradients are the trace's own (finite differences check them elsewhere); what is checked is
the optimizer's recurrence, its state rows and that each iteration starts from the last one's
updated parameters.
"""

import math

import pytest

from tracer import trace

ITERATIONS = 3


def parameters(spec):
    """(quantity-key, unit, source) of every weight and per-unit bias, by layer."""
    keys = []
    for l, (m, n) in enumerate(zip(spec["layers"], spec["layers"][1:]), 1):
        keys += [(l, j, k) for j in range(1, n + 1) for k in range(1, m + 1)]
        keys += [(l, j, None) for j in range(1, n + 1)]
    return keys


def initial(spec, l, j, k):
    return spec["weights"][l - 1][j - 1][k - 1] if k is not None else spec["biases"][l - 1][j - 1]


def names(k):
    return ("dL_dw", "w", "w_new") if k is not None else ("dL_db", "b", "b_new")


@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_momentum_follows_its_recurrence(ref, momentum):
    spec = ref.seed_spec(optimizer={"name": "momentum", "momentum": momentum}, iterations=ITERATIONS,
                         inputs=[[0.5, -0.3], [0.1, 0.8]], targets=[[0.2, 0.9], [0.7, 0.4]])
    table, eta = ref.collect(trace(spec)), spec["learning_rate"]
    for l, j, k in parameters(spec):
        grad, before, after = names(k)
        theta, velocity = initial(spec, l, j, k), 0.0
        for t in range(1, ITERATIONS + 1):
            assert table[(t, None, before, l, j, k)] == theta
            velocity = momentum * velocity + table[(t, None, grad, l, j, k)]
            theta = theta - eta * velocity
            assert table[(t, None, "velocity", l, j, k)] == pytest.approx(velocity, rel=1e-13, abs=1e-17)
            assert table[(t, None, after, l, j, k)] == pytest.approx(theta, rel=1e-13)
            theta = table[(t, None, after, l, j, k)]


@pytest.mark.parametrize("beta1, beta2, eps", [(0.9, 0.999, 1e-8), (0.8, 0.99, 1e-3)])
def test_adam_follows_pytorchs_formula_with_bias_correction(ref, beta1, beta2, eps):
    spec = ref.seed_spec(optimizer={"name": "adam", "beta1": beta1, "beta2": beta2, "eps": eps},
                         iterations=ITERATIONS, learning_rate=0.01)
    table, eta = ref.collect(trace(spec)), spec["learning_rate"]
    for l, j, k in parameters(spec):
        grad, before, after = names(k)
        theta, m, v = initial(spec, l, j, k), 0.0, 0.0
        for t in range(1, ITERATIONS + 1):
            assert table[(t, None, before, l, j, k)] == theta
            g = table[(t, None, grad, l, j, k)]
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            expected = theta - eta * m_hat / (math.sqrt(v_hat) + eps)
            assert table[(t, None, "m", l, j, k)] == pytest.approx(m, rel=1e-13, abs=1e-18)
            assert table[(t, None, "v", l, j, k)] == pytest.approx(v, rel=1e-13, abs=1e-24)
            assert table[(t, None, after, l, j, k)] == pytest.approx(expected, rel=1e-13)
            theta = table[(t, None, after, l, j, k)]


def test_adam_first_step_moves_each_parameter_by_about_the_learning_rate(ref):
    # With bias correction, m̂/√v̂ = g/|g| on the first step, so |Δθ| ≈ η for every parameter.
    table = ref.collect(trace(ref.seed_spec(optimizer="adam", learning_rate=0.01)))
    for l, j, k in parameters(ref.SEED_SPEC):
        _, before, after = names(k)
        step = abs(table[(1, None, after, l, j, k)] - table[(1, None, before, l, j, k)])
        assert step == pytest.approx(0.01, rel=1e-3)


def test_sgd_over_iterations_lowers_the_seed_loss(ref):
    table = ref.collect(trace(ref.seed_spec(iterations=5)))
    losses = [table[(t, None, "loss", None, None, None)] for t in range(1, 6)]
    assert losses == sorted(losses, reverse=True)


def test_biases_not_updated_keep_their_values_and_get_no_state(ref):
    spec = ref.seed_spec(update_biases=False, optimizer="momentum", iterations=2)
    result = trace(spec)
    table = ref.collect(result)
    assert not any(key[2] == "b_new" or (key[2] == "velocity" and key[5] is None) for key in table)
    assert table[(2, None, "b", 1, 1, None)] == spec["biases"][0][0]
    assert (1, None, "dL_db", 1, 1, None) in table
    with pytest.raises(KeyError):
        result.value("b_new", 1, 1)


def test_shared_bias_state_and_update(ref):
    spec = ref.seed_spec(bias="shared", biases=[0.1, -0.2], optimizer="momentum", iterations=2)
    table = ref.collect(trace(spec))
    g1 = table[(1, None, "dL_db", 1, None, None)]
    deltas = [table[(1, 1, "delta", 1, j, None)] for j in (1, 2)]
    assert g1 == pytest.approx(sum(deltas), rel=1e-14)
    g2 = table[(2, None, "dL_db", 1, None, None)]
    assert table[(2, None, "velocity", 1, None, None)] == pytest.approx(0.9 * g1 + g2, rel=1e-14)
    assert table[(2, None, "b_new", 1, None, None)] == pytest.approx(
        table[(1, None, "b_new", 1, None, None)] - 0.5 * (0.9 * g1 + g2), rel=1e-14)
