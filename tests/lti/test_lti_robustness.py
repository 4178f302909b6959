"""Fuzzing the LTI endpoints (SPEC §11) with any form a platform, or anyone, may post: never a
5xx, a refused request answers its page saying why (a 4xx) and signs nobody in; only a login
from a registered platform stores anything (its nonce)."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.lti.models import LtiLaunchValue

from ..exercises.robustness import changed, row_counts
from .emulator import LEARNER, Platform
from .test_lti import REFUSAL, app, platform, setup  # noqa: F401  (fixtures)

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
TEXT = st.text(max_size=40) | st.sampled_from(
    ["", "x" * 3000, "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "https://lms.example", "\u202e"])
FIELDS = st.dictionaries(st.sampled_from(["iss", "login_hint", "client_id", "id_token",
                                          "state", "launch_id", "problem_set",
                                          "target_link_uri", "lti_message_hint"]) | st.text(
    max_size=8).filter(lambda text: "\0" not in text), TEXT.filter(lambda text: "\0" not in text), max_size=6)


def refused(response) -> bool:
    return 400 <= response.status_code < 500 and REFUSAL.search(
        response.get_data(as_text=True)) is not None


@FUZZ
@given(form=FIELDS, route=st.sampled_from(["/lti/login", "/lti/launch", "/lti/deep-link"]))
def test_any_form_on_an_lti_endpoint_is_refused_with_a_reason(app, form, route):
    client = app.test_client()
    before = row_counts(app)
    response = client.post(route, data=form)
    assert response.status_code < 500
    assert refused(response), (route, form, response.status_code)
    assert changed(before, row_counts(app)) == {}
    assert "session=" not in response.headers.get("Set-Cookie", "")


@FUZZ
@given(claims=st.dictionaries(st.sampled_from(
    ["iss", "aud", "sub", "nonce", "exp", "https://purl.imsglobal.org/spec/lti/claim/roles",
     "https://purl.imsglobal.org/spec/lti/claim/message_type",
     "https://purl.imsglobal.org/spec/lti/claim/custom"]),
    st.none() | st.integers() | TEXT | st.lists(TEXT, max_size=2)
    | st.dictionaries(TEXT, TEXT, max_size=2), max_size=4))
def test_a_signed_token_with_any_claims_is_refused_or_launches(app, setup,  # noqa: F811
                                                               platform: Platform, claims):
    """A correctly signed token whose claims are garbage: a 4xx with a reason, never a 500."""
    client = app.test_client()
    _login, state, nonce = platform.login(client, "fuzzed")
    token = platform.id_token(nonce, "fuzzed", [LEARNER], extra=claims)
    response = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code < 500
    assert response.status_code == 302 or refused(response), response.status_code


def test_the_key_set_is_public_json(client):
    response = client.get("/lti/jwks.json")
    assert response.status_code == 200 and response.get_json() == {"keys": []}


def test_a_registered_platform_s_login_stores_only_its_nonce(app, setup,  # noqa: F811
                                                             platform: Platform):
    before = row_counts(app)
    response, state, nonce = platform.login(app.test_client(), "someone")
    assert response.status_code == 302 and re.fullmatch(r"state-[0-9a-f-]{36}", state)
    assert changed(before, row_counts(app)) == {LtiLaunchValue.__tablename__: 1}
    assert len(nonce) == 64
