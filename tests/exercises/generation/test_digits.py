"""Answer digits are the instructor's (SPEC §5 as amended by issue 9), given networks, δ convention.

The conditions are recomputed here without the generator's helpers: values from the engine's
trace of the public spec, rounding with ``decimal``, digit positions with log10, and the step
condition written out from SPEC §5/§6: |θ⁺ − θ| ≥ 20·r'(θ⁺), r' = 0.51 units of θ⁺'s last asked
figure plus atol (relabs).
"""
import math
import re
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracer
from exercises.generation import BUILTIN_TEMPLATES, Template, TemplateError, generate
from exercises.generation.generate import resolve_digits
from tracer.keys import PER_SAMPLE, parse_key, split_key

SEED_POST = {   # SPEC §3's example: the seed post's own 2-2-2 network
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]],
    "inputs": [0.50, -0.30], "targets": [0.20, 0.90], "learning_rate": 0.5,
}


def rounded(value, digits):
    with localcontext() as context:
        context.prec = digits
        return +Decimal(value)


def given_numbers(spec):
    found = []

    def walk(item):
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            for inner in item:
                walk(inner)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            found.append(float(item))
    walk(spec)
    return found


def rounding_part(updated, digits, atol):
    """r'(θ⁺) in relabs mode: 0.51 units of θ⁺'s digits-th significant figure, plus atol."""
    return 0.51 * 10.0 ** (math.floor(math.log10(abs(updated))) - digits + 1) + atol


def failed_conditions(spec, keys, digits, atol=0.0):
    """Which of SPEC §5's digit-dependent conditions the asked ``keys`` of ``spec`` fail."""
    result = tracer.trace(spec)
    batch = len(spec["inputs"]) if isinstance(spec["inputs"][0], list) else 1

    def value(key):   # a key with SPEC §5's @SAMPLE / #ITERATION suffixes
        base, sample, iteration = split_key(key)
        quantity, layer, unit, source = parse_key(base)
        per_sample = quantity in PER_SAMPLE and batch > 1
        return result.value(quantity, layer, unit, source, sample=sample if per_sample else None,
                            iteration=iteration)

    values = {key: value(key) for key in keys}
    failed = set()
    for key, updated in values.items():
        base, _sample, iteration = split_key(key)
        quantity, layer, unit, source = parse_key(base)
        if quantity in ("w_new", "b_new"):
            theta = result.value(quantity[0], layer, unit, source, iteration=iteration)
            if updated == theta and spec.get("dropout"):
                continue   # dropout left this parameter without a gradient (README: exempt)
            if updated == 0 or abs(updated - theta) < 20 * rounding_part(updated, digits, atol):
                failed.add("step_size")
    shown = {rounded(v, digits) for v in given_numbers(spec)}
    distinct = {v for v in values.values() if v != 0.0}
    asked = [rounded(v, digits) for v in distinct]
    if any(r == 0 for r in asked):
        failed.add("rounds_to_zero")
    if shown.intersection(asked):
        failed.add("equals_given")
    if len(set(asked)) < len(asked):
        failed.add("values_agree")
    return failed


def keys_of(exercise):
    return [field.key for field in exercise.fields]


@settings(max_examples=40, deadline=None)
@given(template_id=st.sampled_from(sorted(BUILTIN_TEMPLATES)), digits=st.integers(4, 8),
       seed=st.integers(0, 2 ** 31 - 1))
def test_a_fixed_answer_digits_is_never_changed_and_every_step_shows(template_id, digits, seed):
    template = BUILTIN_TEMPLATES[template_id].fixed_digits(digits)
    exercise = generate(template, seed)
    assert exercise.answer_digits == digits
    assert failed_conditions(exercise.spec, keys_of(exercise), digits) == set()


def test_every_builtin_keeps_each_fixed_digits_for_a_run_of_seeds():
    for template_id, template in BUILTIN_TEMPLATES.items():
        for digits in range(4, 9):
            for seed in range(4):
                exercise = generate(template.fixed_digits(digits), seed)
                assert exercise.answer_digits == digits, (template_id, digits, seed)
                assert not failed_conditions(exercise.spec, keys_of(exercise), digits)


@pytest.mark.parametrize("template", [
    *BUILTIN_TEMPLATES.values(),
    BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides({"learning_rate": 0.01}),
    BUILTIN_TEMPLATES["tanh-3-3-2"].with_overrides({"learning_rate": 0.02}),
], ids=lambda t: f"{t.layers}-eta{t.learning_rate}")
def test_auto_picks_the_fewest_digits_that_work(template):
    assert template.answer_digits == "auto"
    for seed in range(3):
        exercise = generate(template, seed)
        digits = exercise.answer_digits
        assert 4 <= digits <= 8
        assert not failed_conditions(exercise.spec, keys_of(exercise), digits)
        if digits > 4:
            # this exercise misses a condition with one digit fewer, and so did every try of
            # the seed: asking for one digit fewer is refused
            assert failed_conditions(exercise.spec, keys_of(exercise), digits - 1)
            with pytest.raises(TemplateError):
                generate(template.fixed_digits(digits - 1), seed)


def test_a_small_learning_rate_makes_auto_ask_for_more_than_four_digits():
    template = BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides({"learning_rate": 0.001})
    exercise = generate(template, 1)
    assert exercise.answer_digits > 4
    assert "step_size" in failed_conditions(exercise.spec, keys_of(exercise),
                                            exercise.answer_digits - 1)


def test_a_template_that_cannot_meet_its_digits_is_refused_naming_what_would_work():
    template = BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides({"learning_rate": 0.001,
                                                               "answer_digits": 4})
    with pytest.raises(TemplateError) as raised:
        generate(template, 1)
    error = raised.value
    assert error.key == "answer_digits"
    message = str(error)
    assert message.startswith("answer_digits: no good exercise at 4 significant figures in "
                              "1000 tries (most often: an update's step is under 20 times its "
                              "rounding allowance)")
    fewest = int(re.search(r"(\d) significant figures would work", message).group(1))
    rate = float(re.search(r"a learning rate η of at least ([0-9.]+) would work at 4 "
                           r"significant figures", message).group(1))
    # what the message names does work, and one digit fewer does not
    assert generate(template.fixed_digits(fewest), 1).answer_digits == fewest
    with pytest.raises(TemplateError):
        generate(template.fixed_digits(fewest - 1), 1)
    faster = template.with_overrides({"learning_rate": rate})
    assert generate(faster, 1).answer_digits == 4
    # the message's parts render it again, for a translation
    from exercises.generation import describe
    assert describe(error.parts) == error.message


def test_resolve_digits_keeps_a_number_and_resolves_auto_the_same_way_every_time():
    seed_template = BUILTIN_TEMPLATES["seed-2-2-2"]
    assert resolve_digits(seed_template.fixed_digits(6)) == 6
    slow = seed_template.with_overrides({"learning_rate": 0.005})
    resolved = resolve_digits(slow)
    assert resolved == resolve_digits(Template.from_dict(slow.to_dict())) > 4
    # never fewer than one seed's own fewest; and every seed meets the resolved digits
    assert resolved >= generate(slow, 0).answer_digits
    for seed in range(5):
        assert generate(slow.fixed_digits(resolved), seed).answer_digits == resolved


def test_delta_convention_is_written_into_the_network_only_when_negative():
    plain = generate(BUILTIN_TEMPLATES["seed-2-2-2"], 3)
    negative = generate(BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides(
        {"delta_convention": "negative"}), 3)
    assert plain.spec.get("delta_convention", "gradient") == "gradient"
    assert negative.spec["delta_convention"] == "negative"
    assert negative.template["delta_convention"] == "negative"
    # the same given values; δ changes sign, the updates do not
    assert negative.spec["weights"] == plain.spec["weights"]
    assert negative.expected["delta:2:1"] == -plain.expected["delta:2:1"]
    assert negative.expected["w_new:2:1:1"] == plain.expected["w_new:2:1:1"]


def test_a_given_network_is_exactly_those_values_and_reports_each_failed_condition():
    template = Template.from_dict({"network": SEED_POST, "answer_digits": 4})
    exercise = generate(template)
    assert exercise.seed is None and exercise.answer_digits == 4
    for key in ("weights", "biases", "learning_rate", "layers"):
        assert exercise.spec[key] == SEED_POST[key]
    assert exercise.spec["inputs"] in ([SEED_POST["inputs"]], SEED_POST["inputs"])
    reported = {c.condition: c for c in exercise.conditions}
    # checked independently: at 4 figures the first layer's steps are too small for 4 digits
    assert set(reported) == failed_conditions(exercise.spec, keys_of(exercise), 4)
    assert "step_size" in reported
    assert set(reported["step_size"].symbols) >= {"w1⁺", "w2⁺"}
    assert all(c.digits == 4 and c.message() for c in exercise.conditions)
    # with auto: the fewest digits that pass everything, and nothing to report
    auto = generate(Template.from_dict({"network": SEED_POST}))
    assert auto.conditions == () and auto.answer_digits == 6
    assert failed_conditions(auto.spec, keys_of(auto), 5)


def test_a_given_network_that_never_passes_asks_for_8_digits_and_says_why():
    wide = {**SEED_POST, "weights": [[[3.0, 3.0], [3.0, 3.0]], [[0.5, -0.6], [0.7, 0.2]]],
            "inputs": [1.0, 1.0]}
    exercise = generate(Template.from_dict({"network": wide}))
    assert exercise.answer_digits == 8
    assert [c.condition for c in exercise.conditions][0] == "z_range"
    assert exercise.conditions[0].symbols == ("a_h1", "a_h2")
