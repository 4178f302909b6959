"""Weight decay and dropout in the trace's rows, formats, normalized spec and validation."""

import csv
import io
import json

import pytest

from tracer import SpecError, normalize, row_count, trace
from tracer.keys import key_of, parse_key, split_key
from tracer.text import render_text

BATCH = {"inputs": [[0.5, -0.3], [0.2, 0.7]], "targets": [[0.2, 0.9], [0.6, 0.1]]}
MASKS = [[[1, 0]], [[0, 1]]]


def spec_with(ref, **changes):
    return ref.seed_spec(**{**BATCH, "weight_decay": 0.1, "dropout": [0.5], "dropout_masks": MASKS,
                            **changes})


def test_penalty_row_follows_the_batch_loss_which_includes_it(ref):
    result = trace(spec_with(ref))
    rows = [r for r in result.rows() if r["phase"] == "loss"]
    assert [(r["quantity"], r["sample"]) for r in rows] == [("loss", 1), ("loss", 2), ("loss", None),
                                                          ("penalty", None)]
    weights = [w for layer in ref.SEED_SPEC["weights"] for row in layer for w in row]
    penalty = 0.1 / 2 * sum(w * w for w in weights)
    assert rows[3]["value"] == pytest.approx(penalty, rel=1e-15)
    assert rows[2]["value"] == pytest.approx((rows[0]["value"] + rows[1]["value"]) / 2 + penalty, rel=1e-15)
    assert rows[2]["formula"].endswith("+ \\Omega")
    assert rows[3]["symbol"] == "Ω"
    assert rows[3]["formula"].startswith("\\frac{\\lambda}{2}\\left(w_1^2 + w_2^2")
    assert rows[3]["substituted"].startswith("\\frac{0.1}{2}\\left(0.1^2 + (-0.2)^2")


def test_mask_rows_come_after_each_samples_x_and_y(ref):
    rows = [r for r in trace(spec_with(ref)).rows() if r["phase"] == "input"]
    order = [(r["sample"], r["quantity"], r["layer"], r["unit"]) for r in rows[:12]]
    assert order == [(1, "x", 0, 1), (1, "x", 0, 2), (1, "y", 2, 1), (1, "y", 2, 2),
                     (1, "mask", 1, 1), (1, "mask", 1, 2),
                     (2, "x", 0, 1), (2, "x", 0, 2), (2, "y", 2, 1), (2, "y", 2, 2),
                     (2, "mask", 1, 1), (2, "mask", 1, 2)]
    assert [r["value"] for r in rows if r["quantity"] == "mask"] == [1.0, 0.0, 0.0, 1.0]
    assert [r["symbol"] for r in rows[4:6]] == ["r_h1", "r_h2"]


@pytest.mark.parametrize("naming, mask, weight", [
    ("seed", "r_{h_1}", "w_1"), ("sequential", "r_{h_1}", "w_1"), ("matrix", "r^{(1)}_1", "w^{(1)}_{1,1}"),
])
def test_formulas_show_decay_and_dropout_in_every_naming(ref, naming, mask, weight):
    rows = {(r["quantity"], r["sample"], r["layer"], r["unit"], r["source"]): r
            for r in trace(spec_with(ref, naming=naming, iterations=2)).rows() if r["iteration"] == 2}
    a = rows[("a", 1, 1, 1, None)]
    assert a["formula"].startswith(f"\\frac{{{mask}}}{{p}} \\cdot \\sigma(")
    assert a["substituted"].startswith("\\frac{1}{0.5} \\cdot \\sigma(")
    derivative = rows[("da_dz", 2, 1, 1, None)]
    assert derivative["formula"].startswith(f"\\frac{{{mask}}}{{p}} \\cdot \\sigma(")
    assert derivative["substituted"].startswith("\\frac{0}{0.5}") and derivative["value"] == 0.0
    gradient = rows[("dL_dw", None, 1, 1, 1)]
    assert gradient["formula"].endswith(f"+ \\lambda {weight}")
    assert " + 0.1 \\cdot " in gradient["substituted"]
    assert "lambda" not in rows[("dL_db", None, 1, 1, None)]["formula"]


def test_formats_carry_the_new_rows(ref):
    spec = spec_with(ref, optimizer="adam", iterations=2)
    result = trace(spec)
    assert len(list(result.rows())) == len(result) == row_count(normalize(spec))
    table = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert sum(r["quantity"] == "penalty" for r in table) == 2
    assert sum(r["quantity"] == "mask" for r in table) == 8
    document = json.loads(result.to_json())
    assert document["spec"]["dropout_masks"] == MASKS and document["spec"]["weight_decay"] == 0.1
    text = render_text(result)
    assert "Ω = \\frac{\\lambda}{2}" in text and "[sample 2] r_h2 = 1.0" in text


def test_one_samples_masks_may_leave_out_the_sample_level(ref):
    spec = ref.seed_spec(dropout=[0.5], dropout_masks=[[1, 0]])
    assert normalize(spec)["dropout_masks"] == [[[1, 0]]]


def test_defaults_leave_the_trace_unchanged(ref):
    plain = trace(ref.seed_spec())
    explicit = trace(ref.seed_spec(weight_decay=0, dropout=None))
    assert list(plain.rows()) == list(explicit.rows())


@pytest.mark.parametrize("changes, key", [
    ({"weight_decay": -0.1}, "weight_decay"),
    ({"weight_decay": float("inf")}, "weight_decay"),
    ({"weight_decay": "0.1"}, "weight_decay"),
    ({"dropout": [0.5]}, "dropout_masks"),
    ({"dropout_masks": [[[1, 1]]]}, "dropout_masks"),
    ({"dropout": 0.5, "dropout_masks": [[1, 1]]}, "dropout"),
    ({"dropout": [0.5, 0.5], "dropout_masks": [[1, 1]]}, "dropout"),
    ({"dropout": [0.0], "dropout_masks": [[1, 1]]}, "dropout[0]"),
    ({"dropout": [1.5], "dropout_masks": [[1, 1]]}, "dropout[0]"),
    ({"dropout": [True], "dropout_masks": [[1, 1]]}, "dropout[0]"),
    ({"dropout": [0.5], "dropout_masks": [[[1, 2]]]}, "dropout_masks[0][0][1]"),
    ({"dropout": [0.5], "dropout_masks": [[[1, True]]]}, "dropout_masks[0][0][1]"),
    ({"dropout": [0.5], "dropout_masks": [[[1]]]}, "dropout_masks[0][0]"),
    ({"dropout": [0.5], "dropout_masks": [[[1, 1]], [[1, 1]]]}, "dropout_masks"),
    ({"dropout": [0.5], "dropout_masks": [[]]}, "dropout_masks[0]"),
])
def test_bad_regularization_is_refused_naming_the_key(ref, changes, key):
    with pytest.raises(SpecError) as error:
        trace(ref.seed_spec(**changes))
    assert error.value.key == key


def test_dropout_needs_a_hidden_layer(ref):
    spec = {"layers": [2, 1], "weights": [[[0.1, 0.2]]], "inputs": [1, 2], "targets": [0.5],
            "learning_rate": 0.1, "dropout": [], "dropout_masks": []}
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "dropout"


@pytest.mark.parametrize("key, parts", [
    ("delta:2:1@2", ("delta:2:1", 2, 1)), ("w_new:2:1:2#2", ("w_new:2:1:2", 1, 2)),
    ("m:2:1:2#2", ("m:2:1:2", 1, 2)), ("delta:1:1@2#2", ("delta:1:1", 2, 2)), ("loss", ("loss", 1, 1)),
    ("loss#3", ("loss", 1, 3)), ("mask:1:2@3", ("mask:1:2", 3, 1)), ("penalty", ("penalty", 1, 1)),
])
def test_suffixed_keys_round_trip(key, parts):
    assert split_key(key) == parts
    quantity, layer, unit, source = parse_key(key)
    assert key_of(quantity, layer, unit, source, sample=parts[1], iteration=parts[2]) == key


@pytest.mark.parametrize("key", ["delta:2:1@1", "w_new:2:1:2#1", "w_new:2:1:2@2", "loss@2", "delta:2:1@",
                                 "delta:2:1@02", "delta:2:1#2@2", "delta:2:1@x"])
def test_malformed_suffixes_are_refused(key):
    with pytest.raises(ValueError):
        split_key(key)
