"""A simulated student who makes exactly one misconception throughout is diagnosed with it.

The student is the student model with ``mistake=…`` (test_grading_model checks it against an
independent scalar reference and, for the seed network, against closed forms by hand). Each
answer must grade: ``correct`` only where the mistake leaves it within tolerance; ``carried``
where it follows correctly from the student's own earlier answers (the error is only
inherited); otherwise ``incorrect`` with the mistake among the misconceptions.
"""
import math

import numpy as np
import pytest

from exercises.grading import MISCONCEPTIONS, evaluate, grade_submission
from exercises.grading.misconceptions import variants
from exercises.grading.network import Network

SHAPES = {
    "2-2-2 sigmoid mse": ([2, 2, 2], "sigmoid", "mse", {}),
    "3-3-2 tanh half_sse": ([3, 3, 2], "tanh", "half_sse", {}),
    "2-3-1 relu sse": ([2, 3, 1], ["relu", "linear"], "sse", {}),
    "2-3-1 leaky_relu sse": ([2, 3, 1], "leaky_relu", "sse", {"leaky_relu_slope": 0.1}),
    "3-4-3 softmax cross_entropy": ([3, 4, 3], ["sigmoid", "softmax"], "cross_entropy", {}),
    "2-2-1 sigmoid bce": ([2, 2, 1], "sigmoid", "bce", {}),
    "2-2-2 shared bias": ([2, 2, 2], "sigmoid", "mse", {"bias": "shared"}),
    "3-3-2 tanh shared bias": ([3, 3, 2], "tanh", "half_sse", {"bias": "shared"}),
    "2-3-2-2 momentum": ([2, 3, 2, 2], ["sigmoid", "tanh", "sigmoid"], "mse", {"optimizer": "momentum"}),
    "2-2-2 adam": ([2, 2, 2], "sigmoid", "sse", {"optimizer": "adam", "learning_rate": 0.1}),
}
ASKED = {
    "default": ("delta", "w_new", "b_new"),
    "updates only": ("w_new", "b_new"),
    "everything": ("z", "a", "loss", "dL_da", "da_dz", "delta", "dL_dw", "dL_db", "w_new", "b_new"),
}


def _draw(sizes, activations, loss, rng, knobs):
    cents = lambda *shape: rng.integers(-100, 101, shape) / 100  # noqa: E731 — two decimals, as generated
    spec = {"layers": sizes, "activations": activations, "loss": loss, "learning_rate": 0.5,
            "weights": [cents(n, m).tolist() for m, n in zip(sizes, sizes[1:])], "inputs": cents(sizes[0]).tolist()}
    spec.update(knobs)
    shared = spec.get("bias") == "shared"
    spec["biases"] = [cents().item() if shared else (cents(n) / 2).tolist() for n in sizes[1:]]
    targets = rng.integers(5, 96, sizes[-1]) / 100
    spec["targets"] = (targets / targets.sum()).tolist() if loss == "cross_entropy" else targets.tolist()
    return spec


def _digits(spec, values):
    """SPEC §5: the fewest figures (4–8) at which every update moves by ≥ 10 units; else None."""
    net = Network(spec)
    for digits in range(4, 9):
        if all(values[k] == net.given(k) or abs(values[k] - net.given(k))
               >= 10 * 10 ** (math.floor(math.log10(abs(values[k]))) - digits + 1)
               for k in values if net.given(k) is not None):
            return digits
    return None


def good_exercise(name):
    """The first seed giving a hand exercise as generation would (|z| ≤ 4, ReLU |z| ≥ 0.05)."""
    sizes, activations, loss, knobs = SHAPES[name]
    for seed in range(1000):
        spec = _draw(sizes, activations, loss, np.random.default_rng(seed), knobs)
        values = evaluate(spec)
        z = [v for k, v in values.items() if k.startswith("z:")]
        if max(map(abs, z)) <= 4 and min(map(abs, z)) >= 0.05 and _digits(spec, values):
            return spec, _digits(spec, values)
    raise AssertionError(f"no good exercise for {name}")


EXERCISES = {name: good_exercise(name) for name in SHAPES}


def _agrees(value, true, before):
    """SPEC §6's default tolerance and step rule, written out independently of the grader."""
    if abs(value - true) > 1e-5 + 1e-2 * abs(true):
        return False
    if before is None:
        return True
    step, true_step = value - before, true - before
    return np.sign(step) == np.sign(true_step) and 0.5 * abs(true_step) <= abs(step) <= 1.5 * abs(true_step)


def _cases():
    for name, (spec, _) in EXERCISES.items():
        net = Network(spec)
        for mistake in MISCONCEPTIONS:
            for param in variants(net, mistake):
                yield pytest.param(name, mistake, param, id=f"{name}-{mistake}-{param}")


@pytest.mark.parametrize("name, mistake, param", list(_cases()))
def test_a_student_making_one_mistake_throughout_is_diagnosed(name, mistake, param):
    spec, digits = EXERCISES[name]
    net, true = Network(spec), evaluate(spec)
    wrong = evaluate(spec, mistake=mistake, param=param)
    diagnosed = changed = 0
    for quantities in ASKED.values():
        fields = [key for key in true if key.split(":")[0] in quantities]
        answers = {key: f"{wrong[key]:.{digits}g}" for key in fields}
        student = {key: float(text) for key, text in answers.items()}
        carried = evaluate(spec, overrides=student)
        result = grade_submission(spec, fields, answers)
        for key in fields:
            grade, before = result.fields[key], net.given(key)
            if _agrees(student[key], true[key], before):
                assert grade.status == "correct", (key, grade)
                continue
            changed += 1
            if _agrees(student[key], carried[key], before):
                assert grade.status == "carried", (key, grade)
                assert grade.carried_from
            else:
                assert grade.status == "incorrect", (key, grade)
                assert mistake in grade.misconceptions, (key, grade)
                assert grade.message and "not correct" not in grade.message.lower()
                diagnosed += 1
    # A mistake that changes some answer is diagnosed somewhere.
    assert diagnosed > 0 or changed == 0


OUTPUT_DELTAS = {"delta:2:1", "delta:2:2"}
HIDDEN_DELTAS = {"delta:1:1", "delta:1:2"}
LAYER2 = {"w_new:2:1:1", "w_new:2:1:2", "w_new:2:2:1", "w_new:2:2:2", "b_new:2:1", "b_new:2:2"}
LAYER1 = {"w_new:1:1:1", "w_new:1:1:2", "w_new:1:2:1", "w_new:1:2:2", "b_new:1:1", "b_new:1:2"}
BIASES = {"b_new:1:1", "b_new:1:2", "b_new:2:1", "b_new:2:2"}


# Worked out from each mistake's definition for the seed-shaped 2-2-2 network with every δ, w⁺
# and b⁺ asked: fields whose own formula changes (incorrect), fields it cannot reach (correct),
# and fields that read a changed asked δ where the change is at least a factor 2 (carried).
SEED_TABLE = {
    "target_minus_output": (OUTPUT_DELTAS, set(), HIDDEN_DELTAS | LAYER2),
    "loss_scale": (OUTPUT_DELTAS, set(), HIDDEN_DELTAS | LAYER2),
    "missing_activation_derivative": (OUTPUT_DELTAS | HIDDEN_DELTAS, set(), LAYER2),
    "updated_weights_in_backprop": (HIDDEN_DELTAS, OUTPUT_DELTAS | LAYER2, set()),
    "partial_sum": (HIDDEN_DELTAS, OUTPUT_DELTAS | LAYER2, set()),
    "gradient_ascent": (LAYER1 | LAYER2, OUTPUT_DELTAS | HIDDEN_DELTAS, set()),
    "missing_learning_rate": (LAYER1 | LAYER2, OUTPUT_DELTAS | HIDDEN_DELTAS, set()),
    "bias_not_updated": (BIASES, OUTPUT_DELTAS | HIDDEN_DELTAS | (LAYER1 | LAYER2) - BIASES, set()),
    "pre_activation_as_input": (LAYER2 - BIASES, OUTPUT_DELTAS | HIDDEN_DELTAS | LAYER1 | BIASES, set()),
}


@pytest.mark.parametrize("mistake", SEED_TABLE)
def test_seed_network_statuses_follow_from_where_the_mistake_acts(mistake):
    spec, digits = EXERCISES["2-2-2 sigmoid mse"]
    param = {"loss_scale": 2.0, "partial_sum": 1}.get(mistake)
    wrong = evaluate(spec, mistake=mistake, param=param)
    fields = sorted(OUTPUT_DELTAS | HIDDEN_DELTAS | LAYER1 | LAYER2)
    result = grade_submission(spec, fields, {key: f"{wrong[key]:.{digits}g}" for key in fields})
    incorrect, correct, carried = SEED_TABLE[mistake]
    status = {key: grade.status for key, grade in result.fields.items()}
    assert {key for key, s in status.items() if s == "incorrect"} == incorrect
    assert all(mistake in result.fields[key].misconceptions for key in incorrect)
    assert {key for key, s in status.items() if s == "correct"} >= correct
    assert {key for key, s in status.items() if s == "carried"} >= carried
