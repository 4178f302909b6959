"""CSV and JSON of a trace: header, round trip, row order (SPEC §4) and row count."""

import csv
import io
import json

import numpy as np
import pytest

import tracer.rows
from tracer import normalize, row_count, trace
from tracer.trace import _csv_lines, csv_text

HEADER = "step,iteration,sample,phase,layer,unit,source,quantity,symbol,formula,substituted,value"


def expected_order(spec):
    """The SPEC §4 order, written out from the contract's table and the team's decisions."""
    sizes, depth = spec["layers"], len(spec["layers"]) - 1
    count, bias = len(spec["inputs"]), spec["bias"]
    states = {"sgd": [], "momentum": ["velocity"], "adam": ["m", "v"]}[spec["optimizer"]["name"]]
    updated = spec["update_biases"] and bias != "none"

    def bias_units(l):
        return {"per_unit": list(range(1, sizes[l] + 1)), "shared": [None], "none": []}[bias]

    rows = []
    for t in range(1, spec["iterations"] + 1):
        for s in range(1, count + 1):
            rows += [(t, s, "input", 0, k, None, "x") for k in range(1, sizes[0] + 1)]
            rows += [(t, s, "input", depth, j, None, "y") for j in range(1, sizes[-1] + 1)]
        for l in range(1, depth + 1):
            rows += [(t, None, "input", l, j, k, "w") for j in range(1, sizes[l] + 1) for k in range(1, sizes[l - 1] + 1)]
            rows += [(t, None, "input", l, j, None, "b") for j in bias_units(l)]
        for l in range(1, depth + 1):
            for s in range(1, count + 1):
                for j in range(1, sizes[l] + 1):
                    rows += [(t, s, "forward", l, j, None, "z"), (t, s, "forward", l, j, None, "a")]
        if count > 1:
            rows += [(t, s, "loss", None, None, None, "loss") for s in range(1, count + 1)]
        rows.append((t, None, "loss", None, None, None, "loss"))
        for l in range(depth, 0, -1):
            act = spec["activations"][l - 1]
            fused = l == depth and (act, spec["loss"]) in (("sigmoid", "bce"), ("softmax", "cross_entropy"))
            per_unit = [q for q in ("dL_da", "da_dz", "delta")
                        if not (q == "dL_da" and fused) and not (q == "da_dz" and act == "softmax")]
            for s in range(1, count + 1):
                for j in range(1, sizes[l] + 1):
                    rows += [(t, s, "backward", l, j, None, q) for q in per_unit]
            rows += [(t, None, "backward", l, j, k, "dL_dw") for j in range(1, sizes[l] + 1) for k in range(1, sizes[l - 1] + 1)]
            rows += [(t, None, "backward", l, j, None, "dL_db") for j in bias_units(l)]
        for l in range(1, depth + 1):
            for j in range(1, sizes[l] + 1):
                for k in range(1, sizes[l - 1] + 1):
                    rows += [(t, None, "update", l, j, k, q) for q in states]
            if updated:
                for j in bias_units(l):
                    rows += [(t, None, "update", l, j, None, q) for q in states]
            rows += [(t, None, "update", l, j, k, "w_new") for j in range(1, sizes[l] + 1) for k in range(1, sizes[l - 1] + 1)]
            if updated:
                rows += [(t, None, "update", l, j, None, "b_new") for j in bias_units(l)]
    return rows


ORDER_CASES = {
    "batch": dict(inputs=[[0.5, -0.3], [0.1, 0.2], [0.9, -0.9]], targets=[[0.2, 0.9], [0.1, 0.1], [0.5, 0.5]]),
    "iterations": dict(iterations=3),
    "adam": dict(optimizer="adam", iterations=2),
    "momentum without bias updates": dict(optimizer="momentum", update_biases=False),
    "shared bias": dict(bias="shared", biases=[0.1, 0.2], optimizer="adam", iterations=2,
                        inputs=[[0.5, -0.3], [0.1, 0.2]], targets=[[0.2, 0.9], [0.1, 0.1]]),
    "no bias": dict(bias="none", biases=None),
    "softmax cross-entropy": dict(activations=["tanh", "softmax"], loss="cross_entropy", targets=[0.3, 0.7]),
    "sigmoid bce, sum": dict(loss="bce", reduction="sum", inputs=[[0.5, -0.3], [0.1, 0.2]], targets=[[0.2, 0.9], [0.1, 0.1]]),
    "softmax mse": dict(activations=["relu", "softmax"], loss="mse"),
    "deep": dict(layers=[2, 3, 2, 2], weights=[[[0.1, 0.2]] * 3, [[0.1, -0.2, 0.3]] * 2, [[0.5, -0.5]] * 2],
                 biases=[[0.0] * 3, [0.1] * 2, [0.2] * 2], iterations=2, optimizer="momentum"),
}


@pytest.mark.parametrize("case", ORDER_CASES)
def test_rows_come_in_spec_order(ref, case):
    result = trace(ref.seed_spec(**ORDER_CASES[case]))
    got = [tuple(row[1:8]) for row in result.numeric_rows()]
    assert got == expected_order(result.spec)
    assert [row[0] for row in result.numeric_rows()] == list(range(1, len(got) + 1))
    assert len(result) == len(got) == row_count(result.spec) == row_count(normalize(ref.seed_spec(**ORDER_CASES[case])))


@pytest.mark.parametrize("case", ORDER_CASES)
def test_rows_and_numeric_rows_agree(ref, case):
    result = trace(ref.seed_spec(**ORDER_CASES[case]))
    full = [(r["step"], r["iteration"], r["sample"], r["phase"], r["layer"], r["unit"], r["source"],
             r["quantity"], r["value"]) for r in result.rows()]
    assert full == list(result.numeric_rows())


def wide_spec(**changes):
    """A 12-9-3 softmax network with a batch of 10: sums long enough to be elided everywhere."""
    rng = np.random.default_rng(7)
    spec = {"layers": [12, 9, 3], "activations": ["tanh", "softmax"], "loss": "cross_entropy",
            "weights": [rng.uniform(-1, 1, (9, 12)).round(2).tolist(), rng.uniform(-1, 1, (3, 9)).round(2).tolist()],
            "biases": [rng.uniform(-1, 1, 9).round(2).tolist(), rng.uniform(-1, 1, 3).round(2).tolist()],
            "inputs": rng.uniform(-1, 1, (10, 12)).round(2).tolist(),
            "targets": np.eye(3)[rng.integers(0, 3, 10)].tolist(), "learning_rate": 0.5,
            "optimizer": "adam", "iterations": 2}
    return {**spec, **changes}


CHUNK_CASES = {**{case: ORDER_CASES[case] for case in ("batch", "shared bias", "adam", "deep", "no bias")},
               "deep, negative δ": dict(ORDER_CASES["deep"], delta_convention="negative"),
               "wide": "wide", "wide, sequential, momentum, shared bias": "wide-shared",
               "wide, negative δ": "wide-negative"}


@pytest.mark.parametrize("case", CHUNK_CASES)
def test_rendering_a_few_units_or_sources_at_a_time_changes_nothing(ref, case, monkeypatch):
    # Rows are rendered in chunks of rows.CHUNK units or sources so that memory stays bounded
    # on wide layers; the cuts between chunks must not show in any column.
    changes = CHUNK_CASES[case]
    if changes == "wide":
        spec = wide_spec()
    elif changes == "wide-shared":
        spec = wide_spec(naming="sequential", optimizer="momentum", bias="shared", biases=[0.1, -0.2])
    elif changes == "wide-negative":
        spec = wide_spec(activations=["tanh", "softmax"], loss="mse", delta_convention="negative")
    else:
        spec = ref.seed_spec(**changes)
    whole = list(trace(spec).rows())
    for chunk in (1, 2, 4):
        monkeypatch.setattr(tracer.rows, "CHUNK", chunk)
        assert list(trace(spec).rows()) == whole


@pytest.mark.parametrize("case", ["batch", "shared bias", "adam"])
def test_csv_has_the_contract_header_and_reads_back_bit_identical(ref, case):
    result = trace(ref.seed_spec(**ORDER_CASES[case]))
    text = result.to_csv()
    assert text.splitlines()[0] == HEADER
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    rows = list(result.rows())
    assert len(parsed) == len(rows) == len(result)
    for got, row in zip(parsed, rows):
        assert float(got["value"]).hex() == float(row["value"]).hex()
        for column in ("step", "iteration", "sample", "layer", "unit", "source"):
            assert got[column] == ("" if row[column] is None else str(row[column]))
        assert (got["symbol"], got["formula"], got["substituted"]) == (row["symbol"], row["formula"], row["substituted"])


def test_csv_values_equal_the_value_api_bit_for_bit(ref):
    result = trace(ref.seed_spec(**ORDER_CASES["batch"]))
    for row in csv.DictReader(io.StringIO(result.to_csv(), newline="")):
        args = {c: int(row[c]) if row[c] else None for c in ("layer", "unit", "source", "sample")}
        if row["quantity"] not in ("x", "y", "z", "a", "dL_da", "da_dz", "delta", "loss"):
            args["sample"] = None
        value = result.value(row["quantity"], iteration=int(row["iteration"]), **args)
        assert float(row["value"]) == value


def csv_module_text(rows):
    """The CSV of ``rows`` (dicts) as the standard library's csv.writer writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER.split(","))
    writer.writerows([row[c] for c in HEADER.split(",")] for row in rows)
    return buffer.getvalue()


@pytest.mark.parametrize("case", [*ORDER_CASES, "wide", "wide, negative δ"])
@pytest.mark.parametrize("naming", ["sequential", "matrix"])
def test_csv_is_exactly_what_the_csv_module_writes(ref, case, naming):
    if case.startswith("wide"):
        spec = wide_spec(naming=naming, delta_convention="negative" if "negative" in case else "gradient")
    else:
        spec = ref.seed_spec(**ORDER_CASES[case], naming=naming)
    result = trace(spec)
    assert result.to_csv() == csv_module_text(result.rows())


def test_csv_cells_are_quoted_as_the_csv_module_quotes_them():
    # Formulas hold commas (w_{1,2}); quotes and line breaks never occur but would be quoted too.
    texts = ["w_{1,2}", 'say "hi"', "a,\"b\"", "line\nbreak", "cr\rhere", "", "plain", "ŷ1 ∂L/∂w5"]
    rows = [(i + 1, 1, None, "forward", 0, None, 3, "z", text, text[::-1], "x" + text, -0.1 * i)
            for i, text in enumerate(texts)]
    expected = csv_module_text([dict(zip(HEADER.split(","), row)) for row in rows])
    assert HEADER + "\r\n" + "".join(_csv_lines(rows)) == expected


def test_bulk_csv_text_takes_a_prefix_and_other_values_and_writes_what_csv_writes():
    # a stored trace's export: leading cells (already CSV) and the values read from storage
    texts = ["w_{1,2}", 'say "hi"', "line\nbreak", "", "plain"]
    rows = [(i + 1, 1, None if i % 2 else 2, "update", 1, 2, None, "w_new", text, text[::-1],
             "y" + text, 99.0) for i, text in enumerate(texts)]
    stored = [0.1 + 0.2, -1e-300, 5e-324, 1 / 3, -0.0]
    head = ["'=cmd", "Lee, Ann", "1. Seed", 0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row, value in zip(rows, stored):
        writer.writerow(head + list(row[:11]) + [value])
    prefix = "'=cmd,\"Lee, Ann\",1. Seed,0,"
    assert csv_text(rows, stored, prefix) == buffer.getvalue()
    # and the values read back bit-identical
    back = [float(line[-1]) for line in csv.reader(io.StringIO(buffer.getvalue()))]
    assert [v.hex() for v in back] == [v.hex() for v in stored]
    assert csv_text(rows) == "".join(_csv_lines(rows))  # without values: the rows' own


def test_write_csv_to_a_path(ref, tmp_path):
    path = tmp_path / "trace.csv"
    trace(ref.seed_spec()).write_csv(path)
    assert path.read_bytes().startswith((HEADER + "\r\n").encode())  # RFC 4180 line ends


def test_json_round_trip_is_bit_identical_and_echoes_the_normalized_spec(ref):
    result = trace(ref.seed_spec(**ORDER_CASES["adam"]))
    document = json.loads(result.to_json())
    assert document["spec"] == result.spec == normalize(ref.seed_spec(**ORDER_CASES["adam"]))
    assert document["spec"]["optimizer"] == {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert [list(step) for step in document["steps"]] == [list(HEADER.split(","))] * len(result)
    for got, row in zip(document["steps"], result.rows()):
        assert got == row
        assert got["value"].hex() == row["value"].hex()
    assert result.to_dict()["steps"][0]["source"] is None


def test_substituted_sums_of_more_than_eight_terms_are_elided():
    spec = {"layers": [10, 1], "weights": [[[0.1] * 10]], "inputs": [1.0] * 10, "targets": [0.5],
            "learning_rate": 0.1}
    z = next(row for row in trace(spec).rows() if row["quantity"] == "z")
    assert r"\cdots" in z["formula"] and r"\cdots" in z["substituted"]
    assert z["formula"].count("+") < 10


def latex_problem(text):
    """Return why ``text`` is not well-formed LaTeX math (unbalanced braces, double scripts), or None.

    ``scripts`` holds, per brace level, the scripts (^, _) already attached to the current atom.
    """
    scripts, i = [set()], 0
    while i < len(text):
        char = text[i]
        if char == "{":
            scripts.append(set())
        elif char == "}":
            if len(scripts) == 1:
                return "unbalanced }"
            scripts.pop()
            scripts[-1] = set()  # the group just closed is the new current atom
        elif char in "^_":
            if char in scripts[-1]:
                return f"double {char} at {i}"
            scripts[-1].add(char)
            i += 1  # skip the script's argument: one character or a balanced group
            level = 0
            while i < len(text):
                level += {"{": 1, "}": -1}.get(text[i], 0)
                if level == 0:
                    break
                i += 1
        elif char == "\\":
            while i + 1 < len(text) and text[i + 1].isalpha():
                i += 1
            scripts[-1] = set()
        elif not char.isspace():
            scripts[-1] = set()
        i += 1
    return "unbalanced {" if len(scripts) > 1 else None


@pytest.mark.parametrize("case", ["batch", "shared bias", "deep", "softmax mse", "sigmoid bce, sum",
                                  "softmax cross-entropy"])
@pytest.mark.parametrize("naming", ["seed", "sequential", "matrix"])
@pytest.mark.parametrize("convention", ["gradient", "negative"])
def test_formulas_are_well_formed_latex(ref, case, naming, convention):
    changes = dict(ORDER_CASES[case], naming=naming, delta_convention=convention)
    if case == "deep" and naming == "seed":
        changes["naming"] = "sequential"
    for row in trace(ref.seed_spec(**changes)).rows():
        for column in ("formula", "substituted"):
            assert latex_problem(row[column]) is None, (row["symbol"], column, row[column])


def test_the_latex_checker_finds_double_scripts():
    assert latex_problem(r"\delta_1^{[s]}") is None
    assert latex_problem(r"{\delta^{(2)}_1}^{[s]}") is None
    assert latex_problem(r"\delta^{(2)}_1^{[s]}") == "double ^ at 14"
    assert latex_problem(r"\frac{1}{2") == "unbalanced {"
