"""Fuzzing the student pages: practice query strings, the answer form and the trace tool, with
valid CSRF tokens so that the pages' own logic is what gets the garbage. Never a 5xx; a
rejected request says what is wrong and writes nothing."""
from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracer
from exercises import practice
from exercises.domain import InvalidSettings
from exercises.errors import status_of
from exercises.generation import BUILTIN_TEMPLATES
from exercises.generation.knobs import ASKABLE, BIAS_MODES, NAMINGS
from exercises.web.ownership import SESSION_KEY
from exercises.web.practice_form import QUERY_KEYS
from tracer.functions import ACTIVATIONS, LOSSES

from ..exercises.robustness import BAD_IDS, JSON_VALUES, SEED_SPEC, changed, row_counts
from ..instructor.conftest import csrf_token
from .conftest import start_practice

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
QUERY_TEXT = st.text(max_size=12) | st.sampled_from([
    "abc", "-1", "0", "2", "2-2-2", "99-99", "2-0-2", "²-2", "٣-٣", "1" * 5000, "1e5", "nan",
    "inf", "1,5", "-0", "２", "x" * 300, "sigmoid", "softmax", "relu", "bce", "cross_entropy",
    "none", "shared", "seed", "matrix", "delta", "w_new", "b_new", "loss", "xx", "ko"])


@pytest.fixture
def exercise(client):
    """A practice exercise opened in this client's browser session; its page URL."""
    response = start_practice(client, "/practice/new?seed=5")
    assert response.status_code == 302
    return response.location


def _token(client, csrf, url):
    return csrf(client.get(url).get_data(as_text=True))


@FUZZ
@given(query=st.lists(st.tuples(st.sampled_from(QUERY_KEYS + ("lang", "zzz")), QUERY_TEXT),
                      max_size=5))
def test_practice_links_with_garbage_open_an_exercise_or_say_what_is_wrong(app, client, query):
    text = urlencode([(k, v.replace("\x00", "")) for k, v in query])
    for page in ("/", "/practice"):
        assert client.get(f"{page}?{text}").status_code == 200
    before = row_counts(app)
    opened = client.get(f"/practice/new?{text}")
    assert row_counts(app) == before  # a GET never writes
    response = start_practice(client, f"/practice/new?{text}") if opened.status_code == 200 \
        else opened
    if response.status_code == 302:
        assert client.get(response.location).status_code == 200
        return
    assert response.status_code == 422, response.status_code
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page or 'role="alert"' in page
    assert row_counts(app) == before


@pytest.mark.parametrize("query, named", [
    ("layers=abc&seed=-1&seed=2", "layers"), ("layers=²-2", "layers"),
    ("seed=99999999999999999999999", "seed"), ("seed=" + "9" * 5000, "seed"),
    ("template=nope", "template"), ("learning_rate=nan", "learning_rate"),
    ("answer_digits=99", "answer_digits"), ("hidden=softmax", "activations"),
])
def test_garbage_query_strings_name_the_setting(app, client, query, named):
    response = client.get(f"/practice/new?{query}")
    assert response.status_code == 422
    assert named in response.get_data(as_text=True)


# Knobs of the right types in every combination: the networks they make (or the template
# errors they cause) are the ones the pages must render or explain.
KNOBS = st.fixed_dictionaries({}, optional={
    "template": st.sampled_from(sorted(BUILTIN_TEMPLATES)),
    "layers": st.lists(st.integers(1, 6), min_size=2, max_size=5),
    "activations": st.sampled_from(ACTIVATIONS)
    | st.lists(st.sampled_from(ACTIVATIONS), min_size=1, max_size=4),
    "loss": st.sampled_from(LOSSES), "bias": st.sampled_from(BIAS_MODES),
    "update_biases": st.booleans(), "naming": st.sampled_from(NAMINGS),
    "learning_rate": st.sampled_from([0.001, 0.1, 0.5, 1.0, 10.0]),
    "optimizer": st.sampled_from(["sgd", "momentum", "adam"]),
    "ask": st.lists(st.sampled_from(ASKABLE), min_size=1, max_size=4, unique=True),
    "answer_digits": st.integers(1, 8), "seed": st.integers(0, 2 ** 31 - 1)})


@settings(FUZZ, max_examples=25)
@given(knobs=KNOBS)
def test_every_page_of_any_exercise_the_knobs_make_renders(app, client, csrf, exercise, knobs):
    with client.session_transaction() as session:
        key = session[SESSION_KEY]
    with app.app_context():
        try:
            made, _bearer = practice.create(knobs, browser_key=key)
        except InvalidSettings as error:
            assert status_of(error) == 422 and error.message
            return
    page = f"/exercises/{made.id}"
    assert client.get(page).status_code == 200
    blank = client.post(page, data={"csrf_token": _token(client, csrf, page),
                                    "confirm_blanks": "1"})
    assert blank.status_code == 302 and client.get(page).status_code == 200
    assert client.post(f"{page}/solution",
                       data={"csrf_token": _token(client, csrf, page)}).status_code == 302
    assert client.get(f"{page}/solution").status_code == 200
    lines = client.get(f"{page}/trace.csv").get_data(as_text=True).splitlines()
    assert len(lines) == 1 + tracer.row_count(tracer.normalize(made.spec))


@FUZZ
@given(form=st.dictionaries(st.sampled_from(["delta:2:1", "w_new:2:1:2", "b_new:1:1"])
                            | st.text(max_size=10), st.text(max_size=80), max_size=5))
def test_any_answer_form_is_graded_or_shown_again_and_never_half_stored(app, client, csrf,
                                                                       exercise, form):
    data = {key: value for key, value in form.items() if key != "csrf_token"}
    before = row_counts(app)
    response = client.post(exercise, data={**data, "confirm_blanks": "1",
                                           "csrf_token": _token(client, csrf, exercise)})
    grew = changed(before, row_counts(app))
    if response.status_code == 302:
        assert grew.get("submissions") == 1
        assert client.get(response.location).status_code == 200
        return
    assert response.status_code in (400, 422), response.status_code  # 400: a NUL character
    assert not grew


@FUZZ
@given(spec=JSON_VALUES | st.builds(json.dumps, JSON_VALUES) | st.text(max_size=60))
def test_the_trace_tool_traces_or_says_why_for_any_paste(app, client, csrf, spec):
    text = spec if isinstance(spec, str) else json.dumps(spec)
    text = text.replace("\x00", "")
    for url in ("/trace", "/trace.csv", "/trace.json"):
        response = client.post(url, data={"spec": text, "csrf_token": _token(client, csrf,
                                                                             "/trace")})
        assert response.status_code in (200, 422), (url, response.status_code)
        if response.status_code == 422 and url != "/trace":
            assert response.mimetype == "text/plain" and response.get_data(as_text=True)


@pytest.mark.parametrize("upload", [b"\xff\xfe\x00", b"\xef\xbb\xbf{}", b"[" * 50_000, b"",
                                    json.dumps({**SEED_SPEC, "": 1}).encode()])
def test_uploaded_files_of_garbage_are_422(client, csrf, upload):
    response = client.post("/trace", content_type="multipart/form-data", data={
        "file": (io.BytesIO(upload), "spec.json"), "csrf_token": _token(client, csrf, "/trace")})
    assert response.status_code == 422


@pytest.mark.parametrize("spec, says", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"layers": [2, 2, 2], "layers": [3]}', "appears twice"),
    (json.dumps({**SEED_SPEC, "learning_rate": 1e308, "optimizer": "adam", "iterations": 5}),
     "overflow"),
    (json.dumps({"layers": [1, 10 ** 7 + 1], "bias": "none", "weights": [], "inputs": [1],
                 "targets": [1], "learning_rate": 1}), "at most 10000000"),
])
def test_pathological_specs_in_the_trace_tool_are_422_saying_why(client, csrf, spec, says):
    token = _token(client, csrf, "/trace")
    for url in ("/trace", "/trace.csv"):
        response = client.post(url, data={"spec": spec, "csrf_token": token})
        assert response.status_code == 422 and says in response.get_data(as_text=True)


def test_the_trace_tool_refuses_a_trace_over_the_row_limit_before_computing(
        client, csrf, monkeypatch):
    def no_tracing(_spec):
        raise AssertionError("the engine ran a trace that the row limit refuses")

    row = [0.01] * 20
    spec = {"layers": [20] * 3, "weights": [[row] * 20] * 2, "inputs": row,
            "targets": [0.5] * 20, "learning_rate": 0.1, "iterations": 1000}
    token = _token(client, csrf, "/trace")
    monkeypatch.setattr(tracer, "trace", no_tracing)
    response = client.post("/trace.csv", data={"spec": json.dumps(spec), "csrf_token": token})
    assert response.status_code == 422 and "limit is 100000" in response.get_data(as_text=True)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_exercise_id_that_is_no_id_of_ours_is_404(client, csrf, exercise, bad):
    token = _token(client, csrf, exercise)
    for url in (f"/exercises/{bad}", f"/exercises/{bad}/solution", f"/exercises/{bad}/trace.csv"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"csrf_token": token}).status_code in (404, 405), url


@pytest.mark.parametrize("path", ["/static/../exercises/config.py", "/static/%2e%2e/config.py",
                                  "/static/..%2f..%2fetc%2fpasswd", "/static/nope.css",
                                  "/static/" + "x" * 5000, "/static/%00"])
def test_static_files_stay_inside_the_static_folder(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)  # 400: a NUL character
    response.close()


@pytest.mark.parametrize("next_url", ["//evil.example", "https://evil.example/",
                                      "javascript:alert(1)", "/\\evil.example", "x" * 5000,
                                      "%00", "/instructor/"])
def test_the_login_page_takes_any_next_link(client, next_url):
    url = f"/login?next={next_url}"
    if client.get(url).status_code == 400:  # a NUL character
        return
    response = client.post(url, data={"email": "nobody@example.com", "password": "wrong",
                                      "csrf_token": csrf_token(client, url)})
    assert response.status_code == 200 and "do not match" in response.get_data(as_text=True)


@pytest.mark.parametrize("method, path, status", [
    ("POST", "/healthz", 405), ("GET", "/logout", 405), ("PUT", "/trace", 405),
    ("GET", "/trace.csv", 405), ("DELETE", "/exercises/abc", 405), ("GET", "/join/", 404),
])
def test_wrong_methods_on_pages_are_405(client, method, path, status):
    assert client.open(path, method=method).status_code in (status, 308)


@FUZZ
@given(key=st.sampled_from(["delta:2:1", "w_new:2:1:2", "b_new:1:1", "loss", "delta:9:9"])
       | st.text(max_size=30),
       answers=st.dictionaries(st.sampled_from(["delta:2:1", "w_new:2:1:2"]) | st.text(max_size=8),
                               st.text(max_size=40), max_size=3))
def test_any_coaching_request_climbs_one_rung_or_says_no(app, client, csrf, exercise, key,
                                                        answers):
    data = {k: v.replace("\x00", "") for k, v in answers.items() if k not in ("csrf_token",
                                                                              "coach")}
    before = row_counts(app)
    response = client.post(f"{exercise}/coach", data={
        **data, "coach": key.replace("\x00", ""), "csrf_token": _token(client, csrf, exercise)})
    grew = changed(before, row_counts(app))
    if response.status_code == 302:
        assert grew.get("ladder_steps") == 1
        assert client.get(response.location).status_code == 200
        return
    assert response.status_code in (400, 409, 422), response.status_code
    assert not grew.get("ladder_steps") and not grew.get("submissions")


@settings(FUZZ, max_examples=25)   # under the 30 anonymous traces a minute what-if is limited to
@given(form=st.dictionaries(st.sampled_from(["eta", "w:2:1:1", "b:1:1", "x:0:1", "y:2:2",
                                             "steps"]) | st.text(max_size=8),
                            QUERY_TEXT, max_size=5))
def test_any_what_if_form_recomputes_or_says_why(app, client, csrf, exercise, form):
    if not hasattr(client, "what_if_token"):  # one session token; revealed pages have no form
        client.what_if_token = _token(client, csrf, exercise)
        client.post(f"{exercise}/solution", data={"csrf_token": client.what_if_token})
    data = {k: v.replace("\x00", "") for k, v in form.items() if k != "csrf_token"}
    before = row_counts(app)
    response = client.post(f"{exercise}/what-if", data={
        **data, "csrf_token": client.what_if_token})
    assert response.status_code in (200, 400, 403, 422), response.status_code
    assert not changed(before, row_counts(app))


@FUZZ
@given(query=st.lists(st.tuples(st.text(max_size=8), QUERY_TEXT), max_size=4))
def test_my_practice_and_the_favicon_take_any_query(client, exercise, query):
    expected = 400 if any("\x00" in k + v for k, v in query) else 200  # NUL: refused anywhere
    assert client.get("/practice/mine?" + urlencode(query)).status_code == expected
    icon = client.get("/favicon.ico?" + urlencode(query))
    icon.close()   # a file response: close it, as a server would
    assert icon.status_code in (200, expected)
