"""Answer keys: the expected value of every field of a variant, read from its stored trace, and
previews of variants (stored ones, or generated on the fly while a set is a draft)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from exercises import db
from exercises.generation import GeneratedExercise
from exercises.instructor import circuit_items, variants
from exercises.models import Exercise, ProblemSet, ProblemSetItem, StoredTrace, TraceValue
from exercises.practice import translator
from tracer.keys import parse_key


def answer_keys(set_id: str, exercise_id: str | None = None,
                exercise_ids: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Expected values by exercise id, then field key, for a set's variants (or one of them,
    or those of ``exercise_ids``).

    Exercises have one sample and one iteration, so (quantity, layer, unit, source) names one
    stored value; a shared bias's key has no unit, the loss's no layer. Only the quantities the
    fields ask are read. A circuit's rows have none of these: its values are read in step order
    (``circuit_items.expected_of``), and only a circuit's spec is read.
    """
    if exercise_id is not None:
        exercise_ids = [exercise_id]
    fields_query = select(Exercise.id, Exercise.fields, Exercise.item_id).where(Exercise.problem_set_id == set_id)
    if exercise_ids is not None:
        fields_query = fields_query.where(Exercise.id.in_(exercise_ids))
    variants = db.session().execute(fields_query).all()
    circuit_items_of_set = {item_id for item_id, template_id, knobs in db.session().execute(
        select(ProblemSetItem.id, ProblemSetItem.template_id, ProblemSetItem.knobs)
        .where(ProblemSetItem.problem_set_id == set_id)) if circuit_items.is_circuit_item(template_id, knobs)}
    circuits = {ex_id for ex_id, _fields, item_id in variants if item_id in circuit_items_of_set}
    keys: dict[str, dict[str, float]] = {}
    if circuits:
        keys.update(_circuit_keys(circuits, {ex_id: fields for ex_id, fields, _item in variants}))
    networks = [(ex_id, fields) for ex_id, fields, _item in variants if ex_id not in circuits]
    if not networks:
        return keys
    wanted = {ex_id: [(f["key"], parse_key(f["key"])) for f in fields] for ex_id, fields in networks}
    quantities = sorted({position[0] for fields in wanted.values() for _key, position in fields})
    values: dict[str, dict[tuple, float]] = {}
    for ex_id, quantity, layer, unit, source, value in db.session().execute(
            select(StoredTrace.exercise_id, TraceValue.quantity, TraceValue.layer, TraceValue.unit,
                   TraceValue.source, TraceValue.value)
            .join(TraceValue, TraceValue.trace_id == StoredTrace.id)
            .where(StoredTrace.exercise_id.in_([ex_id for ex_id, _fields in networks]),
                   TraceValue.iteration == 1, TraceValue.quantity.in_(quantities))):
        values.setdefault(ex_id, {})[quantity, layer, unit, source] = value
    keys.update({ex_id: {key: values[ex_id][position] for key, position in fields}
                 for ex_id, fields in wanted.items() if ex_id in values})
    return keys


def _circuit_keys(circuits: set[str], fields_of: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    """The answer keys of circuit variants, from their stored values in step order."""
    specs = dict(db.session().execute(select(Exercise.id, Exercise.spec).where(Exercise.id.in_(circuits))).all())
    by_step: dict[str, dict[int, float]] = {}
    for ex_id, step, value in db.session().execute(
            select(StoredTrace.exercise_id, TraceValue.step, TraceValue.value)
            .join(TraceValue, TraceValue.trace_id == StoredTrace.id)
            .where(StoredTrace.exercise_id.in_(circuits), TraceValue.iteration == 1)):
        by_step.setdefault(ex_id, {})[step] = value
    return {ex_id: circuit_items.expected_of(specs[ex_id], fields_of[ex_id],
                                             [v for _s, v in sorted(by_step[ex_id].items())])
            for ex_id in circuits if ex_id in by_step}


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
