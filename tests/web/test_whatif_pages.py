"""What-if mode without JavaScript: the form posts, the server recomputes; values that changed
are marked, the loss before and after the update shown, training plotted. Expected values are
computed here with the engine on a spec changed here, never read from the page under test."""
from __future__ import annotations

import copy
import re

import tracer

from .conftest import element_text
from .test_solution_pages import reveal, start


def whatif_form(html: str) -> dict[str, str]:
    """The what-if form's fields as the page fills them."""
    return {name: value.replace("&#34;", '"') for name, value in
            re.findall(r'<input type="[a-z]+"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html)}


def row_cells(html: str) -> dict[str, tuple[str, str, bool]]:
    """Per row id: the exercise's value, the what-if value, and whether the row is marked."""
    found = {}
    for cls, row, body in re.findall(r'<tr class="([^"]*)" data-row="([^"]+)">(.*?)</tr>', html,
                                     flags=re.S):
        cells = re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)</td>', body)
        found[row] = (cells[1], cells[2], "changed" in cls)
    return found


def shown(value: float) -> str:
    text = f"{value:.6g}"
    return "0" if text == "-0" else text.replace("-", "−")


def test_what_if_is_refused_before_the_solution_is_revealed(client):
    path, _ = start(client)
    assert client.get(f"{path}/what-if").status_code == 403
    assert client.post(f"{path}/what-if", data={}).status_code in (400, 403)


def test_someone_elses_what_if_is_404(app, client, csrf):
    path, _ = start(client)
    reveal(client, csrf, path)
    assert app.test_client().get(f"{path}/what-if").status_code == 404


def test_changing_w5_recomputes_on_the_server_and_marks_what_changed(client, csrf,
                                                                    stored_exercise):
    path, exercise_id = start(client)
    reveal(client, csrf, path)
    page = client.get(f"{path}/what-if").get_data(as_text=True)
    assert not any(marked for _old, _new, marked in row_cells(page).values())
    form = whatif_form(page)
    spec = tracer.normalize(stored_exercise(exercise_id).spec)
    assert float(form["w:2:1:1"]) == spec["weights"][1][0][0]  # w5: h1 → ŷ1
    form.update({"w:2:1:1": "1.5", "csrf_token": csrf(page), "steps": "5"})
    response = client.post(f"{path}/what-if", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    changed = copy.deepcopy(spec)
    changed["weights"][1][0][0] = 1.5
    before, after = tracer.trace(spec), tracer.trace(changed)
    cells = row_cells(html)
    delta = cells["1.1.delta.2.1."]
    assert delta == (shown(before.value("delta", 2, 1)), shown(after.value("delta", 2, 1)), True)
    # Nothing before the output layer's pre-activations changes: the hidden layer is marked
    # unchanged; ŷ2's own δ depends only on w6, w8 and is unchanged too.
    assert cells["1.1.z.1.1."][2] is False and cells["1.1.a.1.2."][2] is False
    assert cells["1.1.delta.2.2."][2] is False
    for row in after.rows():
        if row["phase"] != "input":
            old = before.value(row["quantity"], row["layer"], row["unit"], row["source"],
                               row["sample"])
            key = f"1.{row['sample'] or ''}.{row['quantity']}.{row['layer'] or ''}." \
                  f"{row['unit'] or ''}.{row['source'] or ''}"
            assert cells[key][2] == (shown(old) != shown(row["value"])), key
    loss = element_text(html, "whatif-results")
    two = tracer.trace(dict(changed, iterations=2))
    assert shown(two.value("loss", iteration=1)) in loss
    assert shown(two.value("loss", iteration=2)) in loss
    plot = re.search(r'<polyline class="loss-line" points="([^"]+)"', html).group(1)
    assert len(plot.split()) == 6  # the loss before the first update and after each of 5


def test_an_unreadable_value_is_named_and_nothing_is_traced(client, csrf):
    path, _ = start(client)
    reveal(client, csrf, path)
    page = client.get(f"{path}/what-if").get_data(as_text=True)
    form = whatif_form(page)
    form.update({"eta": "fast", "csrf_token": csrf(page)})
    response = client.post(f"{path}/what-if", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert element_text(html, "err-eta") == "Enter a number."
    assert re.search(r'name="eta"\s+value="fast"', html)  # kept as typed, to correct


def test_too_many_training_steps_are_refused_with_the_limit(client, csrf):
    path, _ = start(client)
    reveal(client, csrf, path)
    page = client.get(f"{path}/what-if").get_data(as_text=True)
    form = whatif_form(page)
    form.update({"steps": "100000", "csrf_token": csrf(page)})
    response = client.post(f"{path}/what-if", data=form)
    assert response.status_code == 422
    assert "from 1 to 200" in element_text(response.get_data(as_text=True), "err-steps")


def test_what_if_never_traces_an_open_exams_variant(app, client, csrf, stored_exercise):
    """A practice exercise's what-if changed into an open exam's variant (lock off, so the
    page itself is allowed) is refused, and so is the same network through the trace API that
    the page's script calls."""
    from sqlalchemy import select

    from exercises import accounts, db
    from exercises.instructor import problem_sets, publishing
    from exercises.models import Exercise

    path, exercise_id = start(client)
    reveal(client, csrf, path)
    with app.app_context():
        owner = accounts.create_user(email="prof@example.com", name="Prof",
                                     password="long enough", role="instructor")
        exam = problem_sets.create_set(owner.id, {
            "title": "Midterm", "instructions": "", "attempts": 3, "due_at": None,
            "ecf_credit": 1.0, "feedback": True, "reveal": "after_attempts",
            "tolerance_mode": "relabs", "rtol": 1e-2, "atol": 0.0, "digits": None,
            "pool_size": 1, "exam_mode": True, "lock_trace_tool": False})
        problem_sets.add_item(exam.id, "seed-2-2-2", {})
        publishing.publish(exam.id)
        variant = tracer.normalize(db.session().scalars(
            select(Exercise).where(Exercise.problem_set_id == exam.id)).first().spec)
    page = client.get(f"{path}/what-if")
    assert page.status_code == 200  # this exercise is no exam's
    html = page.get_data(as_text=True)
    form = {"csrf_token": csrf(html), "steps": "3", "eta": str(variant["learning_rate"])}
    form.update({f"x:{k}": str(v) for k, v in enumerate(variant["inputs"][0], 1)})
    form.update({f"y:{j}": str(v) for j, v in enumerate(variant["targets"][0], 1)})
    for layer, matrix in enumerate(variant["weights"], 1):
        form.update({f"w:{layer}:{j}:{k}": str(v) for j, row in enumerate(matrix, 1)
                     for k, v in enumerate(row, 1)})
        form.update({f"b:{layer}:{j}": str(v) for j, v in
                     enumerate(variant["biases"][layer - 1], 1)})
    response = client.post(f"{path}/what-if", data=form)
    assert response.status_code == 403
    assert "exam" in element_text(response.get_data(as_text=True), "whatif-problem")
    own = tracer.normalize(stored_exercise(exercise_id).spec)
    assert client.post("/api/v1/traces", json=dict(variant, naming=own["naming"])).status_code == 403


def test_training_beyond_the_row_budget_is_refused_before_tracing(app, client, csrf,
                                                                  monkeypatch):
    from exercises.web import whatif

    path, exercise_id = start(client)
    reveal(client, csrf, path)
    page = client.get(f"{path}/what-if").get_data(as_text=True)
    monkeypatch.setattr(whatif, "row_budget", lambda caller: 61 * 10)  # 10 iterations' rows
    form = whatif_form(page)
    form.update({"steps": "50", "csrf_token": csrf(page)})
    response = client.post(f"{path}/what-if", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "the limit is 610" in element_text(html, "err-steps")
    plot = re.search(r'<polyline class="loss-line" points="([^"]+)"', html).group(1)
    assert len(plot.split()) <= 10  # what is plotted stays within the budget
