"""The three naming schemes of SPEC §2 and the default choice between them."""

import unicodedata

import pytest

from tracer import SpecError, normalize, trace
from tracer.naming import symbol


def symbols(spec, quantity):
    return [row["symbol"] for row in trace(spec).rows() if row["quantity"] == quantity and row["iteration"] == 1]


def test_seed_naming_reproduces_the_seed_posts_wiring(ref):
    spec = normalize(ref.seed_spec())
    assert spec["naming"] == "seed"
    # W⁽ˡ⁾[j][k] in row order (unit j, source k): layer 1 by destination, layer 2 by source.
    assert symbols(spec, "w") == ["w1", "w2", "w3", "w4", "w5", "w7", "w6", "w8"]
    assert symbol(spec, "w", 2, 1, 2) == "w7"  # h2 → ŷ1
    assert symbol(spec, "w", 2, 2, 1) == "w6"  # h1 → ŷ2
    assert symbols(spec, "b") == ["b1", "b2", "b3", "b4"]
    assert symbols(spec, "z") == ["a_h1", "a_h2", "a_ŷ1", "a_ŷ2"]
    assert symbols(spec, "a") == ["h1", "h2", "ŷ1", "ŷ2"]
    assert symbols(spec, "delta") == ["δ_ŷ1", "δ_ŷ2", "δ_h1", "δ_h2"]
    assert symbols(spec, "dL_dw")[:2] == ["∂L/∂w5", "∂L/∂w7"]
    assert symbols(spec, "w_new")[4:] == ["w5⁺", "w7⁺", "w6⁺", "w8⁺"]
    assert symbols(spec, "da_dz")[0] == "∂ŷ1/∂a_ŷ1"
    assert symbols(spec, "x") + symbols(spec, "y") == ["x1", "x2", "y1", "y2"]
    assert symbol(spec, "delta", 2, 1) == "δ_ŷ1"
    assert symbol(spec, "loss") == "L"


def test_seed_naming_generalises_to_any_sizes_with_one_hidden_layer():
    spec = {"layers": [3, 2, 2], "weights": [[[0.1] * 3] * 2, [[0.2] * 2] * 2], "inputs": [1, 2, 3],
            "targets": [0, 1], "learning_rate": 0.1, "bias": "shared"}
    # First layer by destination (w1..w6), output layer by source: w7: h1→ŷ1, w8: h1→ŷ2, w9: h2→ŷ1.
    assert symbols(spec, "w") == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w9", "w8", "w10"]
    assert symbols(spec, "b") == ["b⁽¹⁾", "b⁽²⁾"]
    assert symbols(spec, "b_new") == ["b⁽¹⁾⁺", "b⁽²⁾⁺"]


def test_sequential_naming_numbers_across_layers_by_destination_then_source():
    spec = {"layers": [2, 2, 2, 1], "weights": [[[0.1, 0.2]] * 2, [[0.3, 0.4]] * 2, [[0.5, 0.6]]],
            "inputs": [1, 2], "targets": [0.5], "learning_rate": 0.1, "naming": "sequential"}
    assert symbols(spec, "w") == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10"]
    assert symbols(spec, "b") == ["b1", "b2", "b3", "b4", "b5"]
    assert symbols(spec, "a") == ["h⁽¹⁾₁", "h⁽¹⁾₂", "h⁽²⁾₁", "h⁽²⁾₂", "ŷ1"]
    assert symbols(spec, "z")[0] == "z_h⁽¹⁾₁"
    assert symbols(spec, "delta")[0] == "δ_ŷ1"


def test_sequential_naming_with_one_hidden_layer_uses_h_and_z(ref):
    spec = ref.seed_spec(naming="sequential")
    assert symbols(spec, "w") == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]
    assert symbols(spec, "z") == ["z_h1", "z_h2", "z_ŷ1", "z_ŷ2"]
    assert symbols(spec, "a") == ["h1", "h2", "ŷ1", "ŷ2"]


def test_matrix_naming_and_default_for_deeper_networks():
    spec = {"layers": [2, 2, 2, 1], "weights": [[[0.1, 0.2]] * 2, [[0.3, 0.4]] * 2, [[0.5, 0.6]]],
            "inputs": [1, 2], "targets": [0.5], "learning_rate": 0.1, "optimizer": "adam"}
    assert normalize(spec)["naming"] == "matrix"
    assert symbols(spec, "w")[:3] == ["w⁽¹⁾_{1,1}", "w⁽¹⁾_{1,2}", "w⁽¹⁾_{2,1}"]
    assert symbols(spec, "a") == ["a⁽¹⁾_1", "a⁽¹⁾_2", "a⁽²⁾_1", "a⁽²⁾_2", "a⁽³⁾_1"]
    assert symbols(spec, "z")[0] == "z⁽¹⁾_1"
    assert symbols(spec, "delta")[0] == "δ⁽³⁾_1"
    assert symbols(spec, "b")[0] == "b⁽¹⁾_1"
    assert symbols(spec, "x") == ["x_1", "x_2"]
    assert symbols(spec, "dL_dw")[0] == "∂L/∂w⁽³⁾_{1,1}"
    assert symbols(spec, "w_new")[0] == "w⁽¹⁾_{1,1}⁺"
    assert symbols(spec, "m")[0] == "m_w⁽¹⁾_{1,1}"
    rows = {row["symbol"]: row for row in trace(spec).rows()}
    assert rows["a⁽¹⁾_1"]["formula"] == r"\sigma(z^{(1)}_1)"


def test_seed_naming_needs_one_hidden_layer():
    spec = {"layers": [2, 1], "weights": [[[0.1, 0.2]]], "inputs": [1, 2], "targets": [0.5],
            "learning_rate": 0.1, "naming": "seed"}
    with pytest.raises(SpecError) as error:
        trace(spec)
    assert error.value.key == "naming"
    spec.pop("naming")
    assert normalize(spec)["naming"] == "matrix"


def test_symbols_are_nfc_with_a_precomposed_y_hat(ref):
    for row in trace(ref.seed_spec()).rows():
        assert unicodedata.is_normalized("NFC", row["symbol"])
    assert "\u0177" in symbol(normalize(ref.seed_spec()), "a", 2, 1)
