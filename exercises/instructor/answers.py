"""Answer keys: the expected value of every field of a variant, read from its stored trace, and
previews of variants (stored ones, or generated on the fly while a set is a draft)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

import tracer
from exercises import db
from exercises.generation import GeneratedExercise
from exercises.instructor import circuit_items, variants
from exercises.models import Exercise, ProblemSet, ProblemSetItem, StoredTrace, TraceValue
from exercises.practice import translator
from tracer.keys import parse_key


def _position(row) -> tuple:
    return (row.quantity, row.layer, row.unit, row.source)


def answer_keys(set_id: str, exercise_id: str | None = None) -> dict[str, dict[str, float]]:
    """Expected values by exercise id, then field key, for a set's variants (or one of them).

    Exercises have one sample and one iteration, so (quantity, layer, unit, source) names one
    stored value; a shared bias's key has no unit, the loss's no layer. A circuit's rows have
    none of these: its values are read in step order (``circuit_items.expected_of``).
    """
    fields_query = select(Exercise.id, Exercise.fields, Exercise.spec).where(
        Exercise.problem_set_id == set_id)
    query = (select(StoredTrace.exercise_id, TraceValue.quantity, TraceValue.layer, TraceValue.unit,
                    TraceValue.source, TraceValue.value, TraceValue.step)
             .join(TraceValue, TraceValue.trace_id == StoredTrace.id)
             .join(Exercise, Exercise.id == StoredTrace.exercise_id)
             .where(Exercise.problem_set_id == set_id, TraceValue.iteration == 1))
    if exercise_id is not None:
        query = query.where(Exercise.id == exercise_id)
        fields_query = fields_query.where(Exercise.id == exercise_id)
    variants = db.session().execute(fields_query).all()
    circuits = {ex_id for ex_id, _fields, spec in variants if tracer.is_circuit(spec)}
    values: dict[str, dict[tuple, float]] = {}
    by_step: dict[str, dict[int, float]] = {}
    for row in db.session().execute(query):
        if row.exercise_id in circuits:
            by_step.setdefault(row.exercise_id, {})[row.step] = row.value
        else:
            values.setdefault(row.exercise_id, {})[_position(row)] = row.value
    keys = {ex_id: circuit_items.expected_of(spec, ex_fields, [v for _s, v in sorted(by_step[ex_id].items())])
            for ex_id, ex_fields, spec in variants if ex_id in by_step}
    keys.update({ex_id: {f["key"]: values[ex_id][parse_key(f["key"])] for f in ex_fields}
                 for ex_id, ex_fields, _spec in variants if ex_id in values})
    return keys


@dataclass
class Preview:
    """One variant as an instructor previews it: the network, the fields and the key."""

    index: int
    seed: int | None           # None for a given network
    spec: dict
    fields: list[dict]
    expected: dict[str, float]
    answer_digits: int
    exercise: Exercise | None  # the stored variant, None while the set is a draft
    conditions: list[dict]     # the good-exercise conditions a given network fails


def preview(problem_set: ProblemSet, item: ProblemSetItem, index: int) -> Preview:
    """Variant ``index`` of an exercise: the stored one when the pool holds it (its key read
    from its stored trace), else generated now from the same seed (what publishing would
    store)."""
    stored = db.session().scalar(select(Exercise).where(Exercise.item_id == item.id,
                                                        Exercise.variant_index == index))
    if stored is not None:
        exercise = GeneratedExercise.from_row(stored)
        expected = answer_keys(problem_set.id, stored.id).get(stored.id, {})
    else:
        template = variants.item_template(problem_set, item)
        seed = None if template.network else variants.variant_seed(problem_set.id, item.id, index)
        exercise = variants.make(template, seed)
        expected = dict(exercise.expected)
    view = exercise.public_view(translator())
    return Preview(index, exercise.seed, view["network"], view["fields"], expected,
                   exercise.answer_digits, stored, view["conditions"])
