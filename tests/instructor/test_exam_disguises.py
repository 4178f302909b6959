"""Exam mode holds against a copied variant in disguise: a nudge smaller than the shown decimals
round away, the sample inside a batch, reordered hidden units or inputs, a dead hidden unit.
Each disguise is refused on every tracing route, to a caller without a login (the set leaves
the trace tool open, so the network is what refuses) and to a signed-in instructor of another
course; once the exam closes, the same request is served."""
from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select, update

from exercises import db
from exercises.models import Exercise, ProblemSet

from .conftest import build_set, csrf_token, login, make_user

EXAM_OPEN_UNTIL = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(hours=2)


def nudged(spec):
    spec["weights"][0][0][0] += 1e-12
    return spec


def one_ulp(spec):
    spec["weights"][1][1][0] = float(np.nextafter(spec["weights"][1][1][0], 2.0))
    return spec


def rounded_the_same(spec):
    """Every given value moved by 0.004: each still rounds to the two decimals shown."""
    spec["weights"] = (np.asarray(spec["weights"]) + 0.004).tolist()
    spec["biases"] = (np.asarray(spec["biases"]) - 0.004).tolist()
    spec["inputs"] = (np.asarray(spec["inputs"]) + 0.004).tolist()
    return spec


def sent_twice_as_a_batch(spec):
    spec["inputs"] = spec["inputs"] * 2
    spec["targets"] = spec["targets"] * 2
    return spec


def inside_a_batch(spec):
    """The variant's sample second, after an unrelated one."""
    spec["inputs"] = [[0.9, -0.8], *spec["inputs"]]
    spec["targets"] = [[0.5, 0.5], *spec["targets"]]
    return spec


def hidden_units_swapped(spec):
    w1, w2 = spec["weights"]
    spec["weights"] = [[w1[1], w1[0]], [[row[1], row[0]] for row in w2]]
    spec["biases"][0] = spec["biases"][0][::-1]
    return spec


def inputs_swapped(spec):
    spec["weights"][0] = [row[::-1] for row in spec["weights"][0]]
    spec["inputs"] = [sample[::-1] for sample in spec["inputs"]]
    return spec


def dead_hidden_unit(spec):
    """A third hidden unit with weights of its own in, and all-zero weights out."""
    spec["layers"] = [2, 3, 2]
    spec["weights"][0].append([0.77, -0.31])
    spec["weights"][1] = [row + [0.0] for row in spec["weights"][1]]
    spec["biases"][0].append(0.25)
    spec["naming"] = "sequential"
    return spec


def everything_at_once(spec):
    return dead_hidden_unit(hidden_units_swapped(inside_a_batch(nudged(spec))))


DISGUISES = [nudged, one_ulp, rounded_the_same, sent_twice_as_a_batch, inside_a_batch,
             hidden_units_swapped, inputs_swapped, dead_hidden_unit, everything_at_once]


def routes(client):
    """Every way to trace: (name, function of a spec returning a response)."""
    token = csrf_token(client, "/trace")

    def form(path):
        return lambda spec: client.post(path, data={"spec": json.dumps(spec),
                                                    "csrf_token": token})

    def upload(spec):
        return client.post("/trace", data={"csrf_token": token, "file": (
            io.BytesIO(json.dumps(spec).encode()), "network.json")},
            content_type="multipart/form-data")

    return [("api json", lambda spec: client.post("/api/v1/traces", json=spec)),
            ("api csv", lambda spec: client.post("/api/v1/traces?format=csv", json=spec)),
            ("/trace", form("/trace")), ("/trace.json", form("/trace.json")),
            ("/trace.csv", form("/trace.csv")), ("upload", upload)]


def refused(response) -> bool:
    text = response.get_data(as_text=True)
    return response.status_code in (403, 422) and "belongs to an exam" in text


@pytest.fixture
def exam(app, instructor):
    """An open exam that leaves the trace tool open to callers without a login; yields
    (set id, one variant's spec)."""
    set_id = build_set(app, instructor, pool_size=2, exam_mode=True, lock_trace_tool=False,
                       due_at=EXAM_OPEN_UNTIL)
    with app.app_context():
        spec = db.session().scalars(select(Exercise.spec).where(
            Exercise.problem_set_id == set_id).order_by(Exercise.seed, Exercise.id)).first()
    return set_id, json.loads(json.dumps(spec))


def close(app, set_id):
    with app.app_context():
        with db.write_transaction() as sess:
            sess.execute(update(ProblemSet).where(ProblemSet.id == set_id).values(
                due_at=datetime.now(UTC) - timedelta(minutes=1)))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "other instructor"])
@pytest.mark.parametrize("disguise", DISGUISES, ids=lambda f: f.__name__)
def test_a_disguised_variant_is_refused_on_every_route_until_the_exam_closes(
        app, client, exam, disguise, signed_in):
    set_id, spec = exam
    if signed_in:
        make_user(app, "other@example.com")
        login(client, "other@example.com")
    disguised = disguise(copy.deepcopy(spec))
    for name, send in routes(client):
        response = send(disguised)
        assert refused(response), (name, response.status_code)
    close(app, set_id)
    for name, send in routes(client):
        assert send(disguised).status_code == 200, name


@pytest.mark.parametrize("change", [
    lambda spec: spec["weights"][0][0].__setitem__(0, spec["weights"][0][0][0] + 0.006),
    lambda spec: spec["biases"][1].__setitem__(0, spec["biases"][1][0] - 0.01),
    lambda spec: spec["inputs"][0].__setitem__(1, spec["inputs"][0][1] + 0.02),
    # Zeroing a weight the variant shows as nonzero (or, where it already shows 0.00, setting
    # it to 0.5): the variant's draws vary, and a weight already 0 would change nothing.
    lambda spec: spec["weights"][1][0].__setitem__(1, 0.0 if spec["weights"][1][0][1] else 0.5),
], ids=["weight past rounding", "bias", "input", "an outgoing weight zeroed"])
def test_a_network_that_changes_a_shown_value_is_traced(app, client, exam, change):
    _set_id, spec = exam
    change(spec)
    for name, send in routes(client):
        assert send(spec).status_code == 200, name


def test_an_unrelated_network_is_traced_by_a_signed_in_user_outside_the_exam(app, client, exam):
    student = make_user(app, "elsewhere@example.com", role="student")
    assert student
    login(client, "elsewhere@example.com")
    unrelated = {"layers": [2, 2, 1], "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
                 "inputs": [1.0, 2.0], "targets": [0.5], "learning_rate": 0.1}
    for name, send in routes(client):
        assert send(unrelated).status_code == 200, name
