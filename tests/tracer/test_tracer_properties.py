"""Property tests: any valid spec traces with rows in SPEC §4 order, counted and round-tripped."""

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracer import row_count, trace

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUTS = [(a, l) for a in HIDDEN + ("softmax",) for l in ("mse", "half_sse", "sse")]
OUTPUTS += [("sigmoid", "bce"), ("softmax", "cross_entropy")]
NUMERIC = ("step", "iteration", "sample", "phase", "layer", "unit", "source", "quantity", "value")
VALUES = st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def specs(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=5))
    output, loss = draw(st.sampled_from(OUTPUTS))
    activations = [draw(st.sampled_from(HIDDEN)) for _ in sizes[2:]] + [output]
    count = draw(st.integers(1, 3))
    bias = draw(st.sampled_from(("per_unit", "shared", "none")))
    spec = {
        "layers": sizes, "activations": activations, "loss": loss, "bias": bias,
        "weights": [[[draw(VALUES) for _ in range(m)] for _ in range(n)] for m, n in zip(sizes, sizes[1:])],
        "inputs": [[draw(VALUES) for _ in range(sizes[0])] for _ in range(count)],
        "learning_rate": draw(st.sampled_from((0.01, 0.5, 1.0))),
        "optimizer": draw(st.sampled_from(("sgd", "momentum", "adam"))),
        "update_biases": draw(st.booleans()), "reduction": draw(st.sampled_from(("mean", "sum"))),
        "iterations": draw(st.integers(1, 3)),
        "naming": draw(st.sampled_from(("seed", "sequential", "matrix") if len(sizes) == 3 else ("sequential", "matrix"))),
    }
    if loss == "cross_entropy":
        hot = [draw(st.integers(0, sizes[-1] - 1)) for _ in range(count)]
        spec["targets"] = [[float(j == h) for j in range(sizes[-1])] for h in hot]
    else:
        spec["targets"] = [[draw(st.floats(0, 1)) for _ in range(sizes[-1])] for _ in range(count)]
    if bias == "per_unit":
        spec["biases"] = [[draw(VALUES) for _ in range(n)] for n in sizes[1:]]
    elif bias == "shared":
        spec["biases"] = [draw(VALUES) for _ in sizes[1:]]
    return spec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_any_valid_spec_traces_consistently(spec):
    result = trace(spec)
    rows = list(result.rows())
    assert len(rows) == len(result) == row_count(result.spec)
    assert [row["step"] for row in rows] == list(range(1, len(rows) + 1))
    assert [tuple(row[c] for c in NUMERIC) for row in rows] == list(result.numeric_rows())
    phases = ["input", "forward", "loss", "backward", "update"]
    for t in range(1, spec["iterations"] + 1):
        order = [phases.index(row["phase"]) for row in rows if row["iteration"] == t]
        assert order == sorted(order)
    text = result.to_csv()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[*NUMERIC[:-1], "symbol", "formula", "substituted", "value"]]
                                 + [[*(row[c] for c in NUMERIC[:-1]), row["symbol"], row["formula"],
                                     row["substituted"], row["value"]] for row in rows])
    assert text == buffer.getvalue()  # byte for byte what the csv module writes
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [float(row["value"]) for row in parsed] == [row["value"] for row in rows]
    assert json.loads(result.to_json())["steps"] == rows
