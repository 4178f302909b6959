"""Circuit traces as CSV, JSON and text, through the Python API and ``python -m tracer``."""

import csv
import io
import json
import random

import pytest

from tracer import trace
from tracer.cli import main

HEADER = ["step", "iteration", "sample", "phase", "layer", "unit", "source", "node", "arg", "quantity",
          "symbol", "formula", "substituted", "value"]
SPEC = {"graph": {"leaves": {"x": 0.1, "y": -1 / 3, "w_a": 7e-9},
                  "nodes": [{"name": "p", "op": "mul", "args": ["x", "y", "w_a"]},
                            {"name": "s", "op": "sigmoid", "args": ["p"]},
                            {"name": "f", "op": "div", "args": ["s", "x"]}]}}


def test_csv_reads_back_bit_identical_and_matches_the_rows():
    t = trace(SPEC)
    rows = list(csv.reader(io.StringIO(t.to_csv(), newline="")))
    assert rows[0] == HEADER
    expected = list(t.rows())
    assert len(rows) - 1 == len(expected) == len(t)
    for cells, row in zip(rows[1:], expected):
        assert float(cells[-1]) == row["value"]  # bit-identical: repr round-trips
        assert cells[HEADER.index("node")] == row["node"]
        assert cells[HEADER.index("arg")] == (row["arg"] or "")
        assert cells[HEADER.index("formula")] == row["formula"]
        assert cells[HEADER.index("layer")] == ""
    # A random circuit's values too, written and read twice.
    values = [random.Random(7).uniform(-1, 1) for _ in range(3)]
    again = trace({"graph": {**SPEC["graph"], "leaves": dict(zip(("x", "y", "w_a"), values))}})
    first = again.to_csv()
    assert [float(r[-1]) for r in list(csv.reader(io.StringIO(first, newline="")))[1:]] == \
        [r["value"] for r in again.rows()]


def test_json_carries_the_normalized_spec_and_the_same_rows():
    t = trace(SPEC)
    document = json.loads(t.to_json())
    assert document["spec"]["graph"]["output"] == "f"
    assert document["steps"] == list(t.rows())
    assert list(document["steps"][0]) == HEADER


def test_cli_writes_csv_json_and_text(tmp_path, capsys):
    path = tmp_path / "circuit.json"
    path.write_text(json.dumps(SPEC), encoding="utf-8")
    assert main([str(path)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert rows[0] == HEADER and len(rows) == 1 + len(trace(SPEC))
    assert main([str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["steps"][3]["symbol"] == "p"
    assert main([str(path), "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert text.index("1. Forward pass") < text.index("2. Backward pass")
    assert "  ∂f/∂f = 1" in text.splitlines()


@pytest.mark.parametrize("graph, message", [
    ({"leaves": {"x": 1}, "nodes": [{"name": "f", "op": "foo", "args": ["x"]}]}, "graph.nodes[0].op"),
    ({"leaves": {"x": 0}, "nodes": [{"name": "f", "op": "log", "args": ["x"]}]}, "graph.nodes[0]: log of x"),
])
def test_cli_refuses_a_bad_circuit_with_exit_2(tmp_path, capsys, graph, message):
    path = tmp_path / "circuit.json"
    path.write_text(json.dumps({"graph": graph}), encoding="utf-8")
    assert main([str(path)]) == 2
    assert message in capsys.readouterr().err
