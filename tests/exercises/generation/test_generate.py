"""Seeded generation: determinism across processes, exact given values, storage, failures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.generation import BUILTIN_TEMPLATES, MAX_TRIES, GeneratedExercise, Template, TemplateError, generate

ROOT = Path(__file__).resolve().parents[3]  # the checkout: tests/exercises/generation/..
TEMPLATE_IDS = sorted(BUILTIN_TEMPLATES)


@settings(max_examples=30, deadline=None)
@given(template_id=st.sampled_from(TEMPLATE_IDS), seed=st.integers(0, 2 ** 31 - 1))
def test_the_same_template_and_seed_give_the_same_exercise(template_id, seed):
    template = BUILTIN_TEMPLATES[template_id]
    first = generate(template, seed).to_dict()
    again = generate(Template.from_dict(template.to_dict()), seed).to_dict()
    assert first == again


PAIRS = [("seed-2-2-2", 0), ("tanh-3-3-2", 7), ("relu-2-3-1", 2 ** 30 + 3),
         ("softmax-3-4-3", 2 ** 31 - 1)]
SCRIPT = """
import json, sys
from exercises.generation import BUILTIN_TEMPLATES, generate
pairs = json.loads(sys.argv[1])
print(json.dumps([generate(BUILTIN_TEMPLATES[t], s).to_dict() for t, s in pairs]))
"""


@pytest.mark.parametrize("hash_seed", ["0", "4242"])
def test_another_process_with_another_hash_seed_generates_the_same_exercises(hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(PAIRS)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    here = [generate(BUILTIN_TEMPLATES[t], s).to_dict() for t, s in PAIRS]
    assert json.loads(out) == json.loads(json.dumps(here))


def test_different_seeds_give_different_networks():
    template = BUILTIN_TEMPLATES["seed-2-2-2"]
    networks = {json.dumps(generate(template, seed).spec) for seed in range(20)}
    assert len(networks) == 20


def _flat(value):
    if isinstance(value, list):
        return [number for item in value for number in _flat(item)]
    return [value]


@settings(max_examples=30, deadline=None)
@given(template_id=st.sampled_from(TEMPLATE_IDS), seed=st.integers(0, 2 ** 31 - 1))
def test_given_values_have_exactly_the_template_decimals_and_lie_in_range(template_id, seed):
    template = BUILTIN_TEMPLATES[template_id]
    spec = generate(template, seed).spec
    ranges = [(template.weights, spec["weights"]), (template.biases, spec["biases"] or []),
              (template.inputs, spec["inputs"])]
    targets = template.target_values()
    if targets == "one_hot":
        assert sorted(_flat(spec["targets"])) == [0.0] * (template.layers[-1] - 1) + [1.0]
    else:
        ranges.append((targets, spec["targets"]))
    for value_range, values in ranges:
        for value in _flat(values):
            assert round(value, value_range.decimals) == value
            assert value_range.low <= value <= value_range.high


def test_decimals_and_ranges_follow_the_template():
    template = Template.from_dict({"weights": {"low": 0.5, "high": 2, "decimals": 1},
                                   "inputs": {"low": -0.25, "high": 0.25, "decimals": 3},
                                   "learning_rate": 0.125})
    for seed in range(5):
        spec = generate(template, seed).spec
        assert all(0.5 <= w <= 2 and round(w, 1) == w for w in _flat(spec["weights"]))
        assert all(-0.25 <= x <= 0.25 and round(x, 3) == x for x in _flat(spec["inputs"]))
        assert spec["learning_rate"] == 0.125


def test_the_exercise_carries_the_templates_grading_settings():
    template = BUILTIN_TEMPLATES["tanh-3-3-2"].with_overrides({
        "attempts": 2, "ecf_credit": 0.5, "feedback": False, "reveal": "after_due",
        "tolerance": {"mode": "sigfig", "digits": 3}})
    exercise = generate(template, 11)
    assert (exercise.attempts, exercise.ecf_credit, exercise.feedback, exercise.reveal) == (
        2, 0.5, False, "after_due")
    assert exercise.tolerance == {"mode": "sigfig", "rtol": None, "atol": None, "digits": 3}
    assert exercise.template == template.to_dict()
    assert exercise.seed == 11


def test_an_impossible_template_fails_after_bounded_tries_naming_the_condition():
    # every weight ≥ 3 and every input ≥ 0.9: each hidden z is at least 2·3·0.9 − 1 = 4.4
    template = Template.from_dict({"weights": {"low": 3, "high": 4},
                                   "inputs": {"low": 0.9, "high": 1}})
    with pytest.raises(TemplateError) as raised:
        generate(template, 1)
    assert raised.value.key is None     # no digits and no learning rate can help
    assert str(raised.value) == (f"no good exercise at any of 4 to 8 significant figures in "
                                 f"{MAX_TRIES} tries (most often: a unit has |z| > 4)")
    with pytest.raises(TemplateError) as raised:
        generate(template.fixed_digits(5), 1)
    assert str(raised.value) == (f"no good exercise at 5 significant figures in {MAX_TRIES} "
                                 "tries (most often: a unit has |z| > 4)")


@pytest.mark.parametrize("seed", [-1, 2 ** 31, 2 ** 63, 1.0, True, "3", None])
def test_seeds_are_non_negative_integers_that_fit_the_32_bit_seed_column(seed):
    with pytest.raises(TemplateError) as raised:
        generate(BUILTIN_TEMPLATES["seed-2-2-2"], seed)
    assert raised.value.key == "seed"


def test_generate_needs_a_template_object():
    with pytest.raises(TypeError, match="Template"):
        generate({"layers": [2, 2, 2]}, 1)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_an_exercise_is_stored_as_json_and_read_back_unchanged(template_id):
    exercise = generate(BUILTIN_TEMPLATES[template_id], 5)
    stored = json.loads(json.dumps(exercise.to_dict()))
    assert GeneratedExercise.from_dict(stored) == exercise
    assert GeneratedExercise.from_dict(stored).expected == exercise.expected   # floats bit-identical


def test_a_stored_exercise_missing_a_part_is_rejected():
    stored = generate(BUILTIN_TEMPLATES["seed-2-2-2"], 5).to_dict()
    del stored["expected"]
    with pytest.raises(ValueError, match="expected"):
        GeneratedExercise.from_dict(stored)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_the_public_view_shows_every_given_value_and_no_answer(template_id):
    exercise = generate(BUILTIN_TEMPLATES[template_id], 9)
    view = json.loads(json.dumps(exercise.public_view()))
    assert set(view) == {"seed", "network", "fields", "answer_digits", "tolerance", "attempts",
                         "reveal", "conditions"}
    assert view["conditions"] == []
    assert view["network"] == exercise.spec
    assert view["fields"] == [{"key": f.key, "symbol": f.symbol, "label": f.label}
                              for f in exercise.fields]
    assert (view["seed"], view["answer_digits"]) == (9, exercise.answer_digits)
    shown = set(_flat([v for v in view["network"].values() if isinstance(v, (list, float))]))
    assert shown.isdisjoint(exercise.expected.values())
