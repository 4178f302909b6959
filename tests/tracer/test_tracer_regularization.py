"""Weight decay and dropout (SPEC §2): gradients against finite differences of the total loss,
momentum and Adam over three steps against their formulas written here, and a two-sample
batch worked by hand.

The reference is independent of the engine: a forward pass from the textbook definitions with
inverted dropout (a = r·f(z)/p, masks fixed) and the total loss L = reduce(L_s) + (λ/2)·Σw²;
gradients come from finite differences of it, never from the trace.
"""

import numpy as np
import pytest

from tracer import trace

SIZES = [3, 4, 3, 2]


def reference_total_loss(ref, spec, weights, biases):
    """The batch loss with the weight-decay penalty, through fixed dropout masks."""
    a = np.array(spec["inputs"], dtype=float)
    keep, masks = spec.get("dropout"), spec.get("dropout_masks")
    depth = len(weights)
    for l, (w, b) in enumerate(zip(weights, biases), 1):
        z = a @ np.asarray(w).T + (0.0 if b is None else np.asarray(b))
        a = ref.reference_activation(spec["activations"][l - 1], z, spec.get("leaky_relu_slope", 0.01))
        if keep is not None and l < depth:
            mask = np.array([sample[l - 1] for sample in masks], dtype=float)
            a = mask * a / keep[l - 1]
    losses = ref.reference_sample_losses(spec["loss"], a, np.array(spec["targets"], dtype=float))
    data = losses.mean() if spec.get("reduction", "mean") == "mean" else losses.sum()
    return data + spec.get("weight_decay", 0.0) / 2 * sum(float((np.asarray(w) ** 2).sum()) for w in weights)


def numeric_gradients(ref, spec, weights, biases):
    """∂L/∂w and ∂L/∂b of the total loss at the given parameters, by finite differences."""
    grads_w, grads_b = [], []
    for l, w in enumerate(weights):
        g = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            def loss_at(value, l=l, index=index):
                changed = [x.copy() for x in weights]
                changed[l][index] = value
                return reference_total_loss(ref, spec, changed, biases)
            g[index] = ref.derivative(loss_at, w[index])
        grads_w.append(g)
        b = biases[l]
        gb = np.zeros_like(b)
        for index in np.ndindex(b.shape):
            def loss_at(value, l=l, index=index):
                changed = [x.copy() for x in biases]
                changed[l][index] = value
                return reference_total_loss(ref, spec, weights, changed)
            gb[index] = ref.derivative(loss_at, b[index])
        grads_b.append(gb)
    return grads_w, grads_b


def regularized_spec(ref, rng, count, hidden, output, loss, reduction, decay, dropout):
    spec = ref.random_spec(rng, SIZES, count, hidden, output, loss, "per_unit", reduction)
    spec["weight_decay"] = decay
    if dropout:
        spec["dropout"] = [0.8, 0.5]
        spec["dropout_masks"] = [[[1, 0, 1, 1], [0, 1, 1]] if s % 2 == 0 else [[0, 1, 1, 0], [1, 1, 0]]
                                 for s in range(count)]
    return spec


CASES = [
    # hidden, output, loss, batch, reduction, λ, dropout
    ("sigmoid", "sigmoid", "mse", 1, "mean", 0.1, True),
    ("tanh", "linear", "half_sse", 3, "mean", 0.05, True),
    ("leaky_relu", "sigmoid", "bce", 2, "sum", 0.2, True),
    ("tanh", "softmax", "cross_entropy", 3, "sum", 0.1, True),
    ("relu", "tanh", "sse", 2, "mean", 0.3, False),
    ("sigmoid", "linear", "mse", 4, "sum", 0.0, True),
    ("linear", "sigmoid", "mse", 2, "mean", 1.0, False),
]


@pytest.mark.parametrize("hidden, output, loss, count, reduction, decay, dropout", CASES)
def test_gradients_match_finite_differences_of_the_total_loss(ref, hidden, output, loss, count,
                                                              reduction, decay, dropout):
    rng = np.random.default_rng([count, int(decay * 100), len(hidden)])
    spec = regularized_spec(ref, rng, count, hidden, output, loss, reduction, decay, dropout)
    result = trace(spec)
    weights = [np.array(w, dtype=float) for w in spec["weights"]]
    biases = [np.array(b, dtype=float) for b in spec["biases"]]
    assert ref.close(result.value("loss"), reference_total_loss(ref, spec, weights, biases), rel=1e-12)
    grads_w, grads_b = numeric_gradients(ref, spec, weights, biases)
    for l, (gw, gb) in enumerate(zip(grads_w, grads_b), 1):
        for (j, k), numeric in np.ndenumerate(gw):
            assert ref.close(result.value("dL_dw", l, j + 1, k + 1), numeric), ("dL_dw", l, j, k)
        for (j,), numeric in np.ndenumerate(gb):
            assert ref.close(result.value("dL_db", l, j + 1), numeric), ("dL_db", l, j)


def test_a_dropped_unit_has_zero_activation_derivative_and_delta(ref):
    spec = ref.seed_spec(dropout=[0.5], dropout_masks=[[0, 1]], activations=["tanh", "sigmoid"])
    result = trace(spec)
    for quantity in ("a", "da_dz", "delta"):
        assert result.value(quantity, 1, 1) == 0.0
    rows = {(r["quantity"], r["layer"], r["unit"]): r for r in result.rows()}
    assert rows[("delta", 1, 1)]["substituted"].endswith("\\cdot 0")
    assert rows[("da_dz", 1, 1)]["substituted"].startswith("\\frac{0}{0.5}")
    # The kept unit is scaled by 1/p = 2: a = 2·tanh(z), ∂a/∂z = 2·(1 − tanh²(z)).
    z = result.value("z", 1, 2)
    assert result.value("a", 1, 2) == pytest.approx(2 * np.tanh(z), rel=1e-14)
    assert result.value("da_dz", 1, 2) == pytest.approx(2 * (1 - np.tanh(z) ** 2), rel=1e-14)


def _sgd(state, g, theta, opt, eta, t):
    return theta - eta * g, state


def _momentum(state, g, theta, opt, eta, t):
    velocity = opt["momentum"] * state.get("velocity", 0.0) + g
    return theta - eta * velocity, {"velocity": velocity}


def _adam(state, g, theta, opt, eta, t):
    m = opt["beta1"] * state.get("m", 0.0) + (1 - opt["beta1"]) * g
    v = opt["beta2"] * state.get("v", 0.0) + (1 - opt["beta2"]) * g * g
    m_hat, v_hat = m / (1 - opt["beta1"] ** t), v / (1 - opt["beta2"] ** t)
    return theta - eta * m_hat / (np.sqrt(v_hat) + opt["eps"]), {"m": m, "v": v}


@pytest.mark.parametrize("optimizer, rule", [
    ({"name": "momentum", "momentum": 0.9}, _momentum),
    ({"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, _adam),
    ({"name": "sgd"}, _sgd),
])
def test_three_steps_with_decay_and_dropout_follow_the_hand_formulas(ref, optimizer, rule):
    """Each step's gradients by finite differences at that step's parameters (computed here
    from the previous step's), then the optimizer's formulas as written in SPEC §2."""
    rng = np.random.default_rng(7)
    spec = regularized_spec(ref, rng, 2, "tanh", "sigmoid", "mse", "mean", 0.1, True)
    spec.update(optimizer=optimizer, iterations=3, learning_rate=0.05)
    result = trace(spec)
    weights = [np.array(w, dtype=float) for w in spec["weights"]]
    biases = [np.array(b, dtype=float) for b in spec["biases"]]
    states = {}
    for t in (1, 2, 3):
        grads_w, grads_b = numeric_gradients(ref, spec, weights, biases)
        new_w, new_b = [w.copy() for w in weights], [b.copy() for b in biases]
        for l in range(len(weights)):
            for kind, params, grads, new in (("w", weights, grads_w, new_w), ("b", biases, grads_b, new_b)):
                for index in np.ndindex(params[l].shape):
                    key = (kind, l, index)
                    new[l][index], states[key] = rule(states.get(key, {}), grads[l][index],
                                                      params[l][index], optimizer, 0.05, t)
                    unit, source = index[0] + 1, (index[1] + 1 if kind == "w" else None)
                    assert ref.close(result.value(f"{kind}_new", l + 1, unit, source, iteration=t),
                                     new[l][index], rel=1e-7), (t, key)
                    for name, value in states[key].items():
                        assert ref.close(result.value(name, l + 1, unit, source, iteration=t), value,
                                         rel=1e-6, floor=1e-9), (t, name, key)
        weights, biases = new_w, new_b


def test_two_sample_batch_worked_by_hand():
    """A 2-1-1 linear network, ½SSE, a batch of two averaged, λ = 0.1 and η = 0.1: every number
    below is worked out by hand (as on an exam sheet, CS231n/d2l style mini-batch step).

    Sample 1: x = (1, 2), y = 1: z_h = 0.5·1 − 0.25·2 = 0, h = 0, ŷ = 2·0 = 0,
      L₁ = ½(0 − 1)² = 0.5, δ_ŷ = ŷ − y = −1, δ_h = w₂·δ_ŷ = −2.
    Sample 2: x = (2, 0), y = 0: z_h = 1, h = 1, ŷ = 2, L₂ = ½·4 = 2, δ_ŷ = 2, δ_h = 4.
    Batch: L = (0.5 + 2)/2 + (0.1/2)(0.5² + 0.25² + 2²) = 1.25 + 0.215625 = 1.465625.
      ∂L/∂w⁽²⁾ = (−1·0 + 2·1)/2 + 0.1·2 = 1.2; ∂L/∂b⁽²⁾ = (−1 + 2)/2 = 0.5 (no decay on biases);
      ∂L/∂w⁽¹⁾ = ((−2)(1, 2) + 4(2, 0))/2 + 0.1·(0.5, −0.25) = (3.05, −2.025); ∂L/∂b⁽¹⁾ = 1.
      Updates: w⁽²⁾⁺ = 2 − 0.1·1.2 = 1.88; w⁽¹⁾⁺ = (0.5 − 0.305, −0.25 + 0.2025) = (0.195, −0.0475).
    """
    spec = {"layers": [2, 1, 1], "activations": "linear", "loss": "half_sse",
            "weights": [[[0.5, -0.25]], [[2.0]]], "biases": [[0.0], [0.0]],
            "inputs": [[1, 2], [2, 0]], "targets": [[1], [0]], "learning_rate": 0.1,
            "weight_decay": 0.1, "naming": "matrix"}
    result = trace(spec)
    approx = lambda value: pytest.approx(value, abs=1e-12)  # noqa: E731
    assert result.value("loss", sample=1) == approx(0.5)
    assert result.value("loss", sample=2) == approx(2.0)
    assert result.value("penalty") == approx(0.215625)
    assert result.value("loss") == approx(1.465625)
    assert [result.value("delta", 1, 1, sample=s) for s in (1, 2)] == [approx(-2), approx(4)]
    assert result.value("dL_dw", 2, 1, 1) == approx(1.2)
    assert result.value("dL_db", 2, 1) == approx(0.5)
    assert [result.value("dL_dw", 1, 1, k) for k in (1, 2)] == [approx(3.05), approx(-2.025)]
    assert result.value("dL_db", 1, 1) == approx(1.0)
    assert result.value("w_new", 2, 1, 1) == approx(1.88)
    assert [result.value("w_new", 1, 1, k) for k in (1, 2)] == [approx(0.195), approx(-0.0475)]


def test_dropout_batch_worked_by_hand():
    """The same network with p = 0.5 and h dropped in sample 1, kept in sample 2 (λ = 0):
    sample 2's h = 1/0.5 = 2, ŷ = 4, δ_ŷ = 4, δ_h = 2·4·(1/0.5) = 16; sample 1: h = 0, ŷ = 0,
    δ_ŷ = −1, δ_h = 0 (dropped). ∂L/∂w⁽²⁾ = (−1·0 + 4·2)/2 = 4; ∂L/∂w⁽¹⁾ = (0 + 16·(2, 0))/2 = (16, 0)."""
    spec = {"layers": [2, 1, 1], "activations": "linear", "loss": "half_sse",
            "weights": [[[0.5, -0.25]], [[2.0]]], "biases": [[0.0], [0.0]],
            "inputs": [[1, 2], [2, 0]], "targets": [[1], [0]], "learning_rate": 0.1,
            "dropout": [0.5], "dropout_masks": [[[0]], [[1]]], "naming": "matrix"}
    result = trace(spec)
    assert result.value("a", 1, 1, sample=2) == 2.0
    assert result.value("delta", 1, 1, sample=1) == 0.0
    assert result.value("delta", 1, 1, sample=2) == 16.0
    assert result.value("dL_dw", 2, 1, 1) == 4.0
    assert [result.value("dL_dw", 1, 1, k) for k in (1, 2)] == [16.0, 0.0]
