"""Services speak the domain: ``practice`` and ``submissions`` raise ``exercises.domain`` errors
(no HTTP statuses), mapped to HTTP in one place (``errors.status_of``): SPEC §8's JSON under
/api/, the error page (in the reader's language) elsewhere."""
from __future__ import annotations

import pytest

from exercises import domain, practice, submissions
from exercises.errors import status_of

from ..web.conftest import element_text

KNOBS = {"template": "seed-2-2-2", "seed": 20240611, "attempts": 1}


@pytest.mark.parametrize(("error", "status"), [
    (domain.Malformed("answers: must be an object"), 400),
    (domain.Forbidden("an open exam's network"), 403),
    (domain.NotFound("no such exercise"), 404),
    (domain.NoAttemptsLeft(3), 409),
    (domain.InvalidAnswers({"w1": "not a number"}), 422),
    (domain.InvalidSettings("seed: out of range", {"seed": "not an integer in range"}), 422),
    (domain.TemplateRefused("layers: too many"), 422),
    (domain.UnknownPreset(), 422),
    (domain.UnreadableSettings({"layers": "not a number"}), 422),
])
def test_each_refusal_has_the_status_spec_gives_it(error, status):
    assert status_of(error) == status


def test_the_services_import_no_http_error():
    assert not hasattr(practice, "ApiError") and not hasattr(submissions, "ApiError")


def test_submissions_refuse_in_domain_terms(app):
    with app.app_context():
        exercise, _token = practice.create(KNOBS)
        key = exercise.fields[0]["key"]
        with pytest.raises(domain.Malformed) as malformed:
            submissions.submit(exercise.id, ["1"])
        assert malformed.value.fields == {"answers": "answers: must be an object {key: text or "
                                                    "number}, not an array"}
        with pytest.raises(domain.NotFound):
            submissions.submit("0" * 32, {})
        with pytest.raises(domain.InvalidAnswers) as unreadable:
            submissions.submit(exercise.id, {key: "abc", "nope": "1"})
        assert unreadable.value.fields == {key: "not a number", "nope": "unknown field"}
        submissions.submit(exercise.id, {})  # the one attempt, all blank
        with pytest.raises(domain.NoAttemptsLeft) as spent:
            submissions.submit(exercise.id, {key: "1"})
        assert spent.value.limit == 1
        assert spent.value.message == "no attempts left: all 1 have been used"


def test_practice_refuses_in_domain_terms(app):
    with app.app_context():
        with pytest.raises(domain.InvalidSettings) as seed:
            practice.create({"template": "seed-2-2-2", "seed": -1})
        assert list(seed.value.fields) == ["seed"]
        with pytest.raises(domain.InvalidSettings) as unknown:
            practice.create({"template": "seed-2-2-2", "colour": "red"})
        assert unknown.value.fields == {"colour": "not a practice setting"}
        with pytest.raises(domain.TemplateRefused) as refused:
            practice.create({"template": "seed-2-2-2", "seed": 1, "learning_rate": -1})
        assert "learning_rate" in refused.value.fields


def test_one_refusal_reaches_the_api_as_json_and_a_page_in_korean(app):
    def spent():
        raise domain.NoAttemptsLeft(3)
    app.add_url_rule("/api/v1/test-spent", "api_spent", spent)
    app.add_url_rule("/test-spent", "page_spent", spent)
    client = app.test_client()
    answer = client.get("/api/v1/test-spent")
    assert answer.status_code == 409
    assert answer.get_json() == {"error": "no attempts left: all 3 have been used", "fields": {}}
    page = client.get("/test-spent?lang=ko")
    assert page.status_code == 409 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert element_text(html, "error-heading") == "지금은 할 수 없음"
    assert element_text(html, "error-detail") == "남은 시도가 없습니다. 3회를 모두 사용했습니다."
