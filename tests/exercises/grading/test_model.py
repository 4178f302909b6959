"""The student model (exercises.grading.model) against three independent computations.

1. ``tracer.trace``: a correct student must compute exactly the engine's values.
2. ``reference`` below: a scalar, loop-by-loop rewrite of SPEC §2 and §6 with every
   misconception and with overrides, checked itself against finite differences of its loss.
3. Closed forms worked by hand for the seed post's 2-2-2 network (SPEC §3's example).
"""
import math

import numpy as np
import pytest

from exercises.grading.misconceptions import MISCONCEPTIONS, variants
from exercises.grading.model import evaluate
from exercises.grading.network import GradingNetwork
from tracer import normalize, trace
from tracer.keys import key_of

SEED = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30], "targets": [0.20, 0.90],
    "learning_rate": 0.5,
}


def _spec(sizes, activations, loss, rng, bias="per_unit", **knobs):
    spec = {"layers": sizes, "activations": activations, "loss": loss, "bias": bias,
            "weights": [rng.uniform(-1, 1, (n, m)).round(2).tolist() for m, n in zip(sizes, sizes[1:])],
            "inputs": rng.uniform(-1, 1, sizes[0]).round(2).tolist(), "learning_rate": 0.5, **knobs}
    if bias == "per_unit":
        spec["biases"] = [rng.uniform(-0.5, 0.5, n).round(2).tolist() for n in sizes[1:]]
    elif bias == "shared":
        spec["biases"] = rng.uniform(-0.5, 0.5, len(sizes) - 1).round(2).tolist()
    if loss == "cross_entropy":
        raw = rng.uniform(0.1, 1, sizes[-1])
        spec["targets"] = (raw / raw.sum()).tolist()
    else:
        spec["targets"] = rng.uniform(0.05, 0.95, sizes[-1]).round(2).tolist()
    return spec


_SHAPES = [
    ([2, 2, 2], "sigmoid", "mse", {}),
    ([3, 3, 2], "tanh", "half_sse", {"bias": "shared"}),
    ([2, 3, 1], ["relu", "linear"], "sse", {}),
    ([2, 3, 1], ["leaky_relu", "sigmoid"], "sse", {"leaky_relu_slope": 0.1}),
    ([3, 4, 3], ["sigmoid", "softmax"], "cross_entropy", {}),
    ([2, 2, 1], "sigmoid", "bce", {"bias": "none"}),
    ([2, 3, 3], ["tanh", "softmax"], "mse", {"optimizer": "momentum"}),
    ([2, 3, 2, 2], ["sigmoid", "tanh", "sigmoid"], "mse", {"optimizer": "adam"}),
    ([3, 2, 3, 2], ["relu", "sigmoid", "linear"], "half_sse", {"update_biases": False}),
    ([2, 2, 2, 2], "tanh", "sse", {"bias": "shared", "optimizer": {"name": "momentum", "momentum": 0.5}}),
]
ARCHITECTURES = [_spec(sizes, act, loss, np.random.default_rng(i), **knobs)
                 for i, (sizes, act, loss, knobs) in enumerate(_SHAPES)]


# ---------------------------------------------------------------- the scalar reference


def _sigma(x):
    return 1.0 / (1.0 + math.exp(-x))


def _activate(name, zs, slope):
    if name == "softmax":
        top = max(zs)
        e = [math.exp(z - top) for z in zs]
        return [v / sum(e) for v in e]
    table = {"sigmoid": _sigma, "tanh": math.tanh, "relu": lambda z: z if z > 0 else 0.0,
             "leaky_relu": lambda z: z if z > 0 else slope * z, "linear": lambda z: z}
    return [table[name](z) for z in zs]


def _derivative(name, z, a, slope, at_output):
    if at_output:  # derivative_of_activation_output: f' evaluated at a
        return _sigma(a) * (1 - _sigma(a)) if name == "sigmoid" else 1 - math.tanh(a) ** 2
    return {"sigmoid": a * (1 - a), "tanh": 1 - a * a, "relu": 1.0 if z > 0 else 0.0,
            "leaky_relu": 1.0 if z > 0 else slope, "linear": 1.0}[name]


def reference(spec, mistake=None, param=None, overrides=None):
    """Every value of one training step, one scalar at a time, with ``mistake`` throughout."""
    spec, ov, out = normalize(spec), overrides or {}, {}

    def put(key, value):
        out[key] = value
        return ov.get(key, value)

    sizes, acts, slope, loss = spec["layers"], spec["activations"], spec["leaky_relu_slope"], spec["loss"]
    depth, W, eta, opt = len(sizes) - 1, spec["weights"], spec["learning_rate"], spec["optimizer"]
    x, y = spec["inputs"][0], spec["targets"][0]

    def w(l, j, k):  # the weight the student reads for j ← k in layer l (0-based units)
        square = sizes[l] == sizes[l - 1]
        return W[l - 1][k][j] if mistake == "swapped_weight_indices" and square else W[l - 1][j][k]

    def bias(l, j):
        if spec["bias"] == "none":
            return 0.0
        return spec["biases"][l - 1][j] if spec["bias"] == "per_unit" else spec["biases"][l - 1]

    a, z = {0: list(x)}, {}
    for l in range(1, depth + 1):
        z[l] = [put(f"z:{l}:{j + 1}", sum(w(l, j, k) * a[l - 1][k] for k in range(sizes[l - 1]))
                    + (0.0 if mistake == "missing_bias" else bias(l, j))) for j in range(sizes[l])]
        a[l] = [put(f"a:{l}:{j + 1}", v) for j, v in enumerate(_activate(acts[l - 1], z[l], slope))]
    n, yhat = sizes[-1], a[depth]
    term = {"mse": lambda p, t: (p - t) ** 2 / n, "half_sse": lambda p, t: (p - t) ** 2 / 2,
            "sse": lambda p, t: (p - t) ** 2,
            "bce": lambda p, t: -(t * math.log(p) + (1 - t) * math.log(1 - p)) / n,
            "cross_entropy": lambda p, t: -t * math.log(p)}[loss]
    put("loss", sum(term(p, t) for p, t in zip(yhat, y)))
    delta, new_w = {}, {}
    sign = -1.0 if mistake == "target_minus_output" else 1.0
    # The opposite δ convention: δ = −∂L/∂z throughout, so ∂L/∂w = −δ·a.
    opposite = mistake == "opposite_delta_convention"
    gradient_sign = -1.0 if opposite else 1.0
    for l in range(depth, 0, -1):
        name, units = acts[l - 1], range(sizes[l])
        fused = l == depth and loss in ("bce", "cross_entropy")
        if not fused and l == depth:
            c = param if mistake == "loss_scale" else {"mse": 2 / n, "half_sse": 1.0, "sse": 2.0}[loss]
            g = [put(f"dL_da:{l}:{j + 1}", sign * c * (a[l][j] - y[j])) for j in units]
        elif not fused:
            above = [i for i in range(sizes[l + 1])]
            if mistake == "partial_sum" and 2 <= sizes[l + 1] and param <= sizes[l + 1]:
                above = [param - 1]
            weight = (lambda i, j: new_w[l + 1][i][j]) if mistake == "updated_weights_in_backprop" \
                else (lambda i, j: w(l + 1, i, j))
            g = [put(f"dL_da:{l}:{j + 1}", sum(weight(i, j) * delta[l + 1][i] for i in above)) for j in units]
        if name != "softmax":
            wrong_point = mistake == "derivative_of_activation_output" and name in ("sigmoid", "tanh")
            d = [put(f"da_dz:{l}:{j + 1}", _derivative(name, z[l][j], a[l][j], slope, wrong_point)) for j in units]
        if fused and name == "sigmoid" and mistake in ("missing_activation_derivative", "derivative_of_activation_output"):
            g = [(a[l][j] - y[j]) / (a[l][j] * (1 - a[l][j])) / n for j in units]
            fused = False
        if fused:
            values = [sign * (a[l][j] - y[j]) / (n if loss == "bce" else 1) for j in units]
        elif mistake == "missing_activation_derivative" and name not in ("linear", "softmax"):
            values = g
        elif name == "softmax":
            values = [a[l][j] * (g[j] - sum(g[i] * a[l][i] for i in units)) for j in units]
        else:
            values = [g[j] * d[j] for j in units]
        if opposite and l == depth:
            values = [-v for v in values]  # δ = −∂L/∂z at the output; hidden δ follow from it
        delta[l] = [put(f"delta:{l}:{j + 1}", v) for j, v in enumerate(values)]
        source = z[l - 1] if mistake == "pre_activation_as_input" and l >= 2 else a[l - 1]
        new_w[l] = [[_new(put, opt, eta, mistake, f"{l}:{j + 1}:{k + 1}", w(l, j, k),
                          put(f"dL_dw:{l}:{j + 1}:{k + 1}", gradient_sign * delta[l][j] * source[k]),
                          False)
                     for k in range(sizes[l - 1])] for j in units]
        if spec["bias"] != "none":
            shared = spec["bias"] == "shared"
            for j in [None] if shared else units:
                place = f"{l}" if shared else f"{l}:{j + 1}"
                g_b = put(f"dL_db:{place}",
                          gradient_sign * (sum(delta[l]) if shared else delta[l][j]))
                if spec["update_biases"]:
                    _new(put, opt, eta, mistake, place, bias(l, j or 0), g_b, True)
    return out


def _new(put, opt, eta, mistake, place, theta, g, is_bias):
    prefix = "b" if is_bias else "w"
    if opt["name"] == "sgd":
        step = eta * g
    elif opt["name"] == "momentum":
        step = eta * put(f"velocity:{place}", g)
    else:
        m = put(f"m:{place}", (1 - opt["beta1"]) * g)
        v = put(f"v:{place}", (1 - opt["beta2"]) * g * g)
        if mistake == "missing_bias_correction":   # m and v used as they are
            step = eta * m / (math.sqrt(v) + opt["eps"])
        else:
            step = eta * (m / (1 - opt["beta1"])) / (math.sqrt(v / (1 - opt["beta2"])) + opt["eps"])
    new = theta - step
    if mistake == "gradient_ascent":
        new = theta + (theta - new)
    elif mistake == "missing_learning_rate":
        new = theta - (theta - new) / eta
    elif mistake == "bias_not_updated" and is_bias:
        new = theta
    return put(f"{prefix}_new:{place}", new)


def _close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# ---------------------------------------------------------------- the reference itself


@pytest.mark.parametrize("spec", ARCHITECTURES)
def test_reference_gradients_match_finite_differences_of_its_loss(spec):
    values = reference(spec)
    h = 1e-6
    for l, matrix in enumerate(spec["weights"], 1):
        for j, row in enumerate(matrix):
            for k in range(len(row)):
                def loss_at(shift):
                    moved = {**spec, "weights": [[list(r) for r in m] for m in spec["weights"]]}
                    moved["weights"][l - 1][j][k] += shift
                    return reference(moved)["loss"]
                numeric = (loss_at(h) - loss_at(-h)) / (2 * h)
                assert abs(values[f"dL_dw:{l}:{j + 1}:{k + 1}"] - numeric) < 1e-7


# ---------------------------------------------------------------- the evaluator


@pytest.mark.parametrize("spec", [SEED, *ARCHITECTURES])
def test_correct_student_computes_exactly_the_engine_trace(spec):
    values = evaluate(spec)
    rows = [row for row in trace(spec).numeric_rows() if row[3] != "input"]
    assert len(rows) == len(values)
    for _, _, _, _, layer, unit, source, quantity, value in rows:
        key = "loss" if quantity == "loss" else key_of(quantity, layer, unit, source)
        assert _close(values[key], value, 1e-12), key


@pytest.mark.parametrize("seed", range(30))
def test_correct_student_matches_trace_on_random_networks(seed):
    rng = np.random.default_rng(100 + seed)
    depth = int(rng.integers(1, 4))
    sizes = rng.integers(1, 4, depth + 1).tolist()
    hidden = rng.choice(["sigmoid", "tanh", "relu", "leaky_relu", "linear"], depth - 1).tolist()
    output, loss = [("sigmoid", "mse"), ("linear", "sse"), ("sigmoid", "bce"), ("softmax", "cross_entropy"),
                    ("tanh", "half_sse")][seed % 5]
    knobs = {"bias": ["per_unit", "shared", "none"][seed % 3], "optimizer": ["sgd", "momentum", "adam"][seed % 3 - 1]}
    spec = _spec(sizes, hidden + [output], loss, rng, **knobs)
    values = evaluate(spec)
    for _, _, _, phase, layer, unit, source, quantity, value in trace(spec).numeric_rows():
        if phase != "input":
            key = "loss" if quantity == "loss" else key_of(quantity, layer, unit, source)
            assert _close(values[key], value, 1e-12), key


def _cases():
    for spec in [SEED, *ARCHITECTURES]:
        net = GradingNetwork(spec)
        for mistake in MISCONCEPTIONS:
            for param in variants(net, mistake):
                yield pytest.param(spec, mistake, param, id=f"{spec['layers']}-{spec['loss']}-{mistake}-{param}")


@pytest.mark.parametrize("spec, mistake, param", list(_cases()))
def test_every_misconception_matches_the_scalar_reference(spec, mistake, param):
    expected = reference(spec, mistake, param)
    assert evaluate(spec, mistake=mistake, param=param).keys() == expected.keys()
    for key, value in evaluate(spec, mistake=mistake, param=param).items():
        assert _close(value, expected[key]), key
    # The same with the student's own (wrong) values for a few upstream quantities.
    truth = reference(spec)
    overrides = {key: truth[key] * 1.5 + 0.01 for key in truth
                 if key.startswith(("delta:", "a:1:", "w_new:"))}
    expected = reference(spec, mistake, param, overrides)
    for key, value in evaluate(spec, overrides, mistake, param).items():
        assert _close(value, expected[key]), key


# ---------------------------------------------------------------- the seed network by hand


def _seed_by_hand():
    s = _sigma
    h1, h2 = s(0.10 * 0.50 - 0.20 * -0.30 + 0.10), s(0.30 * 0.50 + 0.40 * -0.30 - 0.10)
    y1, y2 = s(0.50 * h1 - 0.60 * h2 + 0.20), s(0.70 * h1 + 0.20 * h2 + 0.05)
    d1, d2 = (y1 - 0.20) * y1 * (1 - y1), (y2 - 0.90) * y2 * (1 - y2)  # mse over n = 2: 2/n = 1
    return h1, h2, y1, y2, d1, d2


def test_correct_values_of_the_seed_network_by_hand():
    h1, h2, y1, y2, d1, d2 = _seed_by_hand()
    values = evaluate(SEED)
    assert _close(values["delta:2:1"], d1) and _close(values["delta:2:2"], d2)
    assert _close(values["delta:1:1"], (0.50 * d1 + 0.70 * d2) * h1 * (1 - h1))
    assert _close(values["delta:1:2"], (-0.60 * d1 + 0.20 * d2) * h2 * (1 - h2))
    assert _close(values["w_new:2:1:2"], -0.60 - 0.5 * d1 * h2)  # w7: h2 → ŷ1
    assert _close(values["b_new:2:2"], 0.05 - 0.5 * d2)
    assert _close(values["loss"], ((y1 - 0.20) ** 2 + (y2 - 0.90) ** 2) / 2)


def test_mistaken_values_of_the_seed_network_by_hand():
    h1, h2, y1, y2, d1, d2 = _seed_by_hand()
    s = _sigma

    def wrong(mistake, param=None):
        return evaluate(SEED, mistake=mistake, param=param)

    w5_new, w6_new = 0.50 - 0.5 * d1 * h1, 0.70 - 0.5 * d2 * h1
    assert _close(wrong("updated_weights_in_backprop")["delta:1:1"], (w5_new * d1 + w6_new * d2) * h1 * (1 - h1))
    assert _close(wrong("missing_activation_derivative")["delta:2:1"], y1 - 0.20)
    assert _close(wrong("missing_activation_derivative")["delta:1:1"], 0.50 * (y1 - 0.20) + 0.70 * (y2 - 0.90))
    assert _close(wrong("derivative_of_activation_output")["delta:2:2"], (y2 - 0.90) * s(y2) * (1 - s(y2)))
    assert _close(wrong("target_minus_output")["delta:2:1"], (0.20 - y1) * y1 * (1 - y1))
    assert _close(wrong("target_minus_output")["delta:1:2"], -(-0.60 * d1 + 0.20 * d2) * h2 * (1 - h2))
    assert _close(wrong("gradient_ascent")["w_new:2:1:1"], 0.50 + 0.5 * d1 * h1)
    assert _close(wrong("missing_learning_rate")["w_new:2:1:1"], 0.50 - d1 * h1)
    assert _close(wrong("loss_scale", 2.0)["delta:2:1"], 2 * (y1 - 0.20) * y1 * (1 - y1))
    assert _close(wrong("pre_activation_as_input")["w_new:2:2:1"], 0.70 - 0.5 * d2 * 0.21)  # z_h1 = 0.21
    assert _close(wrong("partial_sum", 2)["delta:1:1"], 0.70 * d2 * h1 * (1 - h1))
    assert _close(wrong("bias_not_updated")["b_new:2:1"], 0.20)
    h1_nb = s(0.10 * 0.50 - 0.20 * -0.30)
    assert _close(wrong("missing_bias")["a:1:1"], h1_nb)
    # Swapped: h1 reads w3 (x1 → h2) for x1 → h1 and w2 for x2 → h2's place.
    assert _close(wrong("swapped_weight_indices")["a:1:1"], s(0.10 * 0.50 + 0.30 * -0.30 + 0.10))


def test_an_override_replaces_a_value_for_everything_downstream_only():
    values = evaluate(SEED, overrides={"delta:2:1": 0.1})
    h1 = _seed_by_hand()[0]
    assert _close(values["w_new:2:1:1"], 0.50 - 0.5 * 0.1 * h1)
    assert values["delta:2:1"] == evaluate(SEED)["delta:2:1"]  # its own value stays the computed one
    assert values["delta:2:2"] == evaluate(SEED)["delta:2:2"]


def test_evaluate_rejects_what_cannot_happen():
    with pytest.raises(ValueError, match="not a value"):
        evaluate(SEED, overrides={"delta:3:1": 0.1})
    with pytest.raises(ValueError, match="loss_scale takes param"):
        evaluate(SEED, mistake="loss_scale")
    with pytest.raises(ValueError, match="cannot occur"):
        evaluate({**SEED, "bias": "none", "biases": None}, mistake="missing_bias")
    with pytest.raises(ValueError, match="unknown misconception"):
        evaluate(SEED, mistake="typo")
    with pytest.raises(ValueError, match="not a value"):
        evaluate(SEED, overrides={"delta:2:1@2": 0.1})  # a one-sample exercise has no sample 2
