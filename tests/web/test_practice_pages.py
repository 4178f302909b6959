"""Home, practice configurator and the exercise page, through the Flask test client."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from exercises.web.practice_form import knobs_from_args, share_args

from .conftest import element_text, start_practice


def open_practice(client, query: str = "template=seed-2-2-2&seed=1234") -> str:
    """Open a practice exercise; returns its page's path."""
    response = start_practice(client, f"/practice/new?{query}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return urlsplit(response.location).path


def test_home_starts_the_seed_exercise_in_one_click(client):
    html = client.get("/").get_data(as_text=True)
    assert 'method="post" action="/practice/new?template=seed-2-2-2"' in html


def test_new_practice_redirects_to_its_exercise_page(client):
    path = open_practice(client)
    assert re.fullmatch(r"/exercises/[A-Za-z0-9_-]{22}", path)
    html = client.get(path).get_data(as_text=True)
    assert "<svg" in html and "<math" in html
    for key in ("delta:2:1", "w_new:2:1:1", "b_new:1:2", "delta:1:1"):
        assert f'name="{key}"' in html


def test_fields_are_grouped_in_computation_order(client):
    html = client.get(open_practice(client)).get_data(as_text=True)
    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert legends == ["Output layer: error signals δ", "Output layer: updated weights and biases",
                       "Hidden layer: error signals δ", "Hidden layer: updated weights and biases"]


def test_same_browser_same_seed_reuses_the_exercise(client):
    assert open_practice(client) == open_practice(client)


def test_without_a_seed_each_start_is_a_new_exercise(client):
    assert open_practice(client, "template=seed-2-2-2") != open_practice(client, "template=seed-2-2-2")


def test_another_browser_gets_404_on_someone_elses_exercise(app, client):
    path = open_practice(client)
    assert app.test_client().get(path).status_code == 404
    assert client.get("/exercises/not-an-id").status_code == 404


def test_the_share_link_opens_the_same_numbers_in_another_browser(app, client, stored_exercise):
    first = open_practice(client, "template=seed-2-2-2&layers=2-3-2&hidden=tanh&seed=77")
    html = client.get(first).get_data(as_text=True)
    link = re.search(r'id="share-link">([^<]+)<', html).group(1).replace("&amp;", "&")
    other = app.test_client()
    second = urlsplit(start_practice(other, link).location).path
    assert second != first
    mine, theirs = stored_exercise(first.rsplit("/", 1)[1]), stored_exercise(second.rsplit("/", 1)[1])
    assert theirs.spec == mine.spec and theirs.seed == 77
    assert theirs.spec["layers"] == [2, 3, 2] and theirs.spec["activations"][0] == "tanh"


@pytest.mark.parametrize("query", [
    "template=seed-2-2-2&seed=5",
    "template=tanh-3-3-2&learning_rate=0.25&seed=9",
    "template=seed-2-2-2&layers=2-2-2-2&hidden=relu&output=linear&loss=half_sse&seed=3",
    "template=relu-2-3-1&bias=shared&ask=delta&ask=dL_dw&answer_digits=5&seed=12",
    "template=seed-2-2-2&update_biases=0&naming=matrix&seed=4",
])
def test_share_arguments_recreate_the_knobs(query):
    from exercises.practice import template_from_knobs

    knobs = knobs_from_args(MultiDict(parse_qs(query)))
    template, seed = template_from_knobs(knobs)
    again = share_args(knobs["template"], template.to_dict(), seed)
    assert template_from_knobs(knobs_from_args(MultiDict(again)))[0] == template


@pytest.mark.parametrize("query, field", [
    ("layers=2-9-2", "layers"),
    ("layers=two", "layers"),
    ("learning_rate=fast", "learning_rate"),
    ("seed=-4", "seed"),
    ("answer_digits=20", "answer_digits"),
    ("output=softmax&layers=2-2-1", "layers"),
])
def test_bad_settings_reopen_the_configurator_with_the_message_beside_the_field(client, query, field):
    response = client.get(f"/practice/new?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="cfg-{field}-error"' in html
    assert f'id="cfg-{field}" name="{field}"' in html or f'name="{field}"' in html


def test_an_unanswered_exercise_page_holds_no_expected_value(client, engine_answers, stored_exercise):
    for template in ("seed-2-2-2", "tanh-3-3-2", "relu-2-3-1", "softmax-3-4-3"):
        path = open_practice(client, f"template={template}&seed=2024")
        exercise_id = path.rsplit("/", 1)[1]
        digits = stored_exercise(exercise_id).settings["answer_digits"]
        html = client.get(path).get_data(as_text=True)
        for key, value in engine_answers(exercise_id).items():
            assert repr(abs(value)) not in html, key
            assert f"{abs(value):.{digits}g}" not in html, (template, key)


def test_the_statement_tables_every_given_weight_and_bias(client, stored_exercise):
    path = open_practice(client)
    spec = stored_exercise(path.rsplit("/", 1)[1]).spec
    html = client.get(path).get_data(as_text=True)
    table = html.split('<table class="values">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<td class="num">([^<]+)</td>', table)
    given = [w for layer in spec["weights"] for row in layer for w in row]
    given += [b for layer in spec["biases"] for b in layer]
    assert sorted(float(c.replace("−", "-")) for c in cells) == sorted(given)
    edges = re.findall(r"<td>([^<]+)</td>", table)
    assert edges[:4] == ["x1 → h1", "x2 → h1", "x1 → h2", "x2 → h2"]  # w1…w4, as in the post
    assert edges[6:10] == ["h1 → ŷ1", "h1 → ŷ2", "h2 → ŷ1", "h2 → ŷ2"]  # w5…w8


# --- Answer digits, δ convention and given networks (issue 9) ---------------------------------

SEED_POST = {"layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
             "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
             "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30],
             "targets": [0.20, 0.90], "learning_rate": 0.5}


def test_the_statement_states_the_digits_and_what_delta_means_in_the_gradient_convention(
        client, stored_exercise):
    path = open_practice(client, "template=seed-2-2-2&answer_digits=5&seed=8")
    assert stored_exercise(path.rsplit("/", 1)[1]).settings["answer_digits"] == 5
    html = client.get(path).get_data(as_text=True)
    assert element_text(html, "answer-digits") == (
        "Give answers to 5 significant figures; keep more digits in intermediate values.")
    delta = element_text(html, "delta-definition")
    assert "δ = ∂L/∂z" in delta and "a positive δ means that raising the pre-activation " \
                                    "would raise the loss" in delta
    assert "θ⁺ = θ − η·δ·a" in delta
    # the formula in the seed post's names: δ_ŷ1 = ∂L/∂a_ŷ1, and a_ŷ1 is the pre-activation
    assert "a_ŷ1 is the pre-activation of unit ŷ1" in delta
    # the MathML formulas, read as text: δ_ŷ1 = ∂L/∂a_ŷ1 and w5⁺ = w5 − η δ_ŷ1 h1 (w5: h1→ŷ1)
    assert "δy^1=∂L∂ay^1" in delta and "w5+=w5−ηδy^1h1" in delta


def test_the_statement_defines_delta_as_the_negative_gradient_in_the_negative_convention(
        client, stored_exercise):
    path = open_practice(client, "template=tanh-3-3-2&delta_convention=negative&seed=8")
    exercise = stored_exercise(path.rsplit("/", 1)[1])
    assert exercise.spec["delta_convention"] == "negative"
    html = client.get(path).get_data(as_text=True)
    delta = element_text(html, "delta-definition")
    assert "δ = −∂L/∂z" in delta and "Mitchell" in delta
    assert "θ⁺ = θ + η·δ·a" in delta
    assert "would lower the loss" in delta
    assert "δy^1=−∂L∂ay^1" in delta and "w10+=w10+ηδy^1h1" in delta    # w10: h1→ŷ1 in 3-3-2
    digits = exercise.settings["answer_digits"]
    assert element_text(html, "answer-digits").startswith(f"Give answers to {digits} significant")


def test_the_statement_is_in_korean_too(client):
    path = open_practice(client, "template=seed-2-2-2&seed=8&lang=ko")
    html = client.get(path).get_data(as_text=True)
    assert "유효숫자" in element_text(html, "answer-digits")
    assert "δ = ∂L/∂z" in element_text(html, "delta-definition")


def test_auto_and_fixed_digits_from_the_configurator(client, stored_exercise):
    auto = open_practice(client, "template=seed-2-2-2&answer_digits=auto&seed=8")
    assert stored_exercise(auto.rsplit("/", 1)[1]).settings["answer_digits"] in range(4, 9)
    seven = open_practice(client, "template=seed-2-2-2&answer_digits=7&seed=8")
    assert stored_exercise(seven.rsplit("/", 1)[1]).settings["answer_digits"] == 7
    response = client.get("/practice/new?answer_digits=3")
    assert response.status_code == 422
    assert "4 to 8" in element_text(response.get_data(as_text=True), "cfg-answer_digits-error")


def test_a_pasted_network_opens_an_exercise_on_exactly_it_and_lists_what_it_misses(
        client, stored_exercise):
    import json
    from urllib.parse import urlencode

    query = urlencode({"network": json.dumps(SEED_POST), "answer_digits": "4"})
    path = open_practice(client, query)
    exercise = stored_exercise(path.rsplit("/", 1)[1])
    assert exercise.seed is None and exercise.settings["answer_digits"] == 4
    assert exercise.spec["weights"] == SEED_POST["weights"]
    assert exercise.spec["biases"] == SEED_POST["biases"]
    html = client.get(path).get_data(as_text=True)
    listed = element_text(html, "exercise-conditions")
    assert "under 20 times its rounding allowance at 4 significant figures" in listed
    assert "w1⁺" in listed
    assert 'id="share-link"' not in html     # a link cannot carry the network
    assert "Practice on a given network" in html


@pytest.mark.parametrize("network, message", [
    ("{not json", "not a JSON network spec"),
    ('{"layers": [2, 2]}', "weights"),
    ('{"layers": [2, 2], "weights": [[[0.1, 0.2], [0.3, 0.4]]], "inputs": [1, 2], '
     '"targets": [0.5, 0.5], "learning_rate": 0.5, "iterations": 3}', "one iteration"),
])
def test_a_bad_pasted_network_reopens_the_configurator_naming_it(client, network, message):
    from urllib.parse import urlencode

    response = client.get("/practice/new?" + urlencode({"network": network}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in element_text(html, "cfg-network-error")
    assert "{" in element_text(html, "cfg-network")     # what was pasted is kept


def test_a_pasted_network_the_engine_refuses_is_named_in_korean(client):
    import json
    from urllib.parse import urlencode

    network = json.dumps({**SEED_POST, "learning_rate": 0})
    client.get("/practice?lang=ko")
    response = client.get("/practice/new?" + urlencode({"network": network}))
    assert response.status_code == 422
    assert element_text(response.get_data(as_text=True), "cfg-network-error").endswith(
        "network.learning_rate: 0보다 커야 합니다")


def test_a_pasted_network_without_biases_takes_the_forms_default_questions(client, stored_exercise):
    import json
    from urllib.parse import urlencode

    network = {key: value for key, value in SEED_POST.items() if key != "biases"}
    network["bias"] = "none"
    query = urlencode([("network", json.dumps(network)), ("ask", "delta"), ("ask", "w_new"),
                       ("ask", "b_new"), ("answer_digits", ""), ("template", "seed-2-2-2")])
    path = open_practice(client, query)
    fields = [f["key"] for f in stored_exercise(path.rsplit("/", 1)[1]).fields]
    assert "delta:2:1" in fields and "w_new:1:1:1" in fields
    assert not any(key.startswith("b_new") for key in fields)


def test_with_adam_the_statement_defines_delta_but_shows_no_sgd_step(client):
    import json
    from urllib.parse import urlencode

    adam = {**SEED_POST, "optimizer": "adam"}
    path = open_practice(client, urlencode({"network": json.dumps(adam),
                                            "delta_convention": "negative"}))
    delta = element_text(client.get(path).get_data(as_text=True), "delta-definition")
    assert "δ = −∂L/∂z" in delta and "∂L/∂w = −δ·a" in delta
    assert "θ⁺ = θ + η·δ·a" not in delta and "w5+" not in delta
