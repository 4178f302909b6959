"""``POST /api/v1/traces`` traces a circuit spec (SPEC §10) as JSON or CSV, and refuses a bad one."""

import csv
import io

import pytest

CS231N = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}]}}


def test_trace_endpoint_traces_a_circuit_as_json_and_csv(client):
    response = client.post("/api/v1/traces", json=CS231N)
    assert response.status_code == 200
    body = response.get_json()
    grads = {s["node"]: s["value"] for s in body["steps"] if s["quantity"] == "grad"}
    assert grads == {"f": 1.0, "q": -4.0, "z": 3.0, "x": -4.0, "y": -4.0}  # CS231n's by hand
    assert body["spec"]["graph"]["output"] == "f"
    response = client.post("/api/v1/traces?format=csv", json=CS231N)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    local = next(r for r in rows if r["quantity"] == "local_grad" and r["node"] == "f" and r["arg"] == "z")
    assert (local["symbol"], float(local["value"])) == ("∂f/∂z", 3.0)


@pytest.mark.parametrize("graph, key", [
    ({"leaves": {"x": 1}, "nodes": [{"name": "f", "op": "foo", "args": ["x"]}]}, "graph.nodes[0].op"),
    ({"leaves": {"x": 1, "y": 0}, "nodes": [{"name": "f", "op": "div", "args": ["x", "y"]}]}, "graph.nodes[0]"),
    ({"leaves": {"x": 1}, "nodes": [{"name": "f", "op": "exp", "args": ["x"]}], "colour": 1}, "graph.colour"),
])
def test_trace_endpoint_refuses_a_bad_circuit_with_422_naming_the_key(client, graph, key):
    response = client.post("/api/v1/traces", json={"graph": graph})
    assert response.status_code == 422
    error = response.get_json()
    assert list(error["fields"]) == [key]
    assert error["error"].startswith(key + ":")
