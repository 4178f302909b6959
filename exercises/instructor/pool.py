"""Variant pools: every exercise of a published set owns a stock of generated, traced variants.

Publishing fills each exercise's pool to ``pool_size`` variants (``fill``, run as a job); a
student who joins is handed unassigned variants (no generation on that request); when an
exercise's free stock runs low a top-up job (``exercises/jobs``), or ``flask topup-pools``,
adds more. Variant n of an exercise has a seed that follows from the set, the exercise and n
alone, and (exercise, n) is unique, so two processes filling or topping up at once cannot
store a variant twice: the later one's transaction fails and is dropped, and a fill that runs
again after a crash starts where the stored variants end.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

import tracer
from exercises import db
from exercises.instructor import variants
from exercises.models import Exercise, ProblemSet, ProblemSetItem, StoredTrace, TraceValue, new_id, utcnow
from exercises.storage import VALUE_COLUMNS

log = logging.getLogger(__name__)
CHUNK = 100  # variants generated and stored per transaction while a pool fills


def generate_variants(problem_set: ProblemSet, counts: dict[str, tuple[int, int]]) -> list:
    """Variants for each item id -> (first index, count), as (Exercise row, trace) pairs,
    generated before any transaction (see ``variants``)."""
    items = {item.id: item for item in set_items(problem_set.id)}
    jobs, places = [], []
    for item_id, (first, count) in counts.items():
        item = items[item_id]
        indices = range(first, first + count)
        jobs.append((variants.item_template(problem_set, item).to_dict(),
                     [variants.variant_seed(problem_set.id, item.id, n) for n in indices]))
        places.append((item, indices))
    made = variants.generate_jobs(jobs)
    now = utcnow()
    return [({"id": new_id(), "kind": "variant", "template_id": item.template_id,
              "problem_set_id": problem_set.id, "item_id": item.id, "variant_index": index,
              **entry["row"], "network_hash": entry["network_hash"], "revealed": False, "created_at": now},
             entry["trace"])
            for (item, indices), entries in zip(places, made)
            for index, entry in zip(indices, entries)]


def store_variants(sess, made: list) -> None:
    """Insert generated variants and their traces within the caller's transaction: what
    ``storage.store_trace`` stores, for many traces at once and in few statements."""
    if not made:
        return
    sess.execute(insert(Exercise), [row for row, _trace in made])
    traces = [{"id": new_id(), "exercise_id": row["id"], "spec": result["spec"],
               "engine_version": tracer.ENGINE_VERSION, "row_count": result["row_count"],
               "export_lines": result.get("export_lines"), "created_at": row["created_at"]} for row, result in made]
    sess.execute(insert(StoredTrace), traces)
    db.bulk_insert(sess, TraceValue, VALUE_COLUMNS, (
        (stored["id"], step, iteration, sample, layer, unit, source, quantity, value)
        for stored, (_row, result) in zip(traces, made)
        for step, iteration, sample, _phase, layer, unit, source, quantity, value
        in result["values"]))


def set_items(set_id: str) -> list[ProblemSetItem]:
    """A set's exercises in order."""
    return list(db.session().scalars(select(ProblemSetItem).where(
        ProblemSetItem.problem_set_id == set_id).order_by(ProblemSetItem.position)))


def free_counts(sess, set_id: str) -> dict[str, tuple[int, int]]:
    """Per item id of a set: (unassigned variants, next variant index)."""
    rows = sess.execute(
        select(ProblemSetItem.id,
               func.count(Exercise.id).filter(Exercise.user_id.is_(None)),
               func.coalesce(func.max(Exercise.variant_index), -1))
        .outerjoin(Exercise, Exercise.item_id == ProblemSetItem.id)
        .where(ProblemSetItem.problem_set_id == set_id).group_by(ProblemSetItem.id))
    return {item_id: (free, last + 1) for item_id, free, last in rows}


def low_water(pool_size: int) -> int:
    """Top up an exercise when fewer than this many of its variants are free."""
    return max(2, pool_size // 10)


def refill(pool_size: int) -> int:
    """How many variants one top-up adds to an exercise."""
    return max(5, pool_size // 5)


def top_up(set_id: str) -> int:
    """Add variants to every exercise of a published set that runs low; returns how many.

    Generation happens outside the transaction; a concurrent top-up that stored the same
    variant indices first wins and this one adds nothing.
    """
    problem_set = db.session().get(ProblemSet, set_id)
    if problem_set is None or problem_set.status != "published":
        return 0
    counts = {item_id: (next_index, refill(problem_set.pool_size))
              for item_id, (free, next_index) in free_counts(db.session(), set_id).items()
              if free < low_water(problem_set.pool_size)}
    if not counts:
        return 0
    made = generate_variants(problem_set, counts)
    try:
        with db.write_transaction() as sess:
            store_variants(sess, made)
    except IntegrityError:
        log.info("top-up of set %s lost a race to another process", set_id)
        return 0
    return len(made)


_FREE = aliased(Exercise, name="free")  # built once: an alias costs more to build than to query


def low_items(set_id: str, pool_size: int):
    """The set's exercises with fewer free variants than the low-water mark: those whose free
    variant number ``low_water`` (in index order) does not exist. Reads at most that many
    entries of ``ix_exercises_free`` per exercise, however many were handed out."""
    nth_free = (select(_FREE.variant_index)
                .where(_FREE.item_id == ProblemSetItem.id, _FREE.user_id.is_(None))
                .order_by(_FREE.variant_index).limit(1).offset(low_water(pool_size) - 1)
                .scalar_subquery())
    return select(ProblemSetItem.id).where(ProblemSetItem.problem_set_id == set_id, nth_free.is_(None))


def runs_low(set_id: str, pool_size: int) -> bool:
    """Whether any exercise of the set has fewer free variants than the low-water mark."""
    return db.session().scalar(low_items(set_id, pool_size).limit(1)) is not None


def fill(problem_set: ProblemSet, progress: Callable | None = None) -> int:
    """Fill every exercise's pool of a set to ``pool_size`` variants, ``CHUNK`` at a time, each
    chunk in its own transaction; returns how many variants this call stored.

    Idempotent: each chunk starts where the stored variants of its exercise end, so a fill run
    again after a crash adds only what is missing, and a chunk that another run stored first
    fails on the unique (exercise, n) and is dropped. ``progress(sess, done, total)`` is called
    inside every chunk's transaction.
    """
    target = problem_set.pool_size
    items = set_items(problem_set.id)
    total, added = target * len(items), 0
    while True:
        stored = free_counts(db.session(), problem_set.id)
        lacking = [(item.id, stored[item.id][1]) for item in items if stored[item.id][1] < target]
        if not lacking:
            return added
        item_id, first = lacking[0]
        made = generate_variants(problem_set, {item_id: (first, min(CHUNK, target - first))})
        done = sum(min(next_index, target) for _free, next_index in stored.values()) + len(made)
        try:
            with db.write_transaction() as sess:
                store_variants(sess, made)
                if progress is not None:
                    progress(sess, done, total)
        except IntegrityError:
            log.info("a chunk of set %s's pool was stored by another run", problem_set.id)
            continue
        added += len(made)


def schedule_top_up(set_id: str) -> None:
    """Queue a top-up job for the set (one per set at a time: ``jobs.start``).

    ``POOL_TOPUP = "off"`` leaves it to ``flask topup-pools``.
    """
    if current_app.config.get("POOL_TOPUP", "queue") == "off":
        return
    from exercises import jobs

    jobs.start("topup", set_id)
