"""Properties of grading every generated exercise must have (SPEC §5–§6), whatever its
template and seed: the engine's answers rounded to the asked digits are correct; an unchanged
parameter is never correct or carried; and doing nothing — every δ 0, every parameter copied —
scores 0."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.generation import BUILTIN_TEMPLATES, generate
from exercises.generation.fields import locate, value_at
from exercises.grading import GradingSettings, Tolerance, grade_submission
from tracer import trace

TEMPLATES = sorted(BUILTIN_TEMPLATES)
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _exercise(name, seed):
    exercise = generate(BUILTIN_TEMPLATES[name], seed)
    keys = [field.key for field in exercise.fields]
    grading = GradingSettings(tolerance=Tolerance.from_dict(exercise.tolerance),
                              answer_digits=exercise.answer_digits)
    return exercise, keys, grading


def _engine(exercise):
    # The engine's trace, read independently of the grader's own student model.
    result = trace(exercise.spec)
    return {key: value_at(result, locate(key)) for key in (field.key for field in exercise.fields)}


def _given(spec, key):
    """θ of an update: the given value, or in a later step the engine's θ⁺ of the step before."""
    quantity, layer, unit, source, _, step = locate(key)
    if quantity not in ("w_new", "b_new"):
        return None
    return trace(spec).value(quantity[0], layer, unit, source, iteration=step)


@PROPERTY
@given(name=st.sampled_from(TEMPLATES), seed=st.integers(0, 2**31 - 1))
def test_the_engines_answers_rounded_to_the_asked_digits_are_correct(name, seed):
    exercise, keys, grading = _exercise(name, seed)
    digits = exercise.answer_digits
    answers = {key: f"{value:.{digits}g}" for key, value in _engine(exercise).items()}
    result = grade_submission(exercise.spec, keys, answers, grading)
    assert {grade.status for grade in result.fields.values()} == {"correct"}
    assert result.score == len(keys)


@PROPERTY
@given(name=st.sampled_from(TEMPLATES), seed=st.integers(0, 2**31 - 1), data=st.data())
def test_an_unchanged_parameter_is_never_correct_or_carried(name, seed, data):
    exercise, keys, grading = _exercise(name, seed)
    true = _engine(exercise)
    # Parameters that move (dropout may leave one without a gradient, and then θ⁺ = θ).
    updates = [key for key in keys if key.startswith(("w_new", "b_new"))
               and true[key] != _given(exercise.spec, key)]
    digits = exercise.answer_digits
    answers = {key: f"{value:.{digits}g}" for key, value in true.items()}
    # Copy some parameters unchanged; everything else as the engine has it.
    copied = data.draw(st.lists(st.sampled_from(updates), min_size=1, unique=True))
    for key in copied:
        answers[key] = repr(_given(exercise.spec, key))
    result = grade_submission(exercise.spec, keys, answers, grading)
    for key in copied:
        assert result.fields[key].status == "incorrect", (key, result.fields[key])
        assert result.fields[key].credit == 0


@PROPERTY
@given(name=st.sampled_from(TEMPLATES), seed=st.integers(0, 2**31 - 1))
def test_zero_deltas_and_copied_parameters_score_zero(name, seed):
    exercise, keys, grading = _exercise(name, seed)
    answers = {}
    for key in keys:
        before = _given(exercise.spec, key)
        answers[key] = repr(before) if before is not None else "0"
    result = grade_submission(exercise.spec, keys, answers, grading)
    assert result.score == 0, {key: (g.status, g.message) for key, g in result.fields.items()
                               if g.credit}
    # Nothing was attempted, so nothing is diagnosed either.
    assert all(not grade.misconceptions for grade in result.fields.values())
