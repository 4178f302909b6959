"""Problem sets as a service: drafts, items, settings overriding templates, publishing pools."""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

import tracer
from exercises import db, migrate
from exercises.generation import BUILTIN_TEMPLATES
from exercises.instructor import answers, pool, problem_sets, publishing, variants
from exercises.instructor.problem_sets import SetError
from exercises.models import Exercise, ProblemSet, StoredTrace, TraceValue
from tracer.keys import parse_key

from .conftest import SET_FORM, build_set

TWO = (("seed-2-2-2", {}), ("relu-2-3-1", {"learning_rate": 0.1}))
HEAD = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


def test_publishing_stores_a_pool_of_traced_variants_per_exercise(app, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=5)
    with app.app_context():
        sess = db.session()
        problem_set = sess.get(ProblemSet, set_id)
        assert problem_set.status == "published" and len(problem_set.join_code) == 8
        rows = sess.scalars(select(Exercise).where(Exercise.problem_set_id == set_id)).all()
        assert len(rows) == 10
        assert all(row.kind == "variant" and row.user_id is None for row in rows)
        by_item = {}
        for row in rows:
            by_item.setdefault(row.item_id, []).append(row)
        assert sorted(len(v) for v in by_item.values()) == [5, 5]
        for pool_rows in by_item.values():
            assert sorted(r.variant_index for r in pool_rows) == [0, 1, 2, 3, 4]
            assert len({r.seed for r in pool_rows}) == 5
            assert len({str(r.spec["weights"]) for r in pool_rows}) == 5


def test_stored_traces_read_back_bit_identical_to_the_engine(app, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=2)
    with app.app_context():
        sess = db.session()
        for row in sess.scalars(select(Exercise).where(Exercise.problem_set_id == set_id)):
            stored = sess.scalar(select(StoredTrace).where(StoredTrace.exercise_id == row.id))
            values = sess.scalars(select(TraceValue.value).where(TraceValue.trace_id == stored.id)
                                  .order_by(TraceValue.step)).all()
            engine = [r["value"] for r in tracer.trace(row.spec).rows()]
            assert values == engine and stored.row_count == len(engine)
            assert stored.engine_version == tracer.ENGINE_VERSION


def test_set_settings_override_the_templates(app, instructor):
    # sigfig 6, not 3: in sigfig mode every update's step must be 20 times the whole
    # allowance (SPEC §5), which 3 figures (±0.51 in the third) make about 10 % of θ⁺
    tolerance = {"mode": "sigfig", "rtol": None, "atol": None, "digits": 6}
    set_id = build_set(app, instructor, items=TWO, pool_size=1, attempts=2, ecf_credit=0.5,
                       feedback=False, reveal="after_due", tolerance_mode="sigfig", digits=6)
    # The built-in templates say: unlimited attempts, full ECF credit, feedback on, reveal always.
    template = BUILTIN_TEMPLATES["seed-2-2-2"]
    assert (template.attempts, template.ecf_credit, template.feedback, template.reveal) == \
        (None, 1.0, True, "always")
    with app.app_context():
        for row in db.session().scalars(select(Exercise).where(Exercise.problem_set_id == set_id)):
            assert row.settings["attempts"] == 2 and row.settings["ecf_credit"] == 0.5
            assert row.settings["feedback"] is False and row.settings["reveal"] == "after_due"
            assert row.settings["tolerance"] == tolerance


def test_item_knobs_reach_the_variants(app, instructor):
    set_id = build_set(app, instructor, items=(("seed-2-2-2", {"ask": ["delta"],
                                                               "learning_rate": 0.25}),),
                       pool_size=1)
    with app.app_context():
        row = db.session().scalar(select(Exercise).where(Exercise.problem_set_id == set_id))
    assert row.spec["learning_rate"] == 0.25
    assert [f["key"] for f in row.fields] == ["delta:2:1", "delta:2:2", "delta:1:1", "delta:1:2"]


def test_a_draft_preview_is_the_variant_publishing_stores(app, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=3, publish=False)
    with app.app_context():
        problem_set = db.session().get(ProblemSet, set_id)
        items = pool.set_items(set_id)
        before = answers.preview(problem_set, items[1], 2)  # generated now from the seed
        assert before.exercise is None
        publishing.publish(set_id)
        after = answers.preview(db.session().get(ProblemSet, set_id), items[1], 2)
    assert after.exercise is not None
    assert after.spec == before.spec and after.seed == before.seed
    expected = tracer.trace(after.spec)
    for key, value in after.expected.items():
        assert value == before.expected[key]
        assert value == expected.value(*parse_key(key))


def test_publishing_twice_or_empty_is_refused(app, instructor):
    with app.app_context():
        empty = problem_sets.create_set(instructor, SET_FORM)
        with pytest.raises(SetError, match="at least one exercise"):
            publishing.publish(empty.id)
    set_id = build_set(app, instructor, pool_size=1)
    with app.app_context():
        with pytest.raises(SetError, match="already published"):
            publishing.publish(set_id)
        with pytest.raises(SetError, match="fixed"):
            problem_sets.add_item(set_id, "seed-2-2-2", {})


def test_a_template_that_cannot_generate_is_refused_when_added(app, instructor):
    with app.app_context():
        draft = problem_sets.create_set(instructor, SET_FORM)
        with pytest.raises(SetError, match="bce"):
            problem_sets.add_item(draft.id, "seed-2-2-2", {"loss": "bce",
                                                           "activations": "tanh"})


def test_items_move_and_are_removed_in_a_draft(app, instructor):
    set_id = build_set(app, instructor, items=TWO + (("tanh-3-3-2", {}),), publish=False)
    with app.app_context():
        first, second, third = pool.set_items(set_id)
        problem_sets.move_item(set_id, third.id, -1)
        assert [i.id for i in pool.set_items(set_id)] == [first.id, third.id, second.id]
        problem_sets.remove_item(set_id, first.id)
        assert [i.id for i in pool.set_items(set_id)] == [third.id, second.id]


def test_policy_settings_of_a_published_set_reach_every_variant(app, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=2)
    with app.app_context():
        problem_sets.update_set(set_id, {**SET_FORM, "attempts": 5, "reveal": "never"})
        settings = db.session().scalars(select(Exercise.settings)
                                        .where(Exercise.problem_set_id == set_id)).all()
        assert len(settings) == 4
        assert all(s["attempts"] == 5 and s["reveal"] == "never" for s in settings)
        # grading settings change only through Regrade: sent anyway, they are kept, and the
        # rest of the save goes through
        problem_sets.update_set(set_id, {**SET_FORM, "ecf_credit": 0.0, "attempts": 4})
        problem_set = db.session().get(ProblemSet, set_id)
        assert problem_set.settings["ecf_credit"] == 1.0 and problem_set.settings["attempts"] == 4


def test_network_fingerprint_ignores_how_the_numbers_are_written():
    spec = {"layers": [2, 2, 2], "weights": [[[1, 0.5], [0.25, -1]], [[0.5, 0.5], [1, 2]]],
            "biases": [[0, 1], [1, 0]], "inputs": [1, 2], "targets": [0.5, 0.5]}
    as_floats = {**spec, "weights": [[[1.0, 0.5], [0.25, -1.0]], [[0.5, 0.5], [1.0, 2.0]]],
                 "inputs": [[1.0, 2.0]]}
    moved = {**spec, "inputs": [1, 2.5]}
    assert variants.network_hash(spec) == variants.network_hash(as_floats)
    assert variants.network_hash(spec) != variants.network_hash(moved)


HEAD = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


def test_migration_0002_goes_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "0001")
    migrate.upgrade(url)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ProblemSet.__table__)).scalar() == 0
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
    engine.dispose()


def test_migration_0003_makes_seeds_optional_and_goes_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip3.sqlite3'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    row = "INSERT INTO exercises (id, kind, seed, template, spec, fields, settings, revealed, " \
          "created_at) VALUES ('{id}', 'practice', {seed}, '{{}}', '{{}}', '[]', '{{}}', 0, " \
          "'2026-11-30 00:00:00')"
    with engine.begin() as conn:
        conn.exec_driver_sql(row.format(id="given", seed="NULL"))
        conn.exec_driver_sql(row.format(id="seeded", seed=7))
        columns = [c[1] for c in conn.exec_driver_sql("PRAGMA table_info(problem_set_items)")]
        assert "answer_digits" in columns
    engine.dispose()
    migrate.downgrade(url, "0002")   # the exercise without a seed cannot stay
    migrate.upgrade(url)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM exercises")]
        assert ids == ["seeded"]
    engine.dispose()
