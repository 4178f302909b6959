"""SPEC §5, §6 and §8 as a client sees them: practice exercises through the JSON API, graded
against values computed here from the public network with the engine (``tracer.trace``)."""
from __future__ import annotations

import math

import pytest

import tracer
from tracer.keys import parse_key


def _practice(client, **knobs):
    response = client.post("/api/v1/practice", json=knobs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _submit(client, created, answers):
    return client.post(f"/api/v1/exercises/{created['id']}/submissions",
                       headers={"Authorization": f"Bearer {created['token']}"},
                       json={"answers": answers})


def _engine(created):
    """Every field's true value, from the engine's trace of the public network."""
    result = tracer.trace(created["network"])
    return {field["key"]: result.value(*parse_key(field["key"])) for field in created["fields"]}


def _statuses(response):
    assert response.status_code == 201, response.get_json()
    return {key: field["status"] for key, field in response.get_json()["fields"].items()}


@pytest.mark.parametrize("mode", ["sigfig", "decimals"])
def test_a_digits_tolerance_grades_answers_at_its_digits(client, mode):
    created = _practice(client, seed=4, ask=["delta"], tolerance={"mode": mode, "digits": 3})
    assert created["tolerance"]["mode"] == mode and created["tolerance"]["digits"] == 3
    true = _engine(created)
    fmt = "{:.3g}" if mode == "sigfig" else "{:.3f}"
    exact = {key: fmt.format(value) for key, value in true.items()}
    assert set(_statuses(_submit(client, created, exact)).values()) == {"correct"}
    # Two units of the last digit off: beyond the 0.51 of a unit either mode allows.
    def unit(value):
        return 10.0 ** (math.floor(math.log10(abs(value))) - 2) if mode == "sigfig" else 1e-3
    off = {key: repr(value + 2 * unit(value)) for key, value in true.items()}
    assert set(_statuses(_submit(client, created, off)).values()) == {"incorrect"}


@pytest.mark.parametrize("digits", [2, 3, 4])
def test_true_values_rounded_to_the_stated_digits_pass_the_default_tolerance(client, digits):
    # Asking no update leaves the template's digits as they are (no step condition raises them).
    for seed in range(6):
        created = _practice(client, seed=seed, answer_digits=digits, ask=["z", "a", "delta", "dL_dw"])
        assert created["answer_digits"] == digits
        rounded = {key: f"{value:.{digits}g}" for key, value in _engine(created).items()}
        assert set(_statuses(_submit(client, created, rounded)).values()) == {"correct"}
