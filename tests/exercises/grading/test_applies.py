"""SPEC §6 step 4: a misconception id is reported only where the table says it applies,
with the mistaken values worked out here by hand in numpy."""
import numpy as np

from exercises.grading import grade_submission

SOFTMAX_MSE = {
    "layers": [2, 2, 3], "activations": ["sigmoid", "softmax"], "loss": "mse",
    "weights": [[[0.1, -0.2], [0.3, 0.4]], [[0.5, -0.6], [0.7, 0.2], [-0.3, 0.8]]],
    "biases": [[0.1, -0.1], [0.2, 0.05, -0.3]], "inputs": [0.5, -0.3], "targets": [0.2, 0.7, 0.1],
    "learning_rate": 0.5,
}
SEED = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]], "inputs": [0.05, 0.10], "targets": [0.01, 0.99],
    "learning_rate": 0.5,
}


def _forward(spec):
    x = np.array(spec["inputs"])
    (w1, w2), (b1, b2) = (np.array(w) for w in spec["weights"]), (np.array(b) for b in spec["biases"])
    h = 1 / (1 + np.exp(-(w1 @ x + b1)))
    return x, h, w2 @ h + b2


def _grade(spec, values):
    answers = {key: f"{value:.6g}" for key, value in values.items()}
    result = grade_submission(spec, list(answers), answers)
    return {key: (grade.status, grade.misconceptions) for key, grade in result.fields.items()}


def _softmax_output():
    _, _, z = _forward(SOFTMAX_MSE)
    e = np.exp(z - z.max())
    return e / e.sum(), np.array(SOFTMAX_MSE["targets"])


def test_no_missing_activation_derivative_for_a_softmax_layer():
    yhat, y = _softmax_output()
    gradient = 2 / 3 * (yhat - y)          # ∂L/∂ŷ of mse over 3 outputs, without the Jacobian
    graded = _grade(SOFTMAX_MSE, {f"delta:2:{j}": gradient[j - 1] for j in (1, 2, 3)})
    assert graded == {f"delta:2:{j}": ("incorrect", ()) for j in (1, 2, 3)}


def test_loss_scale_through_a_softmax_jacobian_for_every_other_factor():
    yhat, y = _softmax_output()
    for c in (0.5, 1.0, 2.0, 1 / 3):       # every c of the table except mse's own 2/n = 2/3
        g = c * (yhat - y)
        delta = yhat * (g - (g * yhat).sum())
        graded = _grade(SOFTMAX_MSE, {f"delta:2:{j}": delta[j - 1] for j in (1, 2, 3)})
        assert graded == {f"delta:2:{j}": ("incorrect", ("loss_scale",)) for j in (1, 2, 3)}, c


def _seed_gradients():
    x, h, z = _forward(SEED)
    yhat, y = 1 / (1 + np.exp(-z)), np.array(SEED["targets"])
    d2 = (yhat - y) * yhat * (1 - yhat)      # mse over 2 outputs: (2/2)(ŷ − y)·σ'
    return np.outer(d2, h), d2


def test_update_mistakes_only_on_updates_and_bias_not_updated_only_on_biases():
    dw, db = _seed_gradients()
    w, b, eta = np.array(SEED["weights"][1]), np.array(SEED["biases"][1]), SEED["learning_rate"]
    _, d2 = _seed_gradients()
    deltas = {f"delta:2:{j}": d2[j - 1] for j in (1, 2)}
    cases = {
        "gradient_ascent": (w + eta * dw, b + eta * db),
        "missing_learning_rate": (w - dw, b - db),
    }
    for mistake, (w_new, b_new) in cases.items():
        values = {f"w_new:2:{j}:{k}": w_new[j - 1, k - 1] for j in (1, 2) for k in (1, 2)}
        values |= {f"b_new:2:{j}": b_new[j - 1] for j in (1, 2)}
        # With the output δ answered right, the updates alone carry the mistake.
        graded = _grade(SEED, {**deltas, **values})
        assert all(graded[key] == ("incorrect", (mistake,)) for key in values), graded
        assert all(graded[key] == ("correct", ()) for key in deltas)
    unchanged = {"w_new:2:1:1": w[0, 0], "b_new:2:1": b[0]}
    graded = _grade(SEED, unchanged)
    assert graded == {"w_new:2:1:1": ("incorrect", ()), "b_new:2:1": ("incorrect", ("bias_not_updated",))}


def test_updates_alone_cannot_tell_a_step_the_wrong_way_from_a_flipped_output_gradient():
    # Without δ asked, θ + η·∂L/∂θ is what a sign flipped in ∂L/∂ŷ gives too: two mistakes
    # explain every field equally well, so neither is named (SPEC §6 step 4d).
    dw, db = _seed_gradients()
    w, b, eta = np.array(SEED["weights"][1]), np.array(SEED["biases"][1]), SEED["learning_rate"]
    values = {f"w_new:2:{j}:{k}": (w + eta * dw)[j - 1, k - 1] for j in (1, 2) for k in (1, 2)}
    values |= {f"b_new:2:{j}": (b + eta * db)[j - 1] for j in (1, 2)}
    assert set(_grade(SEED, values).values()) == {("incorrect", ())}


def test_missing_learning_rate_is_not_a_mistake_when_eta_is_one():
    spec = {**SEED, "learning_rate": 1.0}
    dw, _ = _seed_gradients()
    w = np.array(SEED["weights"][1])
    graded = _grade(spec, {"w_new:2:1:1": w[0, 0] - dw[0, 0], "w_new:2:1:2": w[0, 1] + dw[0, 1]})
    assert graded["w_new:2:1:1"] == ("correct", ())
    # A sign flipped in ∂L/∂ŷ1 would also have moved w_new:2:1:1 (δ_ŷ1 feeds both), which
    # the student got right: only the step taken the wrong way is left — and never
    # missing_learning_rate, which cannot happen with η = 1.
    assert graded["w_new:2:1:2"] == ("incorrect", ("gradient_ascent",))


def test_swapped_indices_never_reported_without_a_square_matrix():
    spec = {"layers": [2, 3, 2], "activations": "sigmoid", "loss": "mse",
            "weights": [[[0.1, -0.2], [0.3, 0.4], [0.5, 0.1]], [[0.5, -0.6, 0.3], [0.7, 0.2, -0.4]]],
            "biases": [[0.1, -0.1, 0.2], [0.2, 0.05]], "inputs": [0.5, -0.3], "targets": [0.2, 0.7],
            "learning_rate": 0.5}
    w1, w2 = (np.array(w) for w in spec["weights"])
    x = np.array(spec["inputs"])
    h = 1 / (1 + np.exp(-(w1 @ x + np.array(spec["biases"][0]))))
    yhat = 1 / (1 + np.exp(-(w2 @ h + np.array(spec["biases"][1]))))
    d2 = (yhat - np.array(spec["targets"])) * yhat * (1 - yhat)
    # A student pairing W⁽²⁾[j][k] with δ_j the wrong way round can only use the first two
    # columns of the transposed 2×3 matrix: δ_h1 = w11·δ1 + w21·δ2 is right, δ_h2 takes w12, w22.
    wrong = np.array([w2[0, 0] * d2[0] + w2[0, 1] * d2[1], w2[1, 0] * d2[0] + w2[1, 1] * d2[1]])
    graded = _grade(spec, {f"delta:1:{k}": wrong[k - 1] * h[k - 1] * (1 - h[k - 1]) for k in (1, 2)})
    assert all("swapped_weight_indices" not in ids for _, ids in graded.values())
