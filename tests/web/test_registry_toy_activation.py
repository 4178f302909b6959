"""Adding an activation is one registry object: a toy softsign, registered in a fixture from a
test-only module (``toy_softsign``), traces, generates, grades and renders with no other module
touched. Values are checked against the closed forms and against finite differences of a loss
computed here, independently of the engine."""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import numpy as np
import pytest

import tracer
from exercises.generation import Template, generate
from exercises.grading import grade_submission
from exercises.grading.feedback import Feedback
from exercises.grading.grade import network_of
from tracer import activations as registry
from tracer.naming import Names

from .conftest import start_practice
from .toy_softsign import SOFTSIGN

SPEC = {"layers": [2, 2, 2], "activations": "softsign", "loss": "mse", "learning_rate": 0.5,
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
        "biases": [[0.35, 0.35], [0.6, 0.6]], "inputs": [0.05, 0.1], "targets": [0.01, 0.99]}


@pytest.fixture
def softsign():
    registry.register(SOFTSIGN)
    yield SOFTSIGN
    registry.unregister("softsign")


def _loss(weights, biases, x, y):
    """MSE of the softsign network, by hand: z = Wa + b, a = z/(1 + |z|)."""
    a = np.array(x)
    for w, b in zip(weights, biases):
        z = np.array(w) @ a + np.array(b)
        a = z / (1 + abs(z))
    return float(np.mean((a - np.array(y)) ** 2))


def test_the_toy_is_unknown_until_registered_and_gone_after():
    assert "softsign" not in registry.ACTIVATIONS
    with pytest.raises(tracer.SpecError, match="activations"):
        tracer.trace(SPEC)


def test_softsign_traces_with_closed_forms_and_finite_differences(softsign):
    trace = tracer.trace(SPEC)
    for l in (1, 2):
        for j in (1, 2):
            z = trace.value("z", l, j)
            assert trace.value("a", l, j) == pytest.approx(z / (1 + abs(z)), rel=1e-15)
            assert trace.value("da_dz", l, j) == pytest.approx(1 / (1 + abs(z)) ** 2, rel=1e-15)
    weights, biases = SPEC["weights"], SPEC["biases"]
    assert trace.value("loss") == pytest.approx(_loss(weights, biases, SPEC["inputs"], SPEC["targets"]))
    h = 1e-6
    for l in (1, 2):
        for j in (1, 2):
            for k in (1, 2):
                up, down = (np.array(weights, dtype=float) for _ in range(2))
                up[l - 1][j - 1][k - 1] += h
                down[l - 1][j - 1][k - 1] -= h
                numeric = (_loss(up, biases, SPEC["inputs"], SPEC["targets"])
                           - _loss(down, biases, SPEC["inputs"], SPEC["targets"])) / (2 * h)
                assert trace.value("dL_dw", l, j, k) == pytest.approx(numeric, rel=1e-6, abs=1e-10)


def test_softsign_formulas_are_the_registry_latex(softsign):
    trace = tracer.trace(SPEC)
    names = Names(SPEC["layers"], trace.spec["naming"])
    z = names.pre(1, 1)[1]
    rows = {(row["quantity"], row["layer"], row["unit"]): row for row in trace.rows()}
    assert rows[("a", 1, 1)]["formula"] == f"\\frac{{{z}}}{{1 + |{z}|}}"
    assert rows[("da_dz", 1, 1)]["formula"] == f"\\frac{{1}}{{(1 + |{z}|)^2}}"
    shown_z = rows[("z", 1, 1)]["value"]
    assert rows[("da_dz", 1, 1)]["substituted"] == f"\\frac{{1}}{{(1 + |{shown_z:.6g}|)^2}}"


def test_softsign_generates_and_true_answers_score_full_marks(softsign):
    template = Template(layers=(2, 2, 2), activations="softsign", ask=("da_dz", "delta", "w_new"))
    exercise = generate(template, seed=5)
    keys = [field.key for field in exercise.fields]
    assert "da_dz:1:1" in keys  # softsign's derivative is not constant, so it is asked
    trace = tracer.trace(exercise.spec)
    z = trace.value("z", 1, 1)
    assert exercise.expected["da_dz:1:1"] == pytest.approx(1 / (1 + abs(z)) ** 2, rel=1e-12)
    answers = {key: repr(exercise.expected[key]) for key in keys}
    result = grade_submission(exercise.spec, keys, answers)
    assert result.score == result.max_score > 0
    # Feedback about a missing derivative names softsign's own f', in the exercise's symbols.
    feedback = Feedback(network_of(exercise.spec), {})
    assert feedback.derivative(1, 1) == f"softsign'({feedback.sym('z', 1, 1)}) = 1/(1 + |{feedback.sym('z', 1, 1)}|)²"


class _Reader(HTMLParser):
    """The text of the span whose title is ``title``, and of the step with ``data-key``."""

    def __init__(self, attribute, value):
        super().__init__()
        self.attribute, self.value, self.depth, self.text = attribute, value, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth or dict(attrs).get(self.attribute) == self.value:
            self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= bool(self.depth)

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def _text(html, attribute, value):
    reader = _Reader(attribute, value)
    reader.feed(html)
    return re.sub(r"\s+", "", "".join(reader.text))  # MathML tokens joined as read, no spaces


def test_softsign_renders_on_the_exercise_page_and_in_the_worked_solution(softsign, client, csrf):
    response = start_practice(client, "/practice/new?template=seed-2-2-2&seed=8&hidden=softsign")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    path = urlsplit(response.location).path
    html = client.get(path).get_data(as_text=True)
    definition = _text(html, "title", SOFTSIGN.description)
    assert definition == "Hiddenlayer:softsign(z)=z1+|z|"  # softsign(z) = z / (1 + |z|)
    forward = [re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", "", item))) for item in re.findall(
        r'<li class="math-block">(.*?)</li>', html, re.S)]
    assert "h1=ah11+|ah1|" in forward  # the feedforward formula h1 = ah1 / (1 + |ah1|)
    page = client.get(f"{path}/solution").get_data(as_text=True)
    assert client.post(f"{path}/solution", data={"csrf_token": csrf(page)}).status_code == 302
    solution = client.get(f"{path}/solution").get_data(as_text=True)
    step = _text(solution, "data-key", "da_dz:1:1")
    # "∂h1/∂ah1 = 1/(1 + |ah1|)² = 1/(1 + |0.9155|)² = 0.272543", as MathML tokens read in order
    found = re.search(r"=1\(1\+\|ah1\|\)2=1\(1\+\|(-?[\d.]+)\|\)2=([\d.]+)$", step)
    assert found, step
    z, shown = float(found.group(1)), float(found.group(2))
    assert shown == pytest.approx(1 / (1 + abs(z)) ** 2, rel=1e-3)


def test_the_statement_gives_each_activation_its_registry_sentence_in_the_readers_language(client):
    path = start_practice(client, "/practice/new?template=seed-2-2-2&seed=3&lang=ko").location
    html = client.get(path).get_data(as_text=True)
    # Both sigmoid layers carry the Korean sentence; σ(z) = 1/(1 + e^−z) read as MathML text.
    assert _text(html, "title", "로지스틱 시그모이드는 z를 (0, 1) 구간으로 압축합니다.") == \
        "HiddenLayer:σ(z)=11+e−zOutputLayer:σ(z)=11+e−z"
