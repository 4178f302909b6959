"""Circuits (SPEC §10): hand-worked examples from CS231n's notes, row order and reading values."""

import math

import pytest

from tracer import CircuitTrace, trace

CS231N = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}],
                    "output": "f"}}

# CS231n notes, "backprop in practice": f(w, x) = 1 / (1 + e^−(w0·x0 + w1·x1 + w2)), built gate by gate.
NEURON = {"graph": {
    "leaves": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
    "nodes": [{"name": "p0", "op": "mul", "args": ["w0", "x0"]},
              {"name": "p1", "op": "mul", "args": ["w1", "x1"]},
              {"name": "s", "op": "add", "args": ["p0", "p1", "w2"]},
              {"name": "n", "op": "neg", "args": ["s"]},
              {"name": "e", "op": "exp", "args": ["n"]},
              {"name": "d", "op": "add", "args": ["e", "one"]},
              {"name": "f", "op": "pow", "args": ["d"], "exponent": -1}],
    "output": "f"}}
NEURON["graph"]["leaves"]["one"] = 1


def test_cs231n_add_then_multiply_gives_the_notes_gradients():
    t = trace(CS231N)
    assert isinstance(t, CircuitTrace)
    assert t.value("value", node="q") == 3.0
    assert t.value("value", node="f") == -12.0
    assert t.value("grad", node="x") == -4.0
    assert t.value("grad", node="y") == -4.0
    assert t.value("grad", node="z") == 3.0
    assert t.value("grad", node="q") == -4.0
    assert t.value("local_grad", node="f", arg="q") == -4.0  # ∂f/∂q = z
    assert t.value("local_grad", node="q", arg="x") == 1.0


def test_sigmoid_neuron_gives_the_notes_gradients():
    t = trace(NEURON)
    assert t.value("value", node="f") == pytest.approx(0.73, abs=0.005)  # the notes' 0.73
    dx = [t.value("grad", node=n) for n in ("x0", "x1")]
    dw = [t.value("grad", node=n) for n in ("w0", "w1", "w2")]
    assert dx == pytest.approx([0.391, -0.59], abs=0.005)
    assert dw == pytest.approx([-0.2, -0.39, 0.2], abs=0.005)
    # The notes' shortcut: σ'(s) = σ(1 − σ), times the inputs.
    sig = 1 / (1 + math.exp(-1.0))
    assert t.value("grad", node="s") == pytest.approx(sig * (1 - sig), rel=1e-12)


def test_rows_follow_section_10_order_with_node_and_arg():
    rows = list(trace(CS231N).rows())
    got = [(r["phase"], r["quantity"], r["node"], r["arg"], r["symbol"]) for r in rows]
    assert got == [
        ("input", "value", "x", None, "x"), ("input", "value", "y", None, "y"),
        ("input", "value", "z", None, "z"),
        ("forward", "value", "q", None, "q"), ("forward", "value", "f", None, "f"),
        ("backward", "grad", "f", None, "∂f/∂f"),
        ("backward", "local_grad", "f", "q", "∂f/∂q"), ("backward", "grad", "q", None, "∂f/∂q"),
        ("backward", "local_grad", "f", "z", "∂f/∂z"), ("backward", "grad", "z", None, "∂f/∂z"),
        ("backward", "local_grad", "q", "x", "∂q/∂x"), ("backward", "grad", "x", None, "∂f/∂x"),
        ("backward", "local_grad", "q", "y", "∂q/∂y"), ("backward", "grad", "y", None, "∂f/∂y"),
    ]
    assert [r["step"] for r in rows] == list(range(1, 15))
    assert all((r["layer"], r["unit"], r["source"], r["sample"], r["iteration"]) == (None, None, None, 1, 1)
               for r in rows)
    assert len(trace(CS231N)) == 14


def test_fan_out_grad_rows_accumulate_each_use():
    # f = x·y + x: x is used twice; its grad row appears after each use, the last one summed.
    spec = {"graph": {"leaves": {"x": 3, "y": -2},
                      "nodes": [{"name": "p", "op": "mul", "args": ["x", "y"]},
                                {"name": "f", "op": "add", "args": ["p", "x"]}]}}
    t = trace(spec)
    x_rows = [r for r in t.rows() if r["quantity"] == "grad" and r["node"] == "x"]
    assert [r["value"] for r in x_rows] == [1.0, 1.0 + (-2.0)]  # from f first, then through p
    assert t.value("grad", node="x") == -1.0  # ∂(xy + x)/∂x = y + 1
    assert x_rows[-1]["substituted"] == "1 \\cdot 1 + 1 \\cdot (-2)"
    assert t.spec["graph"]["output"] == "f"  # the default output is the last node


@pytest.mark.parametrize("values, first, second", [((3, 1), 1.0, 0.0), ((1, 3), 0.0, 1.0), ((2, 2), 1.0, 0.0)])
def test_max_sends_the_gradient_to_the_larger_arg_and_to_the_first_on_a_tie(values, first, second):
    spec = {"graph": {"leaves": {"a": values[0], "b": values[1]},
                      "nodes": [{"name": "m", "op": "max", "args": ["a", "b"]}]}}
    t = trace(spec)
    assert (t.value("grad", node="a"), t.value("grad", node="b")) == (first, second)


@pytest.mark.parametrize("x, grad", [(0.0, 0.0), (0.5, 1.0), (-0.5, 0.0)])
def test_relu_gradient_is_zero_at_zero(x, grad):
    t = trace({"graph": {"leaves": {"x": x}, "nodes": [{"name": "r", "op": "relu", "args": ["x"]}]}})
    assert t.value("grad", node="x") == grad


def test_division_local_gradients_are_one_over_b_and_minus_a_over_b_squared():
    t = trace({"graph": {"leaves": {"a": 3, "b": -2}, "nodes": [{"name": "q", "op": "div", "args": ["a", "b"]}]}})
    assert t.value("local_grad", node="q", arg="a") == -0.5
    assert t.value("local_grad", node="q", arg="b") == -3 / 4


def test_formulas_are_latex_with_names_and_numbers():
    rows = {(r["quantity"], r["node"], r["arg"]): r for r in trace(NEURON).rows()}
    assert rows[("value", "s", None)]["formula"] == "p_{0} + p_{1} + w_{2}"
    assert rows[("value", "f", None)]["formula"] == "d^{-1}"
    assert rows[("local_grad", "f", "d")]["formula"] == "-1 \\cdot d^{-2}"
    assert rows[("value", "p0", None)]["substituted"] == "2 \\cdot (-1)"
    assert rows[("grad", "x0", None)]["formula"] == (
        "\\frac{\\partial f}{\\partial p_{0}} \\cdot \\frac{\\partial p_{0}}{\\partial x_{0}}")


def test_value_refuses_what_the_circuit_does_not_hold():
    t = trace(CS231N)
    for call in (lambda: t.value("grad", node="nope"), lambda: t.value("local_grad", node="q", arg="z"),
                 lambda: t.value("value", 1, 1), lambda: t.value("delta", node="q"),
                 lambda: t.value("grad", node="x", iteration=2)):
        with pytest.raises(KeyError):
            call()
