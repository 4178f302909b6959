"""Grading circuit exercises: ECF along the graph and the four circuit misconceptions.

Simulated students make one mistake at every site where it can occur in each built-in circuit
(for several seeds) and answer every asked field as that mistake computes it; each field must
come back correct where the mistake changes nothing, `carried` where it only inherits a wrong
upstream answer, and named — with that misconception and no other — where the mistake changes
its own formula. Hand-worked answers check the named cases against CS231n's numbers.
"""
import math
import random
from collections import Counter

import pytest

from exercises.generation.circuit_templates import CIRCUIT_TEMPLATES
from exercises.generation.circuits import generate_circuit
from exercises.grading import grade_submission
from exercises.grading.circuit_grade import model_of
from exercises.grading.circuit_mistakes import CIRCUIT_MISCONCEPTIONS, circuit_sites
from exercises.grading.misconceptions import REGISTRY

ASKS = (["grad"], ["value", "grad", "local_grad"])
SEEDS = range(6)
NAMED, OWN = Counter(), Counter()


def _answers(exercise, values):
    return {f.key: f"{values[f.key]:.6g}" for f in exercise.fields}


def _close(a, b):
    return math.isclose(a, b, rel_tol=2e-3, abs_tol=1e-9)


def _cases():
    for name in CIRCUIT_TEMPLATES:
        for seed in SEEDS:
            for ask in ASKS:
                exercise = generate_circuit({"circuit": name, "ask": ask}, seed)
                for site in circuit_sites(model_of(exercise.spec)):
                    yield pytest.param(exercise, site, id=f"{name}-{seed}-{'+'.join(ask)}-{site.mistake.id}-"
                                                          f"{site.param}-{site.kind}-{'.'.join(sorted(site.scope))}")


@pytest.mark.parametrize("exercise, site", list(_cases()))
def test_simulated_student_is_named_where_the_mistake_acts_and_carried_downstream(exercise, site):
    model = model_of(exercise.spec)
    made = model.evaluate({}, site)          # what the student computes, mistake included
    answers = _answers(exercise, made)
    keys = [f.key for f in exercise.fields]
    result = grade_submission(exercise.spec, keys, answers)
    student = {k: float(v) for k, v in answers.items()}
    follow = model.evaluate(student)         # each field's formula applied to the student's answers
    mistake = site.mistake.id
    for key in keys:
        grade = result.fields[key]
        assert set(grade.misconceptions) <= {mistake}, (key, grade)
        if _close(student[key], model.true[key]):
            assert grade.status == "correct", (key, grade)
        elif _close(student[key], follow[key]):
            if follow[key] != 0:
                assert grade.status == "carried", (key, grade)
        else:
            assert grade.status == "incorrect", (key, grade)
            OWN[mistake] += 1
            NAMED[mistake] += mistake in grade.misconceptions


def test_each_circuit_misconception_is_named_on_nearly_every_field_it_changes():
    if not OWN:
        for case in _cases():
            test_simulated_student_is_named_where_the_mistake_acts_and_carried_downstream(*case.values)
    rates = {mistake: NAMED[mistake] / OWN[mistake] for mistake in OWN}
    assert set(rates) == {m.id for m in CIRCUIT_MISCONCEPTIONS}
    assert all(rate >= 0.95 for rate in rates.values()), (rates, dict(OWN))


def test_no_misconception_is_named_for_correct_answers_and_hardly_any_for_random_ones():
    """Correct answers are never named. Random answers land within the tolerance of some
    mistake's prediction by chance (about 1 in 400 here, each then a fair reading of the
    answer), so what is bounded is the rate."""
    wrong = named = 0
    for name in CIRCUIT_TEMPLATES:
        rng = random.Random(name)
        for seed in SEEDS:
            for ask in ASKS:
                exercise = generate_circuit({"circuit": name, "ask": ask}, seed)
                keys = [f.key for f in exercise.fields]
                right = grade_submission(exercise.spec, keys, _answers(exercise, exercise.expected))
                assert all(g.status == "correct" and not g.misconceptions for g in right.fields.values())
                for _ in range(5):
                    answers = {k: f"{rng.uniform(-5, 5):.4g}" for k in keys}
                    graded = grade_submission(exercise.spec, keys, answers).fields.values()
                    wrong += sum(g.status == "incorrect" for g in graded)
                    named += sum(bool(g.misconceptions) for g in graded)
    assert wrong > 2000 and named / wrong < 0.01, (named, wrong)


CS231N = {"graph": {"leaves": {"x": -2.0, "y": 5.0, "z": -4.0},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}], "output": "f"}}
GRADS = ["grad:q", "grad:z", "grad:x", "grad:y"]


def test_cs231n_answers_by_hand_are_correct_and_a_wrong_upstream_is_carried():
    right = grade_submission(CS231N, GRADS, {"grad:q": "-4", "grad:z": "3", "grad:x": "-4", "grad:y": "−4"})
    assert [g.status for g in right.fields.values()] == ["correct"] * 4
    # ∂f/∂q written as 4: ∂f/∂x = ∂f/∂q·1 = 4 follows from it.
    carried = grade_submission(CS231N, GRADS, {"grad:q": "4", "grad:z": "3", "grad:x": "4", "grad:y": "-4"})
    assert [g.status for g in carried.fields.values()] == ["incorrect", "correct", "carried", "correct"]
    assert carried.fields["grad:x"].carried_from == ("grad:q",)


def test_local_gradient_only_is_named_for_a_missing_upstream_factor():
    # ∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1; writing 1 forgets ∂f/∂q.
    graded = grade_submission(CS231N, GRADS, {"grad:q": "-4", "grad:z": "3", "grad:x": "1", "grad:y": "1"})
    assert graded.fields["grad:x"].misconceptions == ("local_gradient_only",)
    assert "∂f/∂q·∂q/∂x" in graded.fields["grad:x"].message


def test_fan_out_max_and_division_mistakes_by_hand():
    fan = {"graph": {"leaves": {"x": 3.0, "y": -2.0}, "nodes": [
        {"name": "p", "op": "mul", "args": ["x", "y"]}, {"name": "f", "op": "add", "args": ["p", "x"]}]}}
    # ∂f/∂x = y + 1 = −1; y alone (−2) or 1 alone is one use only.
    for wrong in ("-2", "1"):
        graded = grade_submission(fan, ["grad:p", "grad:x", "grad:y"], {"grad:p": "1", "grad:x": wrong, "grad:y": "3"})
        assert graded.fields["grad:x"].misconceptions == ("fan_out_not_summed",), wrong
    gate = {"graph": {"leaves": {"z": 1.0, "w": -1.5}, "nodes": [
        {"name": "m", "op": "max", "args": ["z", "w"]}, {"name": "f", "op": "mul", "args": ["m", "m2"]}]}}
    gate["graph"]["leaves"]["m2"] = 3.0
    graded = grade_submission(gate, ["grad:m", "grad:z", "grad:w"], {"grad:m": "3", "grad:z": "3", "grad:w": "3"})
    assert graded.fields["grad:w"].misconceptions == ("max_gradient_to_both",)
    assert graded.fields["grad:w"].parts[0][0] == "upstream"   # the mistake sits in ∂m/∂w
    div = {"graph": {"leaves": {"a": 3.0, "b": 2.0}, "nodes": [{"name": "q", "op": "div", "args": ["a", "b"]}]}}
    for wrong in ("0.75", "0.25", "-0.5"):  # +a/b², 1/b², −1/b instead of −a/b² = −0.75
        graded = grade_submission(div, ["grad:a", "grad:b"], {"grad:a": "0.5", "grad:b": wrong})
        assert graded.fields["grad:b"].misconceptions == ("division_rule_sign",), wrong


def test_circuit_misconceptions_sit_in_the_one_registry_with_messages():
    for mistake in CIRCUIT_MISCONCEPTIONS:
        assert REGISTRY[mistake.id] is mistake
        assert mistake.title and mistake.explanation and mistake.message


def test_extreme_answers_are_graded_without_error():
    """Answers near float64's ends make recomputed values overflow; they match nothing."""
    rng = random.Random(5)
    texts = ["1e308", "-1e308", "0", "1e-300", "5e307", "-0", "1/3", "-1e-320"]
    for name in CIRCUIT_TEMPLATES:
        exercise = generate_circuit({"circuit": name, "ask": ["value", "grad", "local_grad"]}, 0)
        keys = [f.key for f in exercise.fields]
        for _ in range(30):
            answers = {k: rng.choice(texts) for k in keys if rng.random() < 0.8}
            graded = grade_submission(exercise.spec, keys, answers)
            assert all(g.status in ("correct", "carried", "incorrect", "blank") for g in graded.fields.values())
