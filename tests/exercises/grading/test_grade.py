"""grade_submission: correct answers, blanks, error carried forward, invalid submissions,
what messages may say, and the stored record."""
import json
import math
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from exercises.grading import (
    GradingSettings,
    InvalidSubmission,
    SubmissionResult,
    Tolerance,
    evaluate,
    grade_submission,
)
from tracer import trace
from tracer.keys import key_of

SEED = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]], "inputs": [0.05, 0.10], "targets": [0.01, 0.99],
    "learning_rate": 0.5,
}
DELTAS = ["delta:2:1", "delta:2:2", "delta:1:1", "delta:1:2"]
UPDATES = [f"w_new:{l}:{j}:{k}" for l in (1, 2) for j in (1, 2) for k in (1, 2)] + \
          [f"b_new:{l}:{j}" for l in (1, 2) for j in (1, 2)]
FIELDS = DELTAS + UPDATES


def _text(value, digits=8):
    return f"{value:.{digits}g}"


def _engine_values(spec):
    values = {}
    for _, _, _, phase, layer, unit, source, quantity, value in trace(spec).numeric_rows():
        if phase in ("backward", "update"):
            values[key_of(quantity, layer, unit, source)] = value
    return values


# ---------------------------------------------------------------- correct answers


@st.composite
def exercises(draw):
    """A random small exercise: 1–2 hidden layers of 1–3 units, any fitting activation and loss."""
    depth = draw(st.integers(2, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(depth + 1)]
    hidden = [draw(st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "linear"])) for _ in range(depth - 1)]
    output, loss = draw(st.sampled_from([("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "cross_entropy"),
                                         ("tanh", "half_sse"), ("linear", "sse"), ("softmax", "mse")]))
    bias = draw(st.sampled_from(["per_unit", "shared", "none"]))
    cents = st.integers(-100, 100).map(lambda c: c / 100)
    spec = {"layers": sizes, "activations": hidden + [output], "loss": loss, "bias": bias,
            "weights": [[[draw(cents) for _ in range(m)] for _ in range(n)] for m, n in zip(sizes, sizes[1:])],
            "inputs": [draw(cents) for _ in range(sizes[0])],
            "learning_rate": draw(st.sampled_from([0.1, 0.5, 1.0])),
            "optimizer": draw(st.sampled_from(["sgd", "momentum", "adam"])),
            "update_biases": draw(st.booleans())}
    if bias == "per_unit":
        spec["biases"] = [[draw(cents) for _ in range(n)] for n in sizes[1:]]
    elif bias == "shared":
        spec["biases"] = [draw(cents) for _ in sizes[1:]]
    targets = [draw(st.integers(5, 95)) / 100 for _ in range(sizes[-1])]
    spec["targets"] = [t / sum(targets) for t in targets] if loss == "cross_entropy" else targets
    return spec


def _answer_digits(spec, values):
    """SPEC §5: the fewest figures from 4 to 8 at which every update's step is ≥ 10 units."""
    params = {f"w_new:{l}:{j}:{k}": w for l, m in enumerate(spec["weights"], 1)
              for j, row in enumerate(m, 1) for k, w in enumerate(row, 1)}
    if spec["bias"] == "per_unit":
        params.update({f"b_new:{l}:{j}": b for l, bs in enumerate(spec["biases"], 1) for j, b in enumerate(bs, 1)})
    elif spec["bias"] == "shared":
        params.update({f"b_new:{l}": b for l, b in enumerate(spec["biases"], 1)})
    for digits in range(4, 9):
        if all(values[key] == before or abs(values[key] - before)
               >= 10 * 10 ** (math.floor(math.log10(abs(values[key]))) - digits + 1)
               for key, before in params.items() if key in values):
            return digits
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exercises())
def test_engine_answers_rounded_to_the_expected_figures_grade_correct(spec):
    values = _engine_values(spec)
    digits = _answer_digits(spec, values)
    assume(digits is not None)
    fields = [key for key in values if key.split(":")[0] in ("delta", "w_new", "b_new", "dL_dw")]
    result = grade_submission(spec, fields, {key: _text(values[key], digits) for key in fields})
    assert {grade.status for grade in result.fields.values()} == {"correct"}
    assert result.score == result.max_score == len(fields)


def test_json_numbers_and_text_grade_alike():
    values = evaluate(SEED)
    result = grade_submission(SEED, FIELDS, {key: values[key] for key in FIELDS})
    assert result.score == len(FIELDS)
    assert result.fields["delta:2:1"].submitted == json.dumps(values["delta:2:1"])


def test_blank_and_missing_fields_are_blank_with_no_credit():
    values = evaluate(SEED)
    answers = {key: _text(values[key]) for key in FIELDS[2:]}
    answers["delta:2:2"] = "   "
    del answers["w_new:1:1:1"]
    result = grade_submission(SEED, FIELDS, answers)
    assert [k for k, g in result.fields.items() if g.status == "blank"] == ["delta:2:1", "delta:2:2", "w_new:1:1:1"]
    assert result.score == len(FIELDS) - 3 and result.fields["delta:2:1"].credit == 0
    # Blank upstream fields count as true values downstream, so nothing else is affected.
    assert all(g.status == "correct" for g in result.fields.values() if g.status != "blank")


# ---------------------------------------------------------------- error carried forward


def _with_wrong_output_delta(factor=1.25):
    wrong = {"delta:2:1": evaluate(SEED)["delta:2:1"] * factor}
    consistent = {**evaluate(SEED, overrides=wrong), **wrong}
    return {key: _text(consistent[key], 6) for key in FIELDS}


LAYER1_UPDATES = {key for key in UPDATES if key.split(":")[1] == "1"}


def test_updates_computed_correctly_from_a_wrong_delta_are_carried():
    result = grade_submission(SEED, FIELDS, _with_wrong_output_delta(1.25))
    status = {key: grade.status for key, grade in result.fields.items()}
    assert status["delta:2:1"] == "incorrect"
    # w5⁺, w7⁺ and b3⁺ read δ_ŷ1, and so do δ_h1 and δ_h2 — and every layer-1 update reads
    # δ_h: its step grows by 38 %, far outside 1 % of the step, so it is carried, not correct.
    carried = {"w_new:2:1:1", "w_new:2:1:2", "b_new:2:1", "delta:1:1", "delta:1:2"} | LAYER1_UPDATES
    assert {key for key, s in status.items() if s == "carried"} == carried
    assert result.fields["w_new:2:1:1"].carried_from == ("delta:2:1",)
    assert result.fields["w_new:1:1:1"].carried_from == ("delta:1:1",)
    # δ_ŷ2's column never saw the error.
    assert {key for key, s in status.items() if s == "correct"} == set(FIELDS) - carried - {"delta:2:1"}
    assert result.score == len(FIELDS) - 1


def test_a_larger_error_carries_through_two_layers():
    result = grade_submission(SEED, FIELDS, _with_wrong_output_delta(3.0))
    for key in ("w_new:1:1:1", "w_new:1:1:2", "b_new:1:1"):
        assert result.fields[key].status == "carried"
        assert result.fields[key].carried_from == ("delta:1:1",)
    assert result.fields["delta:1:1"].carried_from == ("delta:2:1",)


def test_ecf_credit_is_the_sets_setting():
    answers = _with_wrong_output_delta(1.25)
    half = grade_submission(SEED, FIELDS, answers, GradingSettings(ecf_credit=0.5))
    assert sum(g.status == "carried" for g in half.fields.values()) == 11
    assert half.score == 4 + 11 * 0.5 and half.max_score == 16
    none = grade_submission(SEED, FIELDS, answers, GradingSettings(ecf_credit=0.0))
    assert [g.status for g in none.fields.values()] == [g.status for g in half.fields.values()]
    assert none.score == 4


def test_carried_message_names_the_wrong_answer_but_not_the_right_one():
    answers = _with_wrong_output_delta()
    result = grade_submission(SEED, FIELDS, answers)
    message = result.fields["w_new:2:1:1"].message
    assert "δ_ŷ1" in message and answers["delta:2:1"] in message
    assert _text(evaluate(SEED)["delta:2:1"], 4) not in message


def test_an_answer_matching_neither_truth_nor_ecf_is_incorrect():
    answers = _with_wrong_output_delta()
    answers["w_new:2:1:1"] = "0.1"
    grade = grade_submission(SEED, FIELDS, answers).fields["w_new:2:1:1"]
    assert grade.status == "incorrect" and grade.credit == 0 and grade.carried_from == ()


# ---------------------------------------------------------------- invalid submissions


def test_every_bad_field_is_named_and_nothing_is_graded():
    answers = {"delta:2:1": "abc", "delta:2:2": "nan", "delta:1:1": "1e999", "delta:1:2": "1,000",
               "w_new:1:1:1": "1" * 65, "w_new:1:1:2": [0.5], "w_new:1:2:1": {"v": 1}, "w_new:1:2:2": True,
               "w_new:9:9:9": "0.5", "bogus": "1", "b_new:1:1": "0.3"}
    with pytest.raises(InvalidSubmission) as caught:
        grade_submission(SEED, FIELDS, answers)
    errors = caught.value.errors
    assert set(errors) == set(answers) - {"b_new:1:1"}
    assert errors["delta:2:1"] == "not a number"
    assert errors["delta:2:2"].startswith("not finite") and errors["delta:1:1"].startswith("not finite")
    assert errors["delta:1:2"].startswith("ambiguous")
    assert errors["w_new:1:1:1"] == "more than 64 characters"
    assert "a list" in errors["w_new:1:1:2"] and "an object" in errors["w_new:1:2:1"]
    assert "true/false" in errors["w_new:1:2:2"]
    assert errors["w_new:9:9:9"] == errors["bogus"] == "unknown field"


def test_answers_must_be_a_mapping():
    with pytest.raises(TypeError):
        grade_submission(SEED, FIELDS, ["0.1"])


@pytest.mark.parametrize("fields, match", [
    (["delta:2:1", "delta:2:1"], "duplicates"),
    (["delta:3:1"], "not a computed value"),
    (["w:1:1:1"], "not a computed value"),   # a given value is not a field
    (["dL_da:2:1"], None),                    # any computed value may be asked
])
def test_field_keys_must_name_distinct_computed_values(fields, match):
    if match is None:
        assert grade_submission(SEED, fields, {}).max_score == 1
        return
    with pytest.raises(ValueError, match=match):
        grade_submission(SEED, fields, {})


# ---------------------------------------------------------------- what a student sees


def _numbers_in(text):
    # Numbers standing on their own: not the digits of symbols such as w5 or ŷ1.
    return {float(match) for match in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)}


def _given_numbers(spec):
    flat = [w for m in spec["weights"] for row in m for w in row] + [b for bs in spec["biases"] for b in bs]
    return set(flat + spec["inputs"] + spec["targets"] + [spec["learning_rate"]] + [1.0, 2.0])


@pytest.mark.parametrize("mistake", ["target_minus_output", "updated_weights_in_backprop", "gradient_ascent",
                                     "missing_bias", "partial_sum", "bias_not_updated", None])
def test_messages_never_contain_an_expected_value(mistake):
    true = evaluate(SEED)
    if mistake is None:
        answers = {key: f"{0.37 + i / 100:.2f}" for i, key in enumerate(FIELDS)}
    else:
        wrong = evaluate(SEED, mistake=mistake, param=1 if mistake == "partial_sum" else None)
        answers = {key: _text(wrong[key], 6) for key in FIELDS}
    result = grade_submission(SEED, FIELDS, answers)
    assert any(g.status == "incorrect" for g in result.fields.values())
    # Messages may quote the student's own numbers and given values, nothing else.
    quotable = {float(text) for text in answers.values()} | _given_numbers(SEED)
    for grade in result.fields.values():
        for number in _numbers_in(grade.message) - quotable:
            assert all(not math.isclose(number, true[key], rel_tol=5e-3, abs_tol=1e-9) for key in FIELDS), \
                (grade.key, number, grade.message)


def test_public_view_has_no_expected_values_and_feedback_off_hides_misconceptions():
    wrong = evaluate(SEED, mistake="target_minus_output")
    answers = {key: _text(wrong[key], 6) for key in FIELDS}
    on = grade_submission(SEED, FIELDS, answers)
    view = on.public_view()
    assert view["score"] == on.score and view["max_score"] == 16
    assert set(view["fields"]["delta:2:1"]) == {"status", "credit", "message", "misconceptions"}
    assert list(view["fields"]) == FIELDS           # the exercise's order, never alphabetical
    assert view["fields"]["delta:2:1"]["misconceptions"] == ["target_minus_output"]
    off = grade_submission(SEED, FIELDS, answers, GradingSettings(feedback=False))
    assert off.fields["delta:2:1"].misconceptions == ("target_minus_output",)   # still recorded
    assert off.public_view()["fields"]["delta:2:1"]["misconceptions"] == []
    assert "sign" not in off.fields["delta:2:1"].message and "sign" in on.fields["delta:2:1"].message


def test_symbols_can_be_overridden():
    answers = _with_wrong_output_delta()
    result = grade_submission(SEED, FIELDS, answers, symbols={"delta:2:1": "δ_out1"})
    assert "δ_out1" in result.fields["b_new:2:1"].message


def test_the_record_round_trips_through_json():
    answers = _with_wrong_output_delta()
    answers["delta:2:2"] = -0.038
    result = grade_submission(SEED, FIELDS, answers, GradingSettings(ecf_credit=0.5))
    record = json.loads(json.dumps(result.to_record()))
    again = SubmissionResult.from_record(record)
    assert again == result
    assert record["answers"]["delta:2:2"] == -0.038 and record["engine_version"]
    assert record["fields"]["delta:2:1"]["tolerance"] == Tolerance().describe(4)
    # A plain ×1.25 slip: no misconception explains it, and the message says so by its id.
    assert record["fields"]["delta:2:1"]["parts"] == [["incorrect", {}]]
    assert record["fields"]["w_new:1:1:1"]["tolerance"].endswith("and the step rule")
    assert record["spec"]["naming"] == "seed" and record["score"] == result.score


def test_with_a_small_learning_rate_an_unchanged_weight_is_incorrect():
    spec = {**SEED, "learning_rate": 0.01}
    values = evaluate(spec)
    answers = {key: _text(values[key]) for key in UPDATES}
    answers["w_new:2:1:1"] = "0.40"            # w5 as given: within 1 % of w5⁺, but no step
    result = grade_submission(spec, UPDATES, answers)
    grade = result.fields["w_new:2:1:1"]
    assert abs(values["w_new:2:1:1"] - 0.40) < 0.01 * 0.40
    assert grade.status == "incorrect" and grade.message == "w5⁺ equals w5 = 0.4: the update must change it."
    assert result.score == len(UPDATES) - 1


@pytest.mark.parametrize("tolerance, digits", [
    (Tolerance(mode="sigfig", digits=3), 3),
    (Tolerance(mode="sigfig", digits=6), 6),
    (Tolerance(mode="decimals", digits=5), None),
    (Tolerance(rtol=1e-6, atol=1e-9), 8),
])
def test_answers_at_the_tolerances_precision_grade_correct_and_coarser_ones_do_not(tolerance, digits):
    values = evaluate(SEED)
    exact = {key: (_text(values[key], digits) if digits else f"{values[key]:.5f}") for key in DELTAS}
    assert grade_submission(SEED, DELTAS, exact, GradingSettings(tolerance=tolerance)).score == 4
    coarse = {key: _text(values[key], 2) for key in DELTAS}
    assert grade_submission(SEED, DELTAS, coarse, GradingSettings(tolerance=tolerance)).score < 4


def test_given_values_can_be_renamed_in_messages():
    answers = {key: _text(evaluate(SEED)[key]) for key in UPDATES}
    answers["w_new:2:1:1"] = "0.40"
    grade = grade_submission(SEED, UPDATES, answers, symbols={"w:2:1:1": "W[ŷ1←h1]", "w_new:2:1:1": "W⁺"})
    assert grade.fields["w_new:2:1:1"].message == "W⁺ equals W[ŷ1←h1] = 0.4: the update must change it."


def test_a_close_update_with_too_short_a_step_asks_for_the_expected_figures():
    spec = {**SEED, "learning_rate": 0.01}
    true = evaluate(spec)["w_new:2:1:1"]
    short = 0.40 + (true - 0.40) / 10                # within 1 %, a tenth of the step
    grade = grade_submission(spec, ["w_new:2:1:1"], {"w_new:2:1:1": f"{short:.8f}"},
                             GradingSettings(answer_digits=6)).fields["w_new:2:1:1"]
    assert grade.status == "incorrect"
    assert "give w5⁺ to 6 significant figures" in grade.message
