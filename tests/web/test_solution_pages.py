"""The worked solution: revealed on request, in the seed post's order, with a CSV download."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import tracer

from .conftest import element_text, start_practice


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
    keys = re.findall(r'<li class="step[^"]*" id="step-\d+"[^>]*data-key="([^"]+)"', html)
    # Output δ come before the output updates, which come before the hidden δ and updates
    # (the engine's rows run every δ first, then every update).
    assert (keys.index("delta:2:1") < keys.index("w_new:2:1:1") < keys.index("delta:1:1")
            < keys.index("w_new:1:1:1"))


def test_steps_are_numbered_in_the_order_shown_and_the_count_says_so(client, csrf,
                                                                    stored_exercise):
    path, exercise_id = start(client)
    html = reveal(client, csrf, path)
    numbers = [int(n) for n in re.findall(r'<span class="step-number"[^>]*>(\d+)</span>', html)]
    rows = list(tracer.trace(stored_exercise(exercise_id).spec).rows())
    computed = sum(1 for row in rows if row["phase"] != "input")
    assert numbers == list(range(1, computed + 1))
    assert computed == 45
    count = element_text(html, "walk-count")
    assert count.startswith("45 steps") and "from 16 given values" in count


def test_values_on_the_page_are_rounded_but_the_csv_keeps_them_exact(client, csrf,
                                                                    stored_exercise):
    path, exercise_id = start(client, "template=seed-2-2-2&seed=21")
    html = reveal(client, csrf, path)
    numbers = re.findall(r"<mn>([0-9.]+)</mn>", html)
    assert numbers
    # No number a person reads has more than 6 significant figures (no 0.29919999999999997).
    assert all(len(n.replace(".", "").lstrip("0")) <= 6 for n in numbers)
    exact = [row["value"] for row in tracer.trace(stored_exercise(exercise_id).spec).rows()]
    assert any(len(repr(abs(v)).replace(".", "").lstrip("0")) > 6 for v in exact)
    rows = list(csv.DictReader(io.StringIO(client.get(f"{path}/trace.csv").get_data(as_text=True))))
    assert [float(r["value"]) for r in rows] == exact


def test_the_csv_comes_with_a_byte_order_mark_when_asked(client, csrf):
    path, _ = start(client)
    html = reveal(client, csrf, path)
    assert f'href="{path}/trace.csv?bom=1"' in html
    marked = client.get(f"{path}/trace.csv?bom=1").get_data()
    plain = client.get(f"{path}/trace.csv").get_data()
    assert marked.startswith(b"\xef\xbb\xbfstep,iteration,") and plain.startswith(b"step,")
    assert marked[3:] == plain
    assert "δ_ŷ1" in marked.decode("utf-8-sig")


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
    item = re.search(r'<li class="step asked"[^>]*data-key="delta:2:1".*?</li>', html,
                     flags=re.S).group(0)
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
