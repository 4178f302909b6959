"""The seed post's 2-2-2 example worked by hand with its closed forms, compared with the trace.

Names follow the seed post: w1: x1→h1, w2: x2→h1, w3: x1→h2, w4: x2→h2, w5: h1→ŷ1, w6: h1→ŷ2,
w7: h2→ŷ1, w8: h2→ŷ2. In the spec, W⁽²⁾ = [[w5, w7], [w6, w8]].
"""

import pytest

from tracer import trace


def worked_by_hand(ref):
    x1, x2, y1, y2, eta = 0.50, -0.30, 0.20, 0.90, 0.5
    w1, w2, w3, w4 = 0.10, -0.20, 0.30, 0.40
    w5, w7, w6, w8 = 0.50, -0.60, 0.70, 0.20
    b1, b2, b3, b4 = 0.10, -0.10, 0.20, 0.05
    a_h1, a_h2 = x1 * w1 + x2 * w2 + b1, x1 * w3 + x2 * w4 + b2
    h1, h2 = ref.sigmoid(a_h1), ref.sigmoid(a_h2)
    a_y1, a_y2 = h1 * w5 + h2 * w7 + b3, h1 * w6 + h2 * w8 + b4
    yhat1, yhat2 = ref.sigmoid(a_y1), ref.sigmoid(a_y2)
    loss = ((y1 - yhat1) ** 2 + (y2 - yhat2) ** 2) / 2
    dL_dy1, dL_dy2 = 2 / 2 * (yhat1 - y1), 2 / 2 * (yhat2 - y2)
    d_y1, d_y2 = dL_dy1 * yhat1 * (1 - yhat1), dL_dy2 * yhat2 * (1 - yhat2)
    d_h1 = (d_y1 * w5 + d_y2 * w6) * h1 * (1 - h1)
    d_h2 = (d_y1 * w7 + d_y2 * w8) * h2 * (1 - h2)
    return {
        "a_h1": a_h1, "a_h2": a_h2, "h1": h1, "h2": h2, "a_ŷ1": a_y1, "a_ŷ2": a_y2, "ŷ1": yhat1, "ŷ2": yhat2,
        "L": loss, "∂L/∂ŷ1": dL_dy1, "∂L/∂ŷ2": dL_dy2, "∂ŷ1/∂a_ŷ1": yhat1 * (1 - yhat1),
        "δ_ŷ1": d_y1, "δ_ŷ2": d_y2, "δ_h1": d_h1, "δ_h2": d_h2, "∂L/∂h1": d_y1 * w5 + d_y2 * w6,
        "∂L/∂w5": d_y1 * h1, "∂L/∂w6": d_y2 * h1, "∂L/∂w7": d_y1 * h2, "∂L/∂w8": d_y2 * h2,
        "w5⁺": w5 - eta * d_y1 * h1, "w6⁺": w6 - eta * d_y2 * h1,
        "w7⁺": w7 - eta * d_y1 * h2, "w8⁺": w8 - eta * d_y2 * h2,
        "b3⁺": b3 - eta * d_y1, "b4⁺": b4 - eta * d_y2,
        "w1⁺": w1 - eta * d_h1 * x1, "w2⁺": w2 - eta * d_h1 * x2,
        "w3⁺": w3 - eta * d_h2 * x1, "w4⁺": w4 - eta * d_h2 * x2,
        "b1⁺": b1 - eta * d_h1, "b2⁺": b2 - eta * d_h2,
        "w5": w5, "w6": w6, "w7": w7, "w8": w8,
    }


def test_seed_example_matches_the_closed_forms_of_the_seed_post(ref):
    by_symbol = {row["symbol"]: row["value"] for row in trace(ref.seed_spec()).rows()}
    expected = worked_by_hand(ref)
    for symbol, value in expected.items():
        assert by_symbol[symbol] == pytest.approx(value, rel=1e-12, abs=1e-15), symbol


def test_seed_example_through_the_value_api(ref):
    t = trace(ref.seed_spec())
    expected = worked_by_hand(ref)
    assert t.value("delta", 1, 1) == pytest.approx(expected["δ_h1"], rel=1e-12)
    assert t.value("w_new", 2, 2, 1) == pytest.approx(expected["w6⁺"], rel=1e-12)  # W⁽²⁾[2][1] is w6
    assert t.value("w_new", 2, 1, 2) == pytest.approx(expected["w7⁺"], rel=1e-12)  # W⁽²⁾[1][2] is w7
    assert t.value("loss") == pytest.approx(expected["L"], rel=1e-12)
    assert t.value("a", 2, 1, sample=1) == pytest.approx(expected["ŷ1"], rel=1e-12)


def test_seed_example_shows_the_seed_posts_formulas(ref):
    rows = {row["symbol"]: row for row in trace(ref.seed_spec()).rows()}
    assert rows["h1"]["formula"] == r"\sigma(a_{h_1})"
    assert rows["a_h1"]["formula"] == "x_1 w_1 + x_2 w_2 + b_1"
    assert rows["a_ŷ1"]["formula"] == "h_1 w_5 + h_2 w_7 + b_3"
    assert rows["∂L/∂h1"]["formula"] == r"\delta_{\hat{y}_1} w_5 + \delta_{\hat{y}_2} w_6"
    assert rows["w5⁺"]["formula"] == r"w_5 - \eta \frac{\partial L}{\partial w_5}"
    assert rows["w5⁺"]["substituted"].startswith("0.5 - 0.5 \\cdot 0.0474331")
    assert rows["h1"]["substituted"] == r"\sigma(0.21)"
