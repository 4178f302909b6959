"""Shared tools of the robustness tests: garbage values, the SPEC §8 error check, row counts.

The standard they enforce: bad input always gets a clear 4xx message that names what is wrong,
never a 500, a partial write or a lost submission.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import strategies as st
from sqlalchemy import func, select

from exercises import db
from exercises.models import Base

# Values of every JSON type, the awkward ones included: NaN and ±Infinity (Python's json writes
# them as the literals NaN/Infinity), integers beyond float64 and beyond 64 bits, long and
# strange strings, and nested arrays and objects.
JSON_SCALARS = (st.none() | st.booleans()
                | st.integers(min_value=-(10 ** 400), max_value=10 ** 400)
                | st.sampled_from([0, -1, 2 ** 31, 2 ** 63, 10 ** 309, -0.0, 1e308, 5e-324])
                | st.floats(allow_nan=True, allow_infinity=True)
                | st.text(max_size=40)
                | st.sampled_from(["", "NaN", "Infinity", "1e999", "0x10", "½", "\u0000", "é" * 300,
                                   "../../etc/passwd", "' OR 1=1 --", "<script>", "𝟏", "2.5"]))
JSON_VALUES = st.recursive(JSON_SCALARS,
                           lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                           max_leaves=12)

# Strings that are no id of ours: random text, very long, unicode, traversal, NUL and friends.
BAD_IDS = ["x", "x" * 33, "x" * 5000, "é", "💥", "..", "..%2F..%2Fetc%2Fpasswd", "%00", "%ff",
           "a%20b", "' OR 1=1 --", "AAAAAAAAAAAAAAAAAAAAAA"]

SEED_SPEC = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]],
    "inputs": [0.50, -0.30], "targets": [0.20, 0.90], "learning_rate": 0.5,
}
_ROOT = re.compile(r"^[^\[.]*")


def key_root(key: str) -> str:
    """The top-level name in an error key: ``weights`` of ``weights[1][0]``, ``tolerance`` of
    ``tolerance.rtol``."""
    return _ROOT.match(key).group(0)


def assert_api_error(response, *statuses: int) -> dict:
    """Check SPEC §8's error shape and a 4xx status (one of ``statuses`` if given); returns
    the body."""
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    if statuses:
        assert response.status_code in statuses, (response.status_code, response.data[:300])
    assert response.is_json, response.data[:300]
    body = response.get_json()
    assert set(body) == {"error", "fields"}, body
    assert isinstance(body["error"], str) and body["error"].strip(), body
    assert isinstance(body["fields"], dict), body
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in body["fields"].items())
    assert len(body["error"]) <= 300, body["error"]
    return body


def row_counts(app) -> dict[str, int]:
    """The number of rows in every table, to prove that a rejected request wrote nothing."""
    with app.app_context():
        sess = db.session()
        counts = {table.name: sess.scalar(select(func.count()).select_from(table))
                  for table in Base.metadata.sorted_tables}
        sess.rollback()
        return counts


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Tables whose row count differs, with the difference."""
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}


@pytest.fixture
def practice(client):
    """A practice exercise made through the API: its public view, token and auth header."""
    created = client.post("/api/v1/practice", json={"seed": 11}).get_json()
    return {**created, "headers": {"Authorization": f"Bearer {created['token']}"}}
