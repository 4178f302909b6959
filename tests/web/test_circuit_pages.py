"""Circuit pages without a browser: a built-in circuit from its link, the configurator's links,
the trace tool on a circuit spec, the Korean page and the trace download."""
import csv
import io
import json
import re

from .conftest import element_text, start_practice

CS231N = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}]}}


def test_the_configurator_links_every_built_in_circuit(client):
    html = client.get("/practice").get_data(as_text=True)
    for name in ("cs231n", "sigmoid-neuron", "fan-out", "max-gate", "division"):
        assert f'href="/practice/new?circuit={name}"' in html
    assert element_text(html, "circuit-cs231n") == "CS231n's circuit f = (x + y)·z"


def test_a_built_in_circuits_link_opens_the_same_exercise_with_its_fields(client):
    response = start_practice(client, "/practice/new?circuit=fan-out&seed=4")
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert element_text(html, "statement-heading") == "The circuit"
    names = re.findall(r'name="(grad:[a-z0-9_]+)"', html)
    assert names == ["grad:p", "grad:x", "grad:y"]   # x's gradient after both uses are summed
    share = re.search(r'id="share-link">([^<]+)<', html).group(1)
    assert share.endswith("/practice/new?circuit=fan-out&amp;seed=4")
    again = client.get("/practice/new?circuit=fan-out&seed=4")
    assert again.status_code == 302 and again.location == response.location
    korean = client.get(response.location + "?lang=ko").get_data(as_text=True)
    assert element_text(korean, "statement-heading") == "회로"


def test_the_trace_tool_walks_through_a_circuit_and_downloads_its_csv(client, csrf):
    page = client.get("/trace").get_data(as_text=True)
    body = {"csrf_token": csrf(page), "spec": json.dumps(CS231N)}
    response = client.post("/trace", data=body)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="wire-grad"' in html and "Backward pass, in reverse order" in html
    download = client.post("/trace.csv", data=body)
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True), newline="")))
    grads = {r["node"]: float(r["value"]) for r in rows if r["quantity"] == "grad"}
    assert grads == {"f": 1.0, "q": -4.0, "z": 3.0, "x": -4.0, "y": -4.0}


def test_a_bad_circuit_knob_in_a_link_is_shown_on_the_configurator(client):
    response = client.get("/practice/new?circuit=nope&seed=1")
    assert response.status_code == 422
    assert "circuit" in response.get_data(as_text=True)
