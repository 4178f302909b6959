"""Every generated exercise is a good hand exercise (SPEC §5), checked independently.

The checks here do not use the generator's helpers: a small numpy forward/backward pass written
from SPEC §2 recomputes every value, rounding uses ``decimal`` and digit positions use log10.
The step condition is SPEC §5's: every asked update's step is at least 20 times r'(θ⁺), the
rounding part of the tolerance (0.51 units of θ⁺'s last asked figure, plus atol in relabs).
"""

import math
from decimal import Decimal, localcontext

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.generation import BUILTIN_TEMPLATES, Template, generate
from exercises.generation.quality import Assessment

EVERYTHING = ["z", "a", "loss", "dL_da", "da_dz", "delta", "dL_dw", "dL_db", "w_new", "b_new"]
EXTRA_TEMPLATES = {
    "seed-ask-everything": Template.from_dict({"naming": "seed", "ask": EVERYTHING}),
    "relu-activations-and-deltas": Template.from_dict({
        "layers": [2, 4, 1], "activations": ["relu", "linear"], "loss": "half_sse",
        "ask": ["a", "delta"]}),
    "wide-weights": Template.from_dict({
        "layers": [3, 3, 2], "weights": {"low": -3, "high": 3, "decimals": 1},
        "activations": ["leaky_relu", "sigmoid"]}),
    # inputs of 0.00 make exact-zero gradients, which must never be asked
    "zero-inputs": Template.from_dict({
        "inputs": {"low": 0, "high": 0.01, "decimals": 2}, "ask": ["dL_dw"]}),
    # four significant figures, fixed, with many asked values: coincidences are more frequent
    "four-digit-answers": Template.from_dict({
        "layers": [2, 3, 3], "ask": ["delta", "dL_dw"], "answer_digits": 4}),
    "deep-shared-bias": Template.from_dict({
        "layers": [2, 3, 2, 2], "activations": ["tanh", "leaky_relu", "sigmoid"], "loss": "sse",
        "bias": "shared", "ask": ["delta", "dL_db", "w_new", "b_new"]}),
}


def one_sgd_step(template) -> bool:
    """Whether ``reference`` below models the template: one sample, one plain SGD step. The
    batch, multi-step, Adam, momentum, L2 and dropout built-ins are checked against the
    engine's own trace in test_generation_digits.py (the engine is checked against finite
    differences and hand formulas in tests/tracer)."""
    return (template.batch == 1 and template.iterations == 1 and template.optimizer == "sgd"
            and not template.weight_decay and template.dropout is None)


TEMPLATES = {name: template for name, template in {**BUILTIN_TEMPLATES, **EXTRA_TEMPLATES}.items()
             if one_sgd_step(template)}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


ACTIVATE = {
    "sigmoid": _sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z), "linear": lambda z: z,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(),
}
DERIVATIVE = {
    "sigmoid": lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0) * 1.0, "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.01),
    "linear": lambda z: np.ones_like(z),
}


def reference(spec):
    """Every value of one SGD step of the spec's network, keyed by field key (SPEC §2 by hand)."""
    sizes, acts, eta = spec["layers"], spec["activations"], spec["learning_rate"]
    depth = len(sizes) - 1
    weights = [np.array(w) for w in spec["weights"]]
    if spec["bias"] == "per_unit":
        biases = [np.array(b) for b in spec["biases"]]
    elif spec["bias"] == "shared":
        biases = [np.full(n, b) for n, b in zip(sizes[1:], spec["biases"])]
    else:
        biases = [np.zeros(n) for n in sizes[1:]]
    y = np.array(spec["targets"]).reshape(-1)
    a, z = [np.array(spec["inputs"]).reshape(-1)], [None]
    for l in range(1, depth + 1):
        z.append(weights[l - 1] @ a[l - 1] + biases[l - 1])
        a.append(ACTIVATE[acts[l - 1]](z[l]))
    out, n = a[depth], sizes[-1]
    loss = {"mse": lambda: np.mean((y - out) ** 2), "half_sse": lambda: 0.5 * np.sum((y - out) ** 2),
            "sse": lambda: np.sum((y - out) ** 2), "cross_entropy": lambda: -np.sum(y * np.log(out))}
    values = {"loss": loss[spec["loss"]]()}
    delta = [None] * (depth + 1)
    for l in range(depth, 0, -1):
        if l == depth:
            factor = {"mse": 2.0 / n, "half_sse": 1.0, "sse": 2.0, "cross_entropy": None}[spec["loss"]]
            dl_da = None if factor is None else factor * (out - y)
            delta[l] = out - y if acts[-1] == "softmax" else dl_da * DERIVATIVE[acts[-1]](z[l])
        else:
            dl_da = weights[l].T @ delta[l + 1]
            delta[l] = dl_da * DERIVATIVE[acts[l - 1]](z[l])
        grad_w = np.outer(delta[l], a[l - 1])
        for j in range(sizes[l]):
            unit = f"{l}:{j + 1}"
            values |= {f"z:{unit}": z[l][j], f"a:{unit}": a[l][j], f"delta:{unit}": delta[l][j]}
            if dl_da is not None:
                values[f"dL_da:{unit}"] = dl_da[j]
            if acts[l - 1] != "softmax":
                values[f"da_dz:{unit}"] = DERIVATIVE[acts[l - 1]](z[l])[j]
            if spec["bias"] == "per_unit":
                values[f"dL_db:{unit}"] = delta[l][j]
                values[f"b_new:{unit}"] = biases[l - 1][j] - eta * delta[l][j]
            for k in range(sizes[l - 1]):
                values[f"dL_dw:{unit}:{k + 1}"] = grad_w[j, k]
                values[f"w_new:{unit}:{k + 1}"] = weights[l - 1][j, k] - eta * grad_w[j, k]
        if spec["bias"] == "shared":
            values[f"dL_db:{l}"] = delta[l].sum()
            values[f"b_new:{l}"] = spec["biases"][l - 1] - eta * delta[l].sum()
    return values, z


def given_numbers(spec):
    """Every number an exercise shows."""
    found = list(np.ravel(spec["inputs"])) + list(np.ravel(spec["targets"])) + [spec["learning_rate"]]
    for w in spec["weights"]:
        found += list(np.ravel(w))
    if spec["biases"] is not None:
        for b in spec["biases"]:
            found += list(np.ravel(b))
    return [float(v) for v in found]


def rounded(value, digits):
    with localcontext() as context:
        context.prec = digits
        return +Decimal(value)


def before_update(spec, key):
    quantity, *index = key.split(":")
    layer, unit = int(index[0]), (int(index[1]) if len(index) > 1 else None)
    if quantity == "w_new":
        return spec["weights"][layer - 1][unit - 1][int(index[2]) - 1]
    return spec["biases"][layer - 1] if unit is None else spec["biases"][layer - 1][unit - 1]


def step_is_large_enough(updated, theta, digits, atol=0.0):
    last_digit = 10.0 ** (math.floor(math.log10(abs(updated))) - digits + 1)
    return abs(updated - theta) >= 20 * (0.51 * last_digit + atol)


def check_good(exercise):
    """Assert every condition of SPEC §5 with computations independent of the generator."""
    spec, digits = exercise.spec, exercise.answer_digits
    values, z = reference(spec)
    assert exercise.expected.keys() == {f.key for f in exercise.fields}
    for key, value in exercise.expected.items():
        assert math.isclose(value, values[key], rel_tol=1e-12, abs_tol=1e-15), key
    inactive_relu = False
    for l, activation in enumerate(spec["activations"], start=1):
        assert np.all(np.abs(z[l]) <= 4), f"|z| > 4 in layer {l}"
        if activation in ("relu", "leaky_relu"):
            assert np.all(np.abs(z[l]) >= 0.05), f"a ReLU unit of layer {l} is at its kink"
            inactive_relu |= activation == "relu" and bool(np.any(z[l] < 0))
    shown = {rounded(v, digits) for v in given_numbers(spec)}
    asked = set()
    for key, value in exercise.expected.items():
        if value == 0.0:
            assert inactive_relu and key.split(":")[0] in ("a", "da_dz", "delta", "dL_da",
                                                           "dL_dw", "dL_db"), key
            continue
        assert rounded(value, digits) != 0, key
        assert rounded(value, digits) not in shown, f"{key} equals a given value"
        asked.add(value)
    # equal floats are one number by definition (δ and ∂L/∂b); different ones must not agree
    assert len({rounded(value, digits) for value in asked}) == len(asked), "two asked values agree"
    updates = {key: (value, before_update(spec, key)) for key, value in exercise.expected.items()
               if key.startswith(("w_new", "b_new"))}
    atol = exercise.tolerance["atol"] or 0.0
    for key, (updated, theta) in updates.items():
        assert step_is_large_enough(updated, theta, digits, atol), key
    if exercise.template["answer_digits"] != "auto":
        assert digits == exercise.template["answer_digits"]     # the template's, never raised


@settings(max_examples=60, deadline=None)
@given(template_id=st.sampled_from(sorted(TEMPLATES)), seed=st.integers(0, 2 ** 31 - 1))
def test_every_generated_exercise_is_a_good_hand_exercise(template_id, seed):
    check_good(generate(TEMPLATES[template_id], seed))


def test_every_builtin_gives_good_exercises_for_the_first_seeds():
    for template_id, template in TEMPLATES.items():
        for seed in range(15):
            check_good(generate(template, seed))


def test_inactive_relu_units_may_show_exact_zeros_when_no_update_is_asked():
    template = EXTRA_TEMPLATES["relu-activations-and-deltas"]
    zeros = 0
    for seed in range(30):
        exercise = generate(template, seed)
        zeros += sum(value == 0.0 for value in exercise.expected.values())
        check_good(exercise)
    assert zeros > 0


def test_relu_units_are_all_active_when_their_weights_updates_are_asked():
    for seed in range(30):
        exercise = generate(BUILTIN_TEMPLATES["relu-2-3-1"], seed)
        _, z = reference(exercise.spec)
        assert np.all(z[1] >= 0.05)


def test_a_tiny_learning_rate_with_auto_digits_asks_for_more_digits():
    template = BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides({"learning_rate": 0.001})
    for seed in range(3):
        exercise = generate(template, seed)
        assert 4 < exercise.answer_digits <= 8
        check_good(exercise)


def assess(spec, trace, expected, digits, tolerance=None):
    """The Assessment's verdict from ``digits`` answer digits up, as the generator uses it."""
    symbols = {key: key for key in expected}
    tolerance = tolerance or {"mode": "relabs", "rtol": 0.01, "atol": 0.0, "digits": None}
    assessment = Assessment(spec, trace, expected, symbols, tolerance)
    for candidate in range(digits, 9):
        if assessment.passes(candidate):
            return (candidate, None)
    return (None, assessment.failures(8, first_only=True)[0].condition)


class StubTrace:
    """Stands in for an engine trace whose z values are chosen by the test."""

    def __init__(self, spec, z):
        self.spec, self.z = spec, z

    def value(self, quantity, layer=None, unit=None, source=None, sample=None, iteration=1):
        if quantity == "z":
            return self.z[(layer, unit)]
        if quantity == "w":
            return self.spec["weights"][layer - 1][unit - 1][source - 1]
        return self.spec["biases"][layer - 1][unit - 1]


def relu_spec():
    from tracer import normalize
    return normalize({"layers": [2, 2, 1], "activations": ["relu", "linear"], "loss": "half_sse",
                      "weights": [[[0.3, -0.4], [0.6, 0.2]], [[0.7, -0.8]]],
                      "biases": [[0.1, 0.2], [0.3]], "inputs": [0.5, 0.9], "targets": [0.25],
                      "learning_rate": 0.5})


def test_an_exact_zero_is_rejected_unless_an_inactive_relu_unit_makes_it():
    spec = relu_spec()
    z = {(1, 1): -0.5, (1, 2): 0.75, (2, 1): 0.35}     # unit h1 is inactive
    inactive = {"a:1:1": 0.0, "delta:1:1": 0.0, "dL_dw:1:1:2": 0.0, "dL_dw:2:1:1": 0.0,
                "delta:1:2": 0.1234}
    assert assess(spec, StubTrace(spec, z), inactive, 4) == (4, None)
    for key in ("delta:1:2", "dL_dw:2:1:2", "a:1:2", "z:1:1"):
        verdict = assess(spec, StubTrace(spec, z), {**inactive, key: 0.0}, 4)
        assert verdict == (None, "rounds_to_zero"), key


def test_an_update_needs_a_step_of_20_rounding_allowances_at_the_digits_checked():
    spec = relu_spec()
    z = {(1, 1): 0.5, (1, 2): 0.75, (2, 1): 0.35}
    # w⁽¹⁾₁₁ = 0.3; a step must be at least 20·0.51 units of the last asked figure of θ⁺:
    # 0.003 ≥ 10.2·1e-4 at 4 figures; 0.0003 needs 5 (10.2·1e-5); 0.00003 needs 6.
    for updated, digits in ((0.297, 4), (0.2997, 5), (0.29997, 6), (0.2999997, 8)):
        assert assess(spec, StubTrace(spec, z), {"w_new:1:1:1": updated}, 4) == (digits, None)
    # 0.00099 is under 20·0.51e-4 = 0.00102: 4 figures fail, 5 pass
    assert assess(spec, StubTrace(spec, z), {"w_new:1:1:1": 0.29901}, 4) == (5, None)
    for updated in (0.29999997, 0.3):
        assert assess(spec, StubTrace(spec, z), {"w_new:1:1:1": updated}, 4) == (None, "step_size")


def test_the_step_condition_uses_the_whole_allowance_in_sigfig_mode():
    spec = relu_spec()
    z = {(1, 1): 0.5, (1, 2): 0.75, (2, 1): 0.35}
    sigfig = {"mode": "sigfig", "rtol": None, "atol": None, "digits": 2}
    # 2 significant figures of θ⁺ ≈ 0.2: r' = 0.51·0.01, so the step must reach 0.102
    assert assess(spec, StubTrace(spec, z), {"w_new:1:1:1": 0.197}, 4, sigfig) == (4, None)
    assert assess(spec, StubTrace(spec, z), {"w_new:1:1:1": 0.21}, 4, sigfig) == (None, "step_size")


def test_zeros_propagate_back_through_a_wholly_inactive_relu_layer():
    from tracer import normalize
    spec = normalize({"layers": [2, 2, 2, 1], "activations": ["relu", "relu", "linear"],
                      "loss": "half_sse", "weights": [[[0.3, -0.4], [0.6, 0.2]],
                                                      [[0.7, -0.8], [0.1, 0.9]], [[0.5, 0.4]]],
                      "inputs": [0.5, 0.9], "targets": [0.25], "learning_rate": 0.5})
    z = {(1, 1): 0.5, (1, 2): 0.6, (2, 1): -0.5, (2, 2): -0.6, (3, 1): 0.3}
    # layer 2 is all inactive, so the active layer 1 receives δ = 0 as well
    zeros = {"delta:1:1": 0.0, "dL_da:1:2": 0.0, "dL_dw:1:2:1": 0.0, "dL_dw:3:1:2": 0.0,
             "dL_db:1:1": 0.0, "delta:3:1": 0.1234}
    assert assess(spec, StubTrace(spec, z), zeros, 4) == (4, None)
    assert assess(spec, StubTrace(spec, z), {**zeros, "dL_da:2:1": 0.0}, 4)[0] is None


def test_an_asked_value_may_not_equal_the_leaky_slope_or_a_layer_size():
    from tracer import normalize
    spec = normalize({"layers": [2, 3, 1], "activations": ["leaky_relu", "linear"], "loss": "half_sse",
                      "weights": [[[0.3, -0.4], [0.6, 0.2], [0.1, 0.5]], [[0.7, -0.8, 0.4]]],
                      "inputs": [0.5, 0.9], "targets": [0.25], "learning_rate": 0.5,
                      "leaky_relu_slope": 0.03})
    z = {(1, 1): 0.5, (1, 2): 0.75, (1, 3): -0.2, (2, 1): 0.35}
    assert assess(spec, StubTrace(spec, z), {"a:1:3": -0.002}, 4) == (4, None)
    for value in (0.03, 0.030001, 3.0, 1.0):     # the slope, and the sizes 3 and 1 of the layers
        assessment = Assessment(spec, StubTrace(spec, z), {"a:1:3": value}, {"a:1:3": "h3"},
                                {"mode": "relabs", "rtol": 0.01, "atol": 0.0, "digits": None})
        assert [c.condition for c in assessment.failures(4)] == ["equals_given"], value
