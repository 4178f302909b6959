"""The shared columns of a structure (tracer.skeleton): the CSV lines of many variants of one
structure, written from the structure's skeleton with only their numbers filled in, are byte for
byte what the csv module writes for each variant's own rows, for every kind of structure
(optimizers, batches, iterations, namings, δ conventions, weight decay, dropout, elided sums,
numbers in scientific notation, zeros)."""

import csv
import io

import numpy as np
import pytest

from tracer import skeleton, skeleton_template, trace
from tracer.spec import compile_spec
from tracer.trace import COLUMNS

PREFIX = ('"Lee, Ann"', "{0} {x}", "1. Seed")  # cells quoted as csv writes them, braces kept


def expected(spec, cells=("Lee, Ann", "{0} {x}", "1. Seed")) -> str:
    """The csv module over the engine's own rows, each line led by ``cells``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in trace(spec).rows():
        writer.writerow([*cells, *(row[c] for c in COLUMNS)])
    return buffer.getvalue()


def written(spec, nodes=False) -> str:
    result = trace(spec)
    shared = skeleton.of(result, nodes)
    assert shared is not None and shared.text is not None  # the template path is the one tested
    values = [row["value"] for row in result.rows()]
    return skeleton.lines(shared, result, values, ",".join(PREFIX) + ",")


def variant(ref, rng, sizes, count, hidden, output, loss, bias="per_unit", reduction="mean", **knobs):
    spec = ref.random_spec(rng, sizes, count, hidden, output, loss, bias, reduction)
    return {**spec, **knobs}


STRUCTURES = [
    # sizes, count, hidden, output, loss, bias, reduction, knobs
    ([2, 2, 2], 1, "sigmoid", "sigmoid", "mse", "per_unit", "mean", {"naming": "seed"}),
    ([3, 4, 3], 1, "sigmoid", "softmax", "cross_entropy", "per_unit", "mean", {}),
    ([2, 3, 1], 2, "relu", "linear", "half_sse", "shared", "sum", {"naming": "sequential"}),
    ([2, 3, 2, 2], 3, "tanh", "sigmoid", "bce", "none", "mean", {"naming": "matrix"}),
    ([10, 9, 3], 2, "leaky_relu", "softmax", "cross_entropy", "per_unit", "mean", {}),  # elided sums
    ([2, 3, 2], 1, "tanh", "linear", "sse", "per_unit", "sum",
     {"delta_convention": "negative", "iterations": 3, "optimizer": {"name": "adam"}}),
    ([2, 2, 2], 2, "sigmoid", "sigmoid", "mse", "per_unit", "mean",
     {"optimizer": {"name": "momentum"}, "iterations": 2, "weight_decay": 0.05,
      "dropout": [0.5], "dropout_masks": [[[1, 0]], [[0, 1]]]}),
]


@pytest.mark.parametrize("structure", STRUCTURES, ids=lambda s: "-".join(map(str, s[0])) + f"-{s[2]}-{s[3]}")
def test_lines_of_every_variant_are_the_csv_modules(ref, structure):
    sizes, count, hidden, output, loss, bias, reduction, knobs = structure
    rng = np.random.default_rng(sum(sizes) * 7 + count)
    for number in range(4):
        changed = dict(knobs, learning_rate=[0.1, 0.5, 1e-5, 2.0][number],
                       leaky_relu_slope=[0.1, 0.01, 0.2, 0.05][number])
        if "weight_decay" in knobs:
            changed["weight_decay"] = [0.05, 0.3, 1e-6, 0.01][number]
        if "dropout" in knobs:
            changed["dropout"] = [[0.5], [0.8], [0.25], [0.9]][number]
        if knobs.get("optimizer", {}).get("name") == "momentum":
            changed["optimizer"] = {"name": "momentum", "momentum": [0.9, 0.5, 0.99, 0.1][number]}
        spec = variant(ref, rng, sizes, count, hidden, output, loss, bias, reduction, **changed)
        if number == 2:  # tiny numbers, written with LaTeX exponents
            spec["inputs"] = (np.array(spec["inputs"]) * 1e-7).tolist()
        if number == 3 and bias != "none":  # exact zeros
            spec["weights"][0][0][0] = 0.0
        assert written(spec) == expected(spec)
        # the trace's own CSV (values picked from its numbers by the skeleton) is the csv module's too
        assert trace(spec).to_csv() == ",".join(COLUMNS) + "\r\n" + expected(spec, cells=())


def test_variants_of_one_structure_share_one_skeleton(ref):
    rng = np.random.default_rng(3)
    first = trace(variant(ref, rng, [2, 2, 2], 1, "sigmoid", "sigmoid", "mse", learning_rate=0.5))
    second = trace(variant(ref, rng, [2, 2, 2], 1, "sigmoid", "sigmoid", "mse", learning_rate=0.1))
    other = trace(variant(ref, rng, [2, 2, 2], 1, "tanh", "sigmoid", "mse"))
    assert skeleton.of(first) is skeleton.of(second)
    assert skeleton.of(first) is not skeleton.of(other)
    decayed = trace(variant(ref, rng, [2, 2, 2], 1, "sigmoid", "sigmoid", "mse", weight_decay=0.1))
    assert skeleton.of(decayed) is not skeleton.of(first)  # the penalty row: another structure


def test_skeleton_checks_stored_rows_and_nodes_columns(ref):
    rng = np.random.default_rng(5)
    spec = variant(ref, rng, [2, 2, 2], 1, "sigmoid", "sigmoid", "mse")
    result = trace(spec)
    rows = list(result.rows())
    shared = skeleton.of(result, nodes=True)
    assert shared.keys == tuple(tuple(r[c] for r in rows) for c in ("step", "layer", "unit", "source", "quantity"))
    line = skeleton.lines(shared, result, [r["value"] for r in rows]).split("\r\n")[0]
    cells = next(csv.reader([line]))
    first = rows[0]
    # a network's row in a file with a circuit's node and arg columns: both empty
    assert cells == [str(first["step"]), "1", "1", "input", "0", "1", "", "", "", "x", first["symbol"],
                     first["formula"], first["substituted"], repr(first["value"])]


def test_a_structure_too_large_keeps_the_row_by_row_path(ref, monkeypatch):
    monkeypatch.setattr(skeleton, "MAX_ROWS", 10)
    rng = np.random.default_rng(9)
    assert skeleton.of(trace(variant(ref, rng, [2, 3, 2], 1, "sigmoid", "sigmoid", "mse"))) is None


def test_the_value_column_is_picked_from_the_numbers_only_where_every_row_reads_one(ref):
    rng = np.random.default_rng(11)
    for structure in STRUCTURES:
        sizes, count, hidden, output, loss, bias, reduction, knobs = structure
        result = trace(variant(ref, rng, sizes, count, hidden, output, loss, bias, reduction, **knobs))
        shared = skeleton.of(result)
        assert shared.values is not None  # every structure's rows read their numbers as they are
        assert list(skeleton.own_values(shared, result)) == [row["value"] for row in result.rows()]


def test_without_a_template_the_substituted_column_is_rendered_row_by_row(ref, monkeypatch):
    monkeypatch.setattr(skeleton_template, "build", lambda trace, rows, heads: (None, None, None))
    monkeypatch.setattr(skeleton, "_KEPT", {})
    rng = np.random.default_rng(11)
    spec = variant(ref, rng, [3, 4, 3], 2, "tanh", "softmax", "cross_entropy", iterations=2)
    result = trace(spec)
    shared = skeleton.of(result)
    assert shared.text is None and shared.heads is not None
    values = [row["value"] for row in result.rows()]
    assert skeleton.lines(shared, result, values, ",".join(PREFIX) + ",") == expected(spec)


def _raw_lines(spec) -> str:
    """The skeleton's lines, or (when its structure fell back) the row-by-row path's."""
    result = trace(spec)
    shared = skeleton.of(result)
    values = [row["value"] for row in result.rows()]
    return skeleton.lines(shared, result, values, ",".join(PREFIX) + ",")


@pytest.mark.parametrize("hidden, output, loss", [("relu", "linear", "half_sse"),
                                                  ("leaky_relu", "sigmoid", "bce"),
                                                  ("tanh", "softmax", "cross_entropy")])
def test_a_skeleton_made_from_one_variant_writes_any_other_exactly(hidden, output, loss):
    # The skeleton of a structure is made from the first variant it meets; every later variant
    # is written from it. Values a hand-built variant may hold -- a unit exactly at a ReLU kink
    # (z = 0), mixed signs, exact zeros and ones, tiny and large magnitudes -- must still give
    # the csv module's bytes.
    from hypothesis import given
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    sizes = [2, 3, 2] if output != "linear" else [2, 3, 1]
    weights_shape = [(sizes[i + 1], sizes[i]) for i in range(len(sizes) - 1)]
    special = st.sampled_from([0.0, 1.0, -1.0, 0.5, -0.5, 1e-9, -3e-7, 123.25, -0.1])
    value = st.one_of(special, st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 3)))

    @hsettings(max_examples=40, deadline=None)
    @given(weights=st.tuples(*[st.lists(st.lists(value, min_size=m, max_size=m), min_size=n,
                                        max_size=n) for n, m in weights_shape]),
           inputs=st.lists(value, min_size=sizes[0], max_size=sizes[0]),
           rate=st.sampled_from([0.5, 0.1, 1e-5, 2.0]))
    def check(weights, inputs, rate):
        targets = [1.0, 0.0] if output == "softmax" else [0.25] * sizes[-1]
        if loss == "bce":
            targets = [1.0, 0.0]
        spec = {"layers": sizes, "activations": [hidden, output], "loss": loss,
                "weights": [list(w) for w in weights], "inputs": inputs, "targets": targets,
                "learning_rate": rate}
        assert _raw_lines(spec) == expected(spec)

    check()


@pytest.mark.parametrize("structure", STRUCTURES, ids=lambda s: "-".join(map(str, s[0])) + f"-{s[2]}-{s[3]}")
def test_a_stored_trace_is_written_from_its_network_and_values_alone(ref, structure):
    """The export writes a stored trace of a known structure without running the engine: its
    step numbers read from the stored values (``skeleton_stored``). Where a structure has such
    a plan, every variant's lines are still the csv module's over the engine's own rows."""
    sizes, count, hidden, output, loss, bias, reduction, knobs = structure
    rng = np.random.default_rng(sum(sizes) * 11 + count)
    planned = []
    for number in range(3):
        spec = variant(ref, rng, sizes, count, hidden, output, loss, bias, reduction,
                       **dict(knobs, learning_rate=[0.1, 0.5, 1e-5][number]))
        result = trace(spec)
        shared = skeleton.of(result)
        values = [row["value"] for row in result.rows()]
        text = skeleton.stored_lines(shared, compile_spec(spec, parameters=False), values, ",".join(PREFIX) + ",")
        planned.append(text is not None)
        if text is not None:
            assert text == expected(spec)
    # one step of plain gradient descent, the exercises' kind, always has a plan
    if knobs.get("iterations", 1) == 1 and "optimizer" not in knobs:
        assert all(planned)


def test_the_numbers_of_a_stored_trace_are_its_stored_values(ref):
    """A stored trace's formulas show its stored numbers, not the engine's: the first weight
    stored as 0.123457 appears in the first pre-activation's substituted formula."""
    spec = variant(ref, np.random.default_rng(5), [2, 2, 2], 1, "sigmoid", "sigmoid", "mse",
                   naming="seed")
    result = trace(spec)
    shared = skeleton.of(result)
    rows = list(result.rows())
    values = [row["value"] for row in rows]
    w1 = next(i for i, row in enumerate(rows) if row["quantity"] == "w" and row["phase"] == "input")
    z1 = next(i for i, row in enumerate(rows) if row["quantity"] == "z")
    values[w1] = 0.123457
    lines = skeleton.stored_lines(shared, compile_spec(spec, parameters=False), values).splitlines()
    substituted = next(csv.reader([lines[z1]]))[COLUMNS.index("substituted")]
    assert "0.123457" in substituted
    assert "0.123457" not in rows[z1]["substituted"]
