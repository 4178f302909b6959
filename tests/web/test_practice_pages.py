"""Home, practice configurator and the exercise page, through the Flask test client."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from exercises.web.practice_form import knobs_from_args, share_args
from werkzeug.datastructures import MultiDict


def open_practice(client, query: str = "template=seed-2-2-2&seed=1234") -> str:
    """Open a practice exercise; returns its page's path."""
    response = client.get(f"/practice/new?{query}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return urlsplit(response.location).path


def test_home_starts_the_seed_exercise_in_one_click(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/practice/new"' in html
    assert 'name="template" value="seed-2-2-2"' in html


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
    second = urlsplit(other.get(link).location).path
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
