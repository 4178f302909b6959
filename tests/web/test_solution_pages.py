"""The worked solution: revealed on request, in the seed post's order, with a CSV download."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import tracer
from .conftest import start_practice


def start(client, query="template=seed-2-2-2&seed=8"):
    path = urlsplit(start_practice(client, f"/practice/new?{query}").location).path
    return path, path.rsplit("/", 1)[1]


def reveal(client, csrf, path):
    page = client.get(f"{path}/solution").get_data(as_text=True)
    response = client.post(f"{path}/solution", data={"csrf_token": csrf(page)})
    assert response.status_code == 302
    return client.get(f"{path}/solution").get_data(as_text=True)


def test_the_solution_asks_before_revealing_and_shows_no_answer_until_then(
        client, engine_answers, stored_exercise):
    path, exercise_id = start(client)
    html = client.get(f"{path}/solution").get_data(as_text=True)
    assert "Show the worked solution" in html and 'class="step' not in html
    for value in engine_answers(exercise_id).values():
        assert f"{abs(value):.6g}" not in html
    assert client.get(f"{path}/trace.csv").status_code == 403
    assert stored_exercise(exercise_id).revealed is False


def test_revealing_records_it_and_shows_every_value(client, csrf, engine_answers, stored_exercise):
    path, exercise_id = start(client)
    html = reveal(client, csrf, path)
    assert stored_exercise(exercise_id).revealed is True
    for value in engine_answers(exercise_id).values():
        assert f"{abs(value):.6g}" in html
    assert html.count('<li class="step') == sum(
        1 for row in tracer.trace(stored_exercise(exercise_id).spec).rows()
        if row["phase"] != "input")


def test_the_walkthrough_follows_the_seed_posts_order(client, csrf):
    path, _ = start(client)
    html = reveal(client, csrf, path)
    titles = re.findall(r"<h3>([^<]+)</h3>", html)
    assert titles == ["Given values", "Feedforward: Hidden layer", "Feedforward: Output layer",
                      "Loss", "Output layer: error signals and gradients",
                      "Output layer: parameter update", "Hidden layer: error signals and gradients",
                      "Hidden layer: parameter update"]
    steps = re.findall(r'<li class="step[^"]*" id="step-(\d+)"', html)
    # Output δ (rows 26–37 of the engine's order) come before the output updates (56–61),
    # which come before the hidden δ (38–49).
    order = [int(s) for s in steps]
    assert order.index(28) < order.index(56) < order.index(40) < order.index(50)


def test_every_step_is_mathematics(client, csrf):
    path, _ = start(client)
    html = reveal(client, csrf, path)
    items = re.findall(r'<li class="step.*?</li>', html, flags=re.S)
    assert items and all("<math" in item for item in items)


def test_the_students_answers_stand_beside_the_true_values(client, csrf, engine_answers):
    path, exercise_id = start(client)
    page = client.get(path).get_data(as_text=True)
    client.post(path, data={"csrf_token": csrf(page), "delta:2:1": "0.123456789",
                            "confirm_blanks": "1"})
    html = reveal(client, csrf, path)
    item = re.search(r'<li class="step asked" id="step-28".*?</li>', html, flags=re.S).group(0)
    assert "0.123456789" in item and "badge-incorrect" in item
    assert f"{abs(engine_answers(exercise_id)['delta:2:1']):.6g}" in item


def test_the_csv_download_carries_the_whole_trace(client, csrf, stored_exercise):
    path, exercise_id = start(client)
    reveal(client, csrf, path)
    response = client.get(f"{path}/trace.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = list(tracer.trace(stored_exercise(exercise_id).spec).rows())
    assert len(rows) == len(expected)
    assert [float(r["value"]) for r in rows] == [r["value"] for r in expected]
    assert rows[27]["symbol"] == "δ_ŷ1"


def test_someone_elses_solution_is_404(app, client):
    path, _ = start(client)
    other = app.test_client()
    assert other.get(f"{path}/solution").status_code == 404
    assert other.get(f"{path}/trace.csv").status_code == 404
