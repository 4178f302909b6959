"""The student model and grading on batches, several steps, weight decay and dropout.

1. A correct student computes exactly the engine's values, every sample and step.
2. Each new misconception changes its targets as its formula, written here from the engine's
   trace (never from the model), says.
3. Simulated students: a mistake is named where it changes a field's own formula, the fields
   that only inherit it are ``carried`` — across samples and into step 2 — and nothing else is
   named.
"""
import math

import pytest

from exercises.generation.fields import locate, value_at
from exercises.grading import evaluate, grade_submission
from tracer import trace
from tracer.keys import key_of

BASE = {"layers": [2, 2, 1], "activations": "sigmoid", "loss": "mse",
        "weights": [[[0.31, -0.52], [0.77, 0.18]], [[0.64, -0.43]]], "biases": [[0.12, -0.27], [0.05]],
        "inputs": [[0.5, -0.3], [0.2, 0.7], [-0.6, 0.4]], "targets": [[0.2], [0.8], [0.45]],
        "learning_rate": 0.3}
SPECS = {
    "batch, mean, λ": {**BASE, "weight_decay": 0.1},
    "batch, sum, dropout": {**BASE, "reduction": "sum", "dropout": [0.5],
                            "dropout_masks": [[[1, 0]], [[1, 1]], [[0, 1]]]},
    "momentum, 3 steps": {**BASE, "optimizer": "momentum", "iterations": 3, "weight_decay": 0.05},
    "adam, 2 steps, dropout": {**BASE, "optimizer": "adam", "iterations": 2, "dropout": [0.8],
                               "dropout_masks": [[[1, 1]], [[0, 1]], [[1, 1]]]},
    "shared bias, tanh, 2 sgd steps": {**BASE, "bias": "shared", "biases": [0.1, -0.2], "activations": "tanh",
                                       "iterations": 2, "loss": "half_sse"},
}


def _value(result, key):
    return value_at(result, locate(key))


@pytest.mark.parametrize("name", SPECS)
def test_a_correct_student_computes_the_engines_values(name):
    spec, result = SPECS[name], trace(SPECS[name])
    values = evaluate(spec)
    assert len(values) > 50
    for key, value in values.items():
        assert math.isclose(value, _value(result, key), rel_tol=1e-12, abs_tol=1e-15), key


def test_sum_instead_of_mean_multiplies_the_data_term_by_the_batch_size():
    spec = SPECS["batch, mean, λ"]
    result, wrong = trace(spec), evaluate(spec, mistake="sum_instead_of_mean")
    for j, k in ((1, 1), (2, 2)):
        key, w = key_of("dL_dw", 1, j, k), spec["weights"][0][j - 1][k - 1]
        assert wrong[key] == pytest.approx(3 * (result.value("dL_dw", 1, j, k) - 0.1 * w) + 0.1 * w, rel=1e-12)
    assert wrong["dL_db:2:1"] == pytest.approx(3 * result.value("dL_db", 2, 1), rel=1e-12)
    assert wrong["w_new:2:1:1"] == pytest.approx(0.64 - 0.3 * wrong["dL_dw:2:1:1"], rel=1e-12)


def test_state_not_carried_restarts_the_velocity_at_step_two():
    spec = SPECS["momentum, 3 steps"]
    result, wrong = trace(spec), evaluate(spec, mistake="state_not_carried",
                                          scope=["velocity:2:1:1#2"])
    assert wrong["velocity:2:1:1"] == pytest.approx(result.value("velocity", 2, 1, 1), rel=1e-12)
    assert wrong["velocity:2:1:1#2"] == pytest.approx(result.value("dL_dw", 2, 1, 1, iteration=2), rel=1e-12)
    theta = result.value("w", 2, 1, 1, iteration=2)
    assert wrong["w_new:2:1:1#2"] == pytest.approx(theta - 0.3 * wrong["velocity:2:1:1#2"], rel=1e-12)
    # Step 3 carries the wrong velocity: v₃ = μ·v₂ + g₃ with step 3's own gradient.
    assert wrong["velocity:2:1:1#3"] != pytest.approx(result.value("velocity", 2, 1, 1, iteration=3))


def test_missing_bias_correction_steps_with_m_and_v_as_they_are():
    spec = SPECS["adam, 2 steps, dropout"]
    result, wrong = trace(spec), evaluate(spec, mistake="missing_bias_correction", scope=["w_new:1:2:1"])
    m, v = result.value("m", 1, 2, 1), result.value("v", 1, 2, 1)
    assert wrong["w_new:1:2:1"] == pytest.approx(0.77 - 0.3 * m / (math.sqrt(v) + 1e-8), rel=1e-12)
    assert wrong["w_new:1:1:1"] == pytest.approx(result.value("w_new", 1, 1, 1), rel=1e-12)


def test_decay_on_bias_and_missing_weight_decay():
    spec = SPECS["batch, mean, λ"]
    result = trace(spec)
    on_bias = evaluate(spec, mistake="decay_on_bias")
    assert on_bias["dL_db:1:2"] == pytest.approx(result.value("dL_db", 1, 2) + 0.1 * -0.27, rel=1e-12)
    missing = evaluate(spec, mistake="missing_weight_decay")
    assert missing["dL_dw:1:2:1"] == pytest.approx(result.value("dL_dw", 1, 2, 1) - 0.1 * 0.77, rel=1e-12)
    penalty = 0.05 * sum(w * w for layer in spec["weights"] for row in layer for w in row)
    assert missing["loss"] == pytest.approx(result.value("loss") - penalty, rel=1e-12)


def test_dropout_scale_missing_keeps_r_times_f_of_z():
    spec = SPECS["batch, sum, dropout"]
    result, wrong = trace(spec), evaluate(spec, mistake="dropout_scale_missing")
    z = result.value("z", 1, 1, sample=1)
    assert wrong["a:1:1"] == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-12)   # r = 1, no 1/0.5
    assert wrong["a:1:2"] == 0.0                                                 # dropped stays 0
    s = 1 / (1 + math.exp(-result.value("z", 1, 2, sample=3)))
    assert wrong["da_dz:1:2@3"] == pytest.approx(s * (1 - s), rel=1e-12)


# ------------------------------------------------------------------ simulated students

FIELDS = ("delta", "velocity", "m", "v", "dL_dw", "dL_db", "w_new", "b_new")


def _agrees(value, target, before):
    """SPEC §6 step 2 (relabs, rtol 1 %, 4 answer digits), an update's step included, written here."""
    rounding = 0.51 * 10.0 ** (math.floor(math.log10(abs(target))) - 3) if target else 0.0
    if target == 0:
        return abs(value) <= 1e-12
    if abs(value - target) > 0.01 * abs(target) + rounding:
        return False
    step = target - before if before is not None else 0.0
    return before is None or abs((value - before) - step) <= 0.01 * abs(step) + rounding


def _grade(spec, mistake, scope=None, asked=FIELDS):
    """Grade a student who makes ``mistake`` (at ``scope``) and answers to 6 figures; return
    per field (status, ids, kind), kind what an independent classification says it must be:
    ``correct`` (the true value), ``inherits`` (what the student's own earlier answers give)
    or ``own`` (the mistake changed the field's own formula)."""
    from exercises.grading.network import GradingNetwork

    net, true = GradingNetwork(spec), evaluate(spec)
    wrong = evaluate(spec, mistake=mistake, scope=scope)
    keys = [key for key in true if key.split(":")[0] in asked]
    answers = {key: f"{wrong[key]:.6g}" for key in keys}
    student = {key: float(text) for key, text in answers.items()}
    ecf = evaluate(spec, overrides=student)
    result = grade_submission(spec, keys, answers)
    out = {}
    for key in keys:
        before = net.given(key)
        if _agrees(student[key], true[key], before):
            kind = "correct"
        elif _agrees(student[key], ecf[key], student.get(net.previous(key), before)):  # own θ
            kind = "inherits"
        else:
            kind = "own"
        out[key] = (result.fields[key].status, result.fields[key].misconceptions, kind)
    return out


@pytest.mark.parametrize("name, mistake", [
    ("batch, mean, λ", "sum_instead_of_mean"),
    ("batch, mean, λ", "missing_weight_decay"),
    ("batch, mean, λ", "decay_on_bias"),
    ("momentum, 3 steps", "state_not_carried"),
    ("adam, 2 steps, dropout", "missing_bias_correction"),
    ("adam, 2 steps, dropout", "state_not_carried"),
    ("batch, sum, dropout", "dropout_scale_missing"),
    ("batch, sum, dropout", "sum_instead_of_mean"),
])
def test_a_mistake_is_named_where_it_acts_and_carried_where_it_is_inherited(name, mistake):
    graded = _grade(SPECS[name], mistake)
    kinds = {kind for _, _, kind in graded.values()}
    assert {"own", "inherits"} <= kinds, graded
    for key, (status, ids, kind) in graded.items():
        assert set(ids) <= {mistake}, (key, status, ids)
        if kind == "correct":
            assert status == "correct", (key, status)
        elif kind == "inherits":
            assert status in ("carried", "incorrect") and not ids, (key, status, ids)
        else:
            assert status == "incorrect" and ids == (mistake,), (key, status, ids)


def test_a_wrong_step_one_update_is_carried_into_later_steps_and_named_only_where_made():
    spec = SPECS["momentum, 3 steps"]
    graded = _grade(spec, "gradient_ascent", scope=[key_of("w_new", 2, 1, 1)])
    assert graded["w_new:2:1:1"] == ("incorrect", ("gradient_ascent",), "own")
    later = {key: value for key, value in graded.items() if key.endswith(("#2", "#3")) and value[2] != "correct"}
    assert later and all(status == "carried" and not ids for status, ids, _ in later.values()), \
        {key: value for key, value in later.items() if value[0] != "carried"}
    assert all(status == "correct" for key, (status, _, _) in graded.items() if "#" not in key and key != "w_new:2:1:1")


def test_state_not_carried_acts_from_step_two_only():
    graded = _grade(SPECS["momentum, 3 steps"], "state_not_carried")
    assert all(status == "correct" for key, (status, _, _) in graded.items() if "#" not in key)
    assert any(value == ("incorrect", ("state_not_carried",), "own")
               for key, value in graded.items() if key.startswith("velocity") and key.endswith("#2"))
