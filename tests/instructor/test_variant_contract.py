"""A problem set's variants keep the exercise contract (issue 11): the row a published pool
stores loads back as the exercise its item's template makes from the variant's seed, and the
key read from its stored trace is that exercise's key."""
from __future__ import annotations

from sqlalchemy import select

from exercises import db
from exercises.generation import GeneratedExercise
from exercises.instructor import answers, variants
from exercises.models import Exercise, ProblemSet, ProblemSetItem

from .conftest import build_set

ITEMS = (("seed-2-2-2", {}), ("relu-2-3-1", {"answer_digits": 5}), ("softmax-3-4-3", {}),
         ("circuit:cs231n", {"circuit": "cs231n"}), ("circuit:fan-out", {"circuit": "fan-out"}))


def test_every_stored_variant_loads_as_the_exercise_its_template_makes(app, instructor):
    set_id = build_set(app, instructor, items=ITEMS, pool_size=3, ecf_credit=0.5, feedback=False)
    with app.app_context():
        problem_set = db.session().get(ProblemSet, set_id)
        rows = db.session().execute(select(Exercise, ProblemSetItem)
                                    .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
                                    .where(Exercise.problem_set_id == set_id)).all()
        keys = answers.answer_keys(set_id)
        assert len(rows) == 3 * len(ITEMS)
        for row, item in rows:
            loaded = GeneratedExercise.from_row(row)
            seed = variants.variant_seed(set_id, item.id, row.variant_index)
            assert row.seed == seed
            assert loaded == variants.make(variants.item_template(problem_set, item), seed)
            assert keys[row.id] == loaded.expected
            # the set's policy reaches the variant's grading settings
            assert (loaded.grading_settings().ecf_credit, loaded.grading_settings().feedback) == (0.5, False)
