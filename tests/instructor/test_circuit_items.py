"""Circuit items in problem sets (SPEC §10, issue 17): an instructor adds a built-in circuit or
a pasted circuit spec to a set, publishes it (variants with leaf values drawn from their
seeds), students join, submit and are graded with ECF and the circuit misconceptions, and the
instructor's pages (gradebook, student detail, statistics, regrade, preview, print) show the
fields by their symbols (∂f/∂x), never raw keys.

Expected values are worked out here by hand from CS231n's f = (x + y)·z: q = x + y, f = q·z,
∂f/∂q = z, ∂f/∂z = q, ∂f/∂x = ∂f/∂y = z; with CS231n's own numbers x = −2, y = 5, z = −4:
q = 3, f = −12, ∂f/∂q = ∂f/∂x = ∂f/∂y = −4, ∂f/∂z = 3."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from exercises import db, submissions
from exercises.generation.circuits import generate_circuit
from exercises.instructor import answers, problem_sets, publishing
from exercises.instructor import set_regrade as regrade
from exercises.instructor.problem_sets import SetError
from exercises.models import Exercise, ProblemSetItem

from ..web.conftest import element_text
from .conftest import SET_FORM, build_set, join, login, make_user, post_form, variants_of

CS231N = ("circuit:cs231n", {"circuit": "cs231n"})
PASTED = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}]}}
SYMBOLS = ["∂f/∂q", "∂f/∂z", "∂f/∂x", "∂f/∂y"]
# ∂f/∂q written as 3 (q, not z): ∂f/∂x = ∂f/∂q·1 = 3 follows from it (carried); ∂f/∂y written
# as 1, the local gradient ∂q/∂y without the upstream factor (local_gradient_only).
SLIPS = {"grad:q": "3", "grad:z": "3", "grad:x": "3", "grad:y": "1"}


def by_hand(spec: dict) -> dict[str, float]:
    x, y, z = (spec["graph"]["leaves"][n] for n in "xyz")
    return {"grad:q": z, "grad:z": x + y, "grad:x": z, "grad:y": z}


@pytest.fixture
def student(app):
    return make_user(app, "sam@example.com", role="student", name="Sam Student")


@pytest.fixture
def pasted_set(app, instructor, student):
    """A published set of one item, CS231n's circuit pasted, joined by Sam."""
    with app.app_context():
        made = problem_sets.create_set(instructor, SET_FORM)
        problem_sets.add_item(made.id, "seed-2-2-2", problem_sets.item_knobs(
            {"template_id": "seed-2-2-2", "network": json.dumps(PASTED)}))
        publishing.publish(made.id)
    join(app, made.id, student)
    return made.id


def test_publishing_a_built_in_circuit_draws_each_variants_leaves_from_its_seed(app, instructor):
    set_id = build_set(app, instructor, items=(CS231N,), pool_size=4)
    with app.app_context():
        rows = db.session().scalars(select(Exercise).where(Exercise.problem_set_id == set_id)).all()
        item = db.session().scalar(select(ProblemSetItem).where(ProblemSetItem.problem_set_id == set_id))
        keys = answers.answer_keys(set_id)
    assert item.template_id == "circuit:cs231n" and item.title == "CS231n's circuit f = (x + y)·z"
    assert len(rows) == 4 and len({r.seed for r in rows}) == 4
    for row in rows:
        assert generate_circuit({"circuit": "cs231n"}, row.seed).spec == row.spec
        assert all(v == int(v) and -5 <= v <= 5 for v in row.spec["graph"]["leaves"].values())
        assert [f["symbol"] for f in row.fields] == SYMBOLS
        assert keys[row.id] == by_hand(row.spec)
        # the set's settings, not the circuit's defaults
        assert (row.settings["attempts"], row.settings["reveal"]) == (3, "after_attempts")
        assert row.settings["tolerance"]["atol"] == 1e-5 and row.settings["answer_digits"] == 4


def test_the_item_form_adds_a_built_in_or_a_pasted_circuit_and_asks_what_it_is_told(app, client, instructor):
    set_id = build_set(app, instructor, items=(), publish=False)
    login(client, "teacher@example.com")
    url = f"/instructor/sets/{set_id}"
    form = {"template_id": "circuit:fan-out", "circuit_ask": ["value", "grad"], "answer_digits": "5"}
    assert post_form(client, f"{url}/items", form, url).status_code == 302
    form = {"template_id": "seed-2-2-2", "network": json.dumps(PASTED), "title": "CS231n, pasted"}
    assert post_form(client, f"{url}/items", form, url).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "a given circuit: every student gets these values" in page
    with app.app_context():
        fan, pasted = db.session().scalars(select(ProblemSetItem).where(
            ProblemSetItem.problem_set_id == set_id).order_by(ProblemSetItem.position)).all()
    assert (fan.template_id, fan.title) == ("circuit:fan-out", "A value used twice: f = x·y + x")
    assert fan.knobs == {"circuit": "fan-out", "ask": ["value", "grad"], "answer_digits": 5}
    assert (pasted.template_id, pasted.title) == ("circuit", "CS231n, pasted")
    with app.app_context():
        publishing.publish(set_id)
        fan_variant = db.session().scalar(select(Exercise).where(Exercise.item_id == fan.id).limit(1))
    # f = x·y + x: values p, f; gradients ∂f/∂p, then x (both uses) and y
    assert [f["key"] for f in fan_variant.fields] == ["value:p", "value:f", "grad:p", "grad:x", "grad:y"]
    assert fan_variant.settings["answer_digits"] == 5


def test_a_pasted_network_beside_a_chosen_circuit_is_a_network_item_and_drafts_preview_circuits(
        app, client, instructor):
    set_id = build_set(app, instructor, items=(), publish=False)
    network = {"layers": [1, 1], "activations": "sigmoid", "loss": "mse", "learning_rate": 0.5,
               "weights": [[[0.3]]], "biases": [[0.1]], "inputs": [[0.5]], "targets": [[0.2]]}
    with app.app_context():
        knobs = problem_sets.item_knobs({"template_id": "circuit:cs231n", "network": json.dumps(network)})
        problem_sets.add_item(set_id, "circuit:cs231n", knobs)
        problem_sets.add_item(set_id, "circuit:cs231n", {})   # the template id names the circuit
        given, built_in = db.session().scalars(select(ProblemSetItem).where(
            ProblemSetItem.problem_set_id == set_id).order_by(ProblemSetItem.position)).all()
    assert given.template_id == "network" and built_in.template_id == "circuit:cs231n"
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{set_id}/items/{built_in.id}/variants/0")
    assert page.status_code == 200
    key = element_text(page.get_data(as_text=True), "answer-key")
    assert "generated now from the seed publishing uses" in page.get_data(as_text=True)
    assert [symbol for symbol in SYMBOLS if symbol in key] == SYMBOLS


@pytest.mark.parametrize("form, named", [
    ({"template_id": "circuit:nope"}, "template_id: Not a valid choice"),
    ({"template_id": "circuit:cs231n", "ask": ["delta"]}, "ask: a circuit asks for node values"),
    ({"template_id": "seed-2-2-2", "network": json.dumps({"graph": {"leaves": {"x": 1},
                                                                     "nodes": [{"name": "f", "op": "cube", "args": ["x"]}]}})},
     "network.graph.nodes"),
    ({"template_id": "circuit:cs231n", "network": "{not json"}, "network: not JSON"),
])
def test_a_bad_circuit_item_is_refused_naming_what_is_wrong(app, client, instructor, form, named):
    set_id = build_set(app, instructor, items=(), publish=False)
    login(client, "teacher@example.com")
    url = f"/instructor/sets/{set_id}"
    response = post_form(client, f"{url}/items", form, url, follow_redirects=True)
    assert response.status_code == 200
    assert named in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(ProblemSetItem).where(ProblemSetItem.problem_set_id == set_id)) is None


def test_exam_mode_holds_networks_only_and_says_so(app, client, instructor):
    exam = build_set(app, instructor, items=(), publish=False, exam_mode=True)
    with app.app_context(), pytest.raises(SetError, match="Exam mode holds networks only"):
        problem_sets.add_item(exam, *CS231N)
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{exam}").get_data(as_text=True)
    assert "Exam mode holds networks only" in element_text(page, "circuits-not-in-exams")
    homework = build_set(app, instructor, items=(CS231N,), publish=False)
    with app.app_context(), pytest.raises(SetError, match="Exam mode holds networks only"):
        problem_sets.update_set(homework, {**SET_FORM, "exam_mode": True})


def _statuses(html: str) -> dict[str, str]:
    rows = re.findall(r'<div class="answer-row status-(\w+)\s*">.*?name="([^"]+)"', html, flags=re.S)
    return {key: status for status, key in rows}


def test_a_student_sees_the_circuit_submits_and_is_graded_with_ecf_and_the_misconception(
        app, client, pasted_set, student):
    (variant,) = variants_of(app, pasted_set, student)
    login(client, "sam@example.com")
    url = f"/sets/{pasted_set}/exercises/{variant.id}"
    page = client.get(url).get_data(as_text=True)
    assert '<figure class="diagram circuit-diagram">' in page and 'role="img"' in page
    assert sorted(re.findall(r'class="wire-value"[^>]*>([^<]+)<', page)) == sorted(["−2", "5", "−4"])
    assert 'class="wire-grad"' not in page   # no gradient before the solution
    assert [k for k in re.findall(r'name="(grad:[a-z]+)"', page)] == ["grad:q", "grad:z", "grad:x", "grad:y"]
    response = post_form(client, url, SLIPS)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert _statuses(page) == {"grad:q": "incorrect", "grad:z": "correct", "grad:x": "carried",
                               "grad:y": "incorrect"}
    assert re.findall(r'data-misconception="([^"]+)"', page) == ["local_gradient_only"]
    # 10 points over 4 fields: ∂f/∂z right and ∂f/∂x carried at full ECF credit
    listing = element_text(client.get(f"/sets/{pasted_set}").get_data(as_text=True), "exercise-list")
    assert "1. Exercise on a given circuit" in listing and "5/10" in listing


def test_the_instructors_pages_show_circuit_fields_by_their_symbols(app, client, pasted_set, student):
    (variant,) = variants_of(app, pasted_set, student)
    with app.app_context():
        submissions.submit(variant.id, SLIPS, user_id=student)
    login(client, "teacher@example.com")
    base = f"/instructor/sets/{pasted_set}"
    gradebook = client.get(f"{base}/gradebook").get_data(as_text=True)
    assert re.search(r"Sam Student.*?5/10", gradebook, flags=re.S)
    detail = client.get(f"{base}/students/{student}").get_data(as_text=True)
    table = element_text(detail, "attempts-1")
    for symbol, text, status in zip(SYMBOLS, ("3", "3", "3", "1"),
                                    ("Incorrect", "Correct", "Correct method (error carried forward)", "Incorrect")):
        assert f"{symbol} {text} " in table and status in table
    assert "Local gradient without the upstream gradient" in table
    assert "grad:" not in table
    stats = client.get(f"{base}/statistics").get_data(as_text=True)
    rows = [element_text(stats, f"field-1-{n}") for n in range(1, 5)]
    assert [row.split()[0] for row in rows] == SYMBOLS
    assert "Local gradient without the upstream gradient" in element_text(stats, "misconceptions-1")
    preview = client.get(f"{base}/variants/{variant.id}").get_data(as_text=True)
    key = element_text(preview, "answer-key")
    assert [line for line in SYMBOLS if line in key] == SYMBOLS and "grad:" not in key
    assert "-4.000" in key and "3.000" in key


def test_a_regrade_with_less_ecf_credit_lowers_the_carried_field_only(app, client, pasted_set, student):
    (variant,) = variants_of(app, pasted_set, student)
    with app.app_context():
        first = submissions.submit(variant.id, SLIPS, user_id=student)
    assert first["fields"]["grad:x"]["status"] == "carried" and first["score"] == 2
    half = {"ecf_credit": 0.5, "tolerance": {"mode": "relabs", "rtol": 1e-2, "atol": 1e-5, "digits": None}}
    with app.app_context():
        regrade.regrade_set(pasted_set, half, None, apply=True)
    login(client, "teacher@example.com")
    detail = client.get(f"/instructor/sets/{pasted_set}/students/{student}").get_data(as_text=True)
    # 2.5 points for ∂f/∂z, half of 2.5 for the carried ∂f/∂x
    assert "3.75/10" in element_text(detail, "attempts-1")


def test_the_print_view_prints_each_circuit_variant_on_its_page_and_a_key_of_every_value(app, client, pasted_set, student):
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{pasted_set}/print").get_data(as_text=True)
    sheet = element_text(page, "page-1")
    assert sheet.endswith("∂f∂q = ∂f∂z = ∂f∂x = ∂f∂y =")   # a blank answer box per field
    assert page.count('class="answer-box"') == 4
    assert '<figure class="diagram circuit-diagram">' in page
    assert "q=x+yf=q·z" in sheet and "x=−2, y=5, z=−4" in sheet   # MathML, tags dropped
    key = client.get(f"/instructor/sets/{pasted_set}/print?part=key").get_data(as_text=True)
    rows = re.findall(r'<tr( class="not-asked")?><th scope="row">([^<]+)</th><td class="num">([^<]+)', key)
    # every node value, then every gradient; the values are not asked
    assert [(symbol, value.strip(), bool(not_asked)) for not_asked, symbol, value in rows] == [
        ("q", "3.000", True), ("f", "-12.00", True), ("∂f/∂q", "-4.000", False), ("∂f/∂z", "3.000", False),
        ("∂f/∂x", "-4.000", False), ("∂f/∂y", "-4.000", False)]


def test_circuit_items_read_in_korean(app, client, instructor, student):
    set_id = build_set(app, instructor, items=(CS231N,), pool_size=1)
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    login(client, "sam@example.com")
    listing = element_text(client.get(f"/sets/{set_id}?lang=ko").get_data(as_text=True), "exercise-list")
    assert "1. CS231n의 회로 f = (x + y)·z" in listing
    page = client.get(f"/sets/{set_id}/exercises/{variant.id}").get_data(as_text=True)
    assert '<html lang="ko">' in page and "<h1>CS231n의 회로 f = (x + y)·z</h1>" in page
    assert "주어진 값이 선 위에 적힌 회로입니다. 원 하나가 연산 하나입니다." in page   # the diagram's caption
    assert "z에 대한 출력 f의 기울기" in page
    client.post("/logout")
    login(client, "teacher@example.com")
    exam = build_set(app, instructor, items=(), publish=False, exam_mode=True)
    page = client.get(f"/instructor/sets/{exam}?lang=ko").get_data(as_text=True)
    assert element_text(page, "circuits-not-in-exams").startswith("시험 모드에는 Network만 넣을 수 있습니다.")
    response = post_form(client, f"/instructor/sets/{exam}/items", {"template_id": "circuit:cs231n"},
                         f"/instructor/sets/{exam}", follow_redirects=True)
    assert "회로는 시험 모드 세트에 넣을 수 없습니다" in response.get_data(as_text=True)
