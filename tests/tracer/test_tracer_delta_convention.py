"""The ``delta_convention`` knob (SPEC §2): δ = ∂L/∂z (gradient, the default) or δ = −∂L/∂z
(negative, as in Mitchell and Russell–Norvig).

Under ``negative`` δ is checked against finite differences of the independent reference forward
pass and against the seed network worked by hand with Mitchell's formulas; gradients and
updates must not move, and every formula written with δ must carry the sign: each substituted
formula is evaluated back to a number and compared with its value.
"""

import csv
import io
import itertools
import json
import math
import re

import numpy as np
import pytest

from tracer import SpecError, normalize, row_count, trace
from tracer.cli import main
from tracer.functions import ACTIVATIONS

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUTS = [(act, loss) for act in ACTIVATIONS for loss in ("mse", "half_sse", "sse")]
OUTPUTS += [("sigmoid", "bce"), ("softmax", "cross_entropy")]
# Every output activation × loss, each with another hidden activation, bias mode and reduction.
SPREAD = [(HIDDEN[i % 5], output, ("per_unit", "shared", "none")[i % 3], ("mean", "sum")[i % 2])
          for i, output in enumerate(OUTPUTS)]


def negative(spec):
    return dict(spec, delta_convention="negative")


@pytest.mark.parametrize("hidden, output, bias, reduction", SPREAD,
                         ids=[f"{h}-{o[0]}-{o[1]}-{b}-{r}" for h, o, b, r in SPREAD])
def test_negative_delta_is_minus_the_finite_difference_gradient(ref, hidden, output, bias, reduction):
    rng = np.random.default_rng(100 + SPREAD.index((hidden, output, bias, reduction)))
    for sizes, count in (([2, 3, 3], 3), ([3, 3, 2, 3], 1)):
        spec = negative(ref.random_spec(rng, sizes, count, hidden, output[0], output[1], bias, reduction))
        table = ref.collect(trace(spec))
        ref.check_signal_gradients(spec, table, delta_sign=-1.0)  # δ negated; dL_da, da_dz not
        ref.check_parameter_gradients(spec, table)  # dL_dw and dL_db stay gradients


def mitchell_by_hand(ref):
    """The seed's 2-2-2 network in Mitchell's notation: δ_k = (t_k − o_k)·o_k(1 − o_k) (times mse's
    2/n = 1), δ_h = o_h(1 − o_h)·Σ_k w_kh δ_k, w ← w + η·δ·x. W⁽²⁾ = [[w5, w7], [w6, w8]]."""
    x1, x2, y1, y2, eta = 0.50, -0.30, 0.20, 0.90, 0.5
    w1, w2, w3, w4 = 0.10, -0.20, 0.30, 0.40
    w5, w7, w6, w8 = 0.50, -0.60, 0.70, 0.20
    b1, b2, b3, b4 = 0.10, -0.10, 0.20, 0.05
    h1, h2 = ref.sigmoid(x1 * w1 + x2 * w2 + b1), ref.sigmoid(x1 * w3 + x2 * w4 + b2)
    o1, o2 = ref.sigmoid(h1 * w5 + h2 * w7 + b3), ref.sigmoid(h1 * w6 + h2 * w8 + b4)
    d_o1, d_o2 = (y1 - o1) * o1 * (1 - o1), (y2 - o2) * o2 * (1 - o2)
    d_h1 = h1 * (1 - h1) * (w5 * d_o1 + w6 * d_o2)
    d_h2 = h2 * (1 - h2) * (w7 * d_o1 + w8 * d_o2)
    return {
        "δ_ŷ1": d_o1, "δ_ŷ2": d_o2, "δ_h1": d_h1, "δ_h2": d_h2,
        "∂L/∂w5": -d_o1 * h1, "∂L/∂w6": -d_o2 * h1, "∂L/∂w1": -d_h1 * x1, "∂L/∂b3": -d_o1, "∂L/∂b2": -d_h2,
        "w5⁺": w5 + eta * d_o1 * h1, "w6⁺": w6 + eta * d_o2 * h1, "w7⁺": w7 + eta * d_o1 * h2,
        "w8⁺": w8 + eta * d_o2 * h2, "b3⁺": b3 + eta * d_o1, "b4⁺": b4 + eta * d_o2,
        "w1⁺": w1 + eta * d_h1 * x1, "w2⁺": w2 + eta * d_h1 * x2, "w3⁺": w3 + eta * d_h2 * x1,
        "w4⁺": w4 + eta * d_h2 * x2, "b1⁺": b1 + eta * d_h1, "b2⁺": b2 + eta * d_h2,
    }


def test_seed_example_in_the_negative_convention_matches_mitchell_by_hand(ref):
    by_symbol = {row["symbol"]: row["value"] for row in trace(negative(ref.seed_spec())).rows()}
    for symbol, value in mitchell_by_hand(ref).items():
        assert by_symbol[symbol] == pytest.approx(value, rel=1e-12, abs=1e-15), symbol
    # The seed post's numbers: δ_ŷ1 = 0.0858817 with δ = ∂L/∂z, so −0.0858817 here.
    assert by_symbol["δ_ŷ1"] == pytest.approx(-0.08588169183166999, rel=1e-12)


def test_only_the_delta_values_change_sign_and_updates_are_bit_identical(ref):
    spec = ref.seed_spec()
    gradient, flipped = trace(spec), trace(negative(spec))
    for quantity, layer, unit in itertools.product(("delta",), (1, 2), (1, 2)):
        assert flipped.value(quantity, layer, unit) == -gradient.value(quantity, layer, unit)
    for layer, unit, source in itertools.product((1, 2), (1, 2), (1, 2)):
        for quantity in ("dL_dw", "w_new"):
            assert flipped.value(quantity, layer, unit, source).hex() == gradient.value(quantity, layer, unit, source).hex()
        assert flipped.value("b_new", layer, unit).hex() == gradient.value("b_new", layer, unit).hex()
    assert np.array_equal(flipped.array("delta", 2), -gradient.array("delta", 2))
    assert flipped.value("dL_da", 1, 1) == gradient.value("dL_da", 1, 1)  # still ∂L/∂h1


def test_a_zero_delta_is_recorded_as_zero_not_minus_zero(ref):
    # ReLU hidden layer: a_h2 = 0.5·0.3 − 0.3·0.4 − 0.1 = −0.07, so h2 is inactive and δ_h2 = 0.
    result = trace(negative(ref.seed_spec(activations=["relu", "sigmoid"])))
    assert math.copysign(1.0, result.value("delta", 1, 2)) == 1.0
    line = next(line for line in result.to_csv().splitlines() if ",delta,δ_h2," in line)
    assert line.endswith(",0.0")


GRID = list(itertools.product(OUTPUTS, ("per_unit", "shared", "none"), ("sgd", "momentum", "adam"),
                              ("seed", "sequential", "matrix")))


@pytest.mark.parametrize("output, bias, optimizer, naming", GRID,
                         ids=[f"{o[0]}-{o[1]}-{b}-{opt}-{n}" for o, b, opt, n in GRID])
def test_every_knob_combination_traces_with_only_delta_negated(ref, output, bias, optimizer, naming):
    rng = np.random.default_rng(GRID.index((output, bias, optimizer, naming)))
    hidden = HIDDEN[GRID.index((output, bias, optimizer, naming)) % 5]
    spec = ref.random_spec(rng, [2, 3, 2], 2, hidden, output[0], output[1], bias, "mean")
    spec.update(optimizer=optimizer, naming=naming, iterations=2, update_biases=bias != "shared")
    gradient, flipped = trace(spec), trace(negative(spec))
    assert len(flipped) == len(gradient) == row_count(flipped.spec)
    for a, b in zip(gradient.rows(), flipped.rows(), strict=True):
        assert a["symbol"] == b["symbol"]
        if a["quantity"] == "delta":
            assert b["value"] == -a["value"]
            assert b["formula"] != a["formula"]
        else:
            assert b["value"].hex() == a["value"].hex(), a["symbol"]
        if a["quantity"] not in ("delta", "dL_da", "dL_dw", "dL_db"):
            assert (b["formula"], b["substituted"]) == (a["formula"], a["substituted"]), a["symbol"]


# Formulas --------------------------------------------------------------------------------------

def rows_by_symbol(spec):
    return {row["symbol"]: row for row in trace(spec).rows() if row["sample"] in (None, 1)}


def test_output_delta_is_written_target_minus_output_and_gradients_carry_the_minus(ref):
    rows = rows_by_symbol(negative(ref.seed_spec()))
    assert rows["δ_ŷ1"]["formula"] == r"\frac{2}{2}(y_1 - \hat{y}_1) \cdot \frac{\partial \hat{y}_1}{\partial a_{\hat{y}_1}}"
    assert rows["δ_ŷ1"]["substituted"] == r"\frac{2}{2}(0.2 - 0.546527) \cdot 0.247835"
    assert rows["δ_h1"]["formula"] == (r"\left(\delta_{\hat{y}_1} w_5 + \delta_{\hat{y}_2} w_6\right) \cdot "
                                       r"\frac{\partial h_1}{\partial a_{h_1}}")
    assert rows["∂L/∂w5"]["formula"] == r"-\delta_{\hat{y}_1} h_1"
    assert rows["∂L/∂w5"]["substituted"] == r"-(-0.0858817) \cdot 0.552308"
    assert rows["∂L/∂b3"]["formula"] == r"-\delta_{\hat{y}_1}"
    assert rows["∂L/∂h1"]["formula"] == r"-\left(\delta_{\hat{y}_1} w_5 + \delta_{\hat{y}_2} w_6\right)"
    assert rows["∂L/∂ŷ1"]["formula"] == r"\frac{2}{2}(\hat{y}_1 - y_1)"  # a gradient: unchanged
    assert rows["w5⁺"]["formula"] == r"w_5 - \eta \frac{\partial L}{\partial w_5}"  # unchanged


@pytest.mark.parametrize("changes, formula", [
    (dict(loss="half_sse"), r"(y_1 - \hat{y}_1) \cdot \frac{\partial \hat{y}_1}{\partial a_{\hat{y}_1}}"),
    (dict(loss="sse"), r"2(y_1 - \hat{y}_1) \cdot \frac{\partial \hat{y}_1}{\partial a_{\hat{y}_1}}"),
    (dict(loss="bce"), r"\frac{1}{2}(y_1 - \hat{y}_1)"),
    (dict(activations=["tanh", "softmax"], loss="cross_entropy", targets=[0.3, 0.7]), r"y_1 - \hat{y}_1"),
    (dict(activations=["tanh", "softmax"], loss="mse"),
     r"-\hat{y}_1\left(\frac{\partial L}{\partial \hat{y}_1} - (\frac{\partial L}{\partial \hat{y}_1} \hat{y}_1 + "
     r"\frac{\partial L}{\partial \hat{y}_2} \hat{y}_2)\right)"),
])
def test_output_delta_formula_of_each_loss(ref, changes, formula):
    assert rows_by_symbol(negative(ref.seed_spec(**changes)))["δ_ŷ1"]["formula"] == formula


def test_batch_and_shared_bias_gradients_carry_the_minus(ref):
    batch = dict(inputs=[[0.5, -0.3], [0.1, 0.2]], targets=[[0.2, 0.9], [0.1, 0.1]])
    rows = rows_by_symbol(negative(ref.seed_spec(**batch)))
    assert rows["∂L/∂w5"]["formula"] == r"-\frac{1}{2}\sum_{s=1}^{2} {\delta_{\hat{y}_1}}^{[s]} {h_1}^{[s]}"
    assert rows["∂L/∂b3"]["formula"] == r"-\frac{1}{2}\sum_{s=1}^{2} {\delta_{\hat{y}_1}}^{[s]}"
    shared = rows_by_symbol(negative(ref.seed_spec(bias="shared", biases=[0.1, 0.2])))
    assert shared["∂L/∂b⁽²⁾"]["formula"] == r"-\left(\delta_{\hat{y}_1} + \delta_{\hat{y}_2}\right)"


def evaluate(latex):
    """The number a substituted formula of the backward or update phase (sgd) works out to."""
    text = re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", latex)
    while "\\frac" in text:
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", text)
    text = text.replace(r"\left(", "(").replace(r"\right)", ")").replace(r"\cdot", "*").replace("^", "**")
    text = re.sub(r"([\d)])\s*\(", r"\1*(", text)  # juxtaposition is a product: 2(…), (…)(…)
    assert re.fullmatch(r"[\d.e()*/+\- ]+", text), latex
    return eval(text)  # noqa: S307 (digits and operators only, checked above)


SUBSTITUTED_CASES = {
    "seed": {},
    "tanh, half_sse, batch, sum": dict(activations="tanh", loss="half_sse", reduction="sum",
                                       inputs=[[0.5, -0.3], [0.1, 0.2]], targets=[[0.2, 0.9], [0.1, 0.1]]),
    "linear, sse, shared bias": dict(activations="linear", loss="sse", bias="shared", biases=[0.1, 0.2]),
    "sigmoid bce, batch": dict(loss="bce", inputs=[[0.5, -0.3], [0.1, 0.2]], targets=[[0.2, 0.9], [0.1, 0.1]]),
    "softmax cross_entropy": dict(activations=["tanh", "softmax"], loss="cross_entropy", targets=[0.3, 0.7]),
    "softmax mse": dict(activations=["sigmoid", "softmax"], loss="mse"),
    "three outputs, two hidden layers": dict(
        layers=[2, 3, 2, 3], naming="matrix", weights=[[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.1]],
                                                       [[0.2, -0.4, 0.6], [0.3, 0.1, -0.2]],
                                                       [[0.5, -0.5], [0.2, 0.7], [-0.6, 0.1]]],
        biases=[[0.1, 0.0, -0.1], [0.05, 0.1], [0.0, 0.2, -0.2]], targets=[0.1, 0.5, 0.9]),
}


@pytest.mark.parametrize("case", SUBSTITUTED_CASES)
@pytest.mark.parametrize("convention", ["gradient", "negative"])
def test_substituted_formulas_work_out_to_their_values(ref, case, convention):
    # Numbers are shown with 6 significant figures; the tolerance allows for that, with room for
    # the cancellation in a hidden unit's sum. A wrong sign is off by twice the value.
    spec = ref.seed_spec(**SUBSTITUTED_CASES[case], delta_convention=convention)
    for row in trace(spec).rows():
        if row["phase"] in ("backward", "update") and "mathbb" not in row["substituted"]:
            assert evaluate(row["substituted"]) == pytest.approx(row["value"], rel=1e-3, abs=1e-8), row["symbol"]


def test_symbol_caches_are_kept_apart_per_convention(ref):
    # Formulas are cached per structure; the convention is part of the key, in either order.
    spec = ref.seed_spec()
    first = rows_by_symbol(spec)["δ_ŷ1"]["formula"]
    flipped = rows_by_symbol(negative(spec))["δ_ŷ1"]["formula"]
    assert rows_by_symbol(spec)["δ_ŷ1"]["formula"] == first != flipped
    assert rows_by_symbol(negative(spec))["δ_ŷ1"]["formula"] == flipped
    assert first == r"\frac{\partial L}{\partial \hat{y}_1} \cdot \frac{\partial \hat{y}_1}{\partial a_{\hat{y}_1}}"


# Validation, formats and the command line --------------------------------------------------------

@pytest.mark.parametrize("value", ["Negative", "mitchell", "", None, 1, True, ["negative"]])
def test_an_unknown_convention_is_rejected_naming_the_key(ref, value):
    with pytest.raises(SpecError) as error:
        trace(ref.seed_spec(delta_convention=value))
    assert error.value.key == "delta_convention"
    assert str(error.value).startswith("delta_convention: must be one of gradient, negative")


def test_the_convention_is_optional_and_echoed(ref):
    assert normalize(ref.seed_spec())["delta_convention"] == "gradient"
    assert normalize(negative(ref.seed_spec()))["delta_convention"] == "negative"
    assert trace(negative(ref.seed_spec())).to_dict()["spec"]["delta_convention"] == "negative"
    spec = normalize(negative(ref.seed_spec()))
    assert normalize(spec) == spec


def test_csv_and_json_read_back_bit_identical(ref):
    spec = negative(ref.seed_spec(inputs=[[0.5, -0.3], [0.1, 0.2]], targets=[[0.2, 0.9], [0.1, 0.1]],
                                  optimizer="adam", iterations=2))
    result = trace(spec)
    rows = list(result.rows())
    parsed = list(csv.DictReader(io.StringIO(result.to_csv(), newline="")))
    document = json.loads(result.to_json())
    assert len(parsed) == len(document["steps"]) == len(rows) == len(result)
    for from_csv, from_json, row in zip(parsed, document["steps"], rows):
        assert float(from_csv["value"]).hex() == from_json["value"].hex() == row["value"].hex()
        assert (from_csv["formula"], from_csv["substituted"]) == (row["formula"], row["substituted"])
        assert from_json == row
    assert document["spec"] == result.spec


def test_text_walkthrough_says_what_delta_means(ref, tmp_path, capsys):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(negative(ref.seed_spec())), encoding="utf-8")
    assert main([str(path), "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "δ = −∂L/∂z (delta_convention negative, as in Mitchell and Russell–Norvig)" in text
    assert r"δ_ŷ1 = \frac{2}{2}(y_1 - \hat{y}_1)" in text
    assert text.index("δ = −∂L/∂z") < text.index("1. Feedforward")
    path.write_text(json.dumps(ref.seed_spec()), encoding="utf-8")
    assert main([str(path), "--format", "text"]) == 0
    assert "δ = ∂L/∂z (delta_convention gradient)" in capsys.readouterr().out


def test_command_line_json_echoes_the_convention(ref, tmp_path, capsys):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(negative(ref.seed_spec())), encoding="utf-8")
    assert main([str(path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["spec"]["delta_convention"] == "negative"
    delta = next(step for step in document["steps"] if step["symbol"] == "δ_ŷ1")
    assert delta["value"] == pytest.approx(-0.08588169183166999, rel=1e-12)
