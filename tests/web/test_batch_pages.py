"""Batch and multi-step exercises in the pages: the statement shows every sample and what
carries between steps, the form takes every sample's and step's answers, and the worked
solution marks them."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import tracer
from exercises.generation.fields import locate, value_at

from .conftest import element_text, start_practice


def start(client, query):
    path = urlsplit(start_practice(client, f"/practice/new?{query}").location).path
    return path, path.rsplit("/", 1)[1]


def truth(stored_exercise, exercise_id):
    """Each asked field's value, from the engine on the exercise's given values."""
    exercise = stored_exercise(exercise_id)
    result = tracer.trace(exercise.spec)
    return {f["key"]: value_at(result, locate(f["key"])) for f in exercise.fields}


def statuses(html):
    found = re.findall(r'answer-row status-(\w+)[^>]*>\s*<label for="f-([^"]+)"', html)
    return {key: status for status, key in found}


def test_a_batch_exercise_states_each_sample_and_grades_them(client, csrf, stored_exercise):
    path, exercise_id = start(client, "template=batch-2-2-2&seed=5")
    html = client.get(path).get_data(as_text=True)
    assert "Sample 2:" in element_text(html, "sample-2")
    assert "mean over the samples" in element_text(html, "training")
    assert 'name="delta:1:2@2"' in html
    values = truth(stored_exercise, exercise_id)
    token = csrf(html)
    response = client.post(path, data={"csrf_token": token, **{k: f"{v:.6g}" for k, v in values.items()}})
    page = client.get(response.location).get_data(as_text=True) if response.status_code == 302 else \
        response.get_data(as_text=True)
    found = statuses(page)
    assert len(found) == len(values) and set(found.values()) == {"correct"}
    assert found["delta-1-2-s2"] == "correct"


def test_a_two_step_adam_exercise_carries_the_state_and_marks_step_two(client, csrf, stored_exercise):
    path, exercise_id = start(client, "template=adam-one-step&seed=3&iterations=2")
    html = client.get(path).get_data(as_text=True)
    assert "carries the optimizer's state" in element_text(html, "training")
    assert 'name="m:2:1:1#2"' in html and "Step 2" in html
    values = truth(stored_exercise, exercise_id)
    token = csrf(html)
    response = client.post(path, data={"csrf_token": token, **{k: f"{v:.6g}" for k, v in values.items()}})
    page = client.get(response.location).get_data(as_text=True) if response.status_code == 302 else \
        response.get_data(as_text=True)
    assert set(statuses(page).values()) == {"correct"}
    solution = client.get(f"{path}/solution").get_data(as_text=True)
    client.post(f"{path}/solution", data={"csrf_token": csrf(solution)})
    solution = client.get(f"{path}/solution").get_data(as_text=True)
    assert solution.count('class="step asked"') == len(values)
