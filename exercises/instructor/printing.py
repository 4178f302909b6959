"""A printable view of a set for paper exams: one page per variant (the students' variants, or
the unassigned pool for a class that has not joined online) with a header (set, variant, name
and ID lines), the diagram, the given weights as a table and blank answer boxes; or, printed
separately, the answer key as a compact table per variant. A circuit variant prints its circuit, each
node's formula and the answer boxes; its key lists every node value and gradient. A4 or Letter: CSS paged media does
the paging, and print.js scales a variant that would run past its sheet down to fit it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request

import tracer
from exercises.instructor import staff_queries
from exercises.instructor.access import instructor_required, owned_set
from exercises.instructor.answers import answer_keys
from exercises.instructor.circuit_items import circuit_view, key_rows
from exercises.models import Exercise, ProblemSetItem
from exercises.web import circuit_pages
from exercises.web.answer_fields import field_groups
from exercises.web.diagram import drawable, layout
from exercises.web.statement import statement

bp = Blueprint("printing", __name__, url_prefix="/instructor/sets")
MAX_PRINTED = 2000  # pages in one document; more is a different workflow


@dataclass
class Page:
    """One printed page: a variant with everything needed to render it."""

    exercise: Exercise
    item: ProblemSetItem
    student: str | None
    diagram: object
    statement: object
    groups: list
    expected: dict[str, float]
    weights: list[dict]
    circuit: dict | None = None  # a circuit's caption and its answer key's rows


PAPERS = {"a4": "A4", "letter": "letter"}


def given_weights(spec: dict) -> list[dict]:
    """The given weights and biases per layer, as the weight table prints them: rows of
    (unit, [weight from each unit below], bias)."""
    tables = []
    biases = spec.get("biases") if spec.get("bias", "per_unit") != "none" else None
    for layer, matrix in enumerate(spec["weights"], start=1):
        bias = biases[layer - 1] if biases is not None else None
        rows = [(unit, list(row), None if bias is None else
                 (bias[unit - 1] if isinstance(bias, list) else bias))
                for unit, row in enumerate(matrix, start=1)]
        tables.append({"layer": layer, "sources": len(matrix[0]) if matrix else 0,
                       "rows": rows})
    return tables


def _circuit_page(exercise: Exercise, item: ProblemSetItem, student: str | None,
                  expected: dict[str, float]) -> Page:
    """A circuit variant's page: its diagram with the given values, each node's formula, the
    answer boxes, and for the key every node value and gradient (``circuit_items.key_rows``)."""
    view = circuit_view(exercise.spec)
    view["key"] = key_rows(exercise.spec, exercise.template, exercise.fields)
    return Page(exercise, item, student, view["diagram"], view["statement"],
                circuit_pages.field_groups(exercise.spec, exercise.fields), expected, [], view)


@bp.get("/<id:set_id>/print")
@instructor_required
def printable(set_id: str):
    """Pages for the students' variants (``?variants=pool`` for the unassigned ones);
    ``?part=key`` prints their answer key instead; ``?paper=letter`` sizes for US Letter."""
    problem_set = owned_set(set_id, "view")
    from_pool = request.args.get("variants") == "pool"
    part = "key" if request.args.get("part") == "key" else "questions"
    paper = request.args.get("paper", "a4") if request.args.get("paper") in PAPERS else "a4"
    keys = answer_keys(set_id)
    pages = []
    for exercise, item, name in staff_queries.printed_variants(set_id, from_pool, MAX_PRINTED):
        if tracer.is_circuit(exercise.spec):
            pages.append(_circuit_page(exercise, item, name, keys.get(exercise.id, {})))
            continue
        spec = tracer.normalize(exercise.spec)
        pages.append(Page(exercise, item, name, layout(spec) if drawable(spec) else None,
                          statement(spec), field_groups(spec, exercise.fields),
                          keys.get(exercise.id, {}), given_weights(spec)))
    return render_template("instructor/print.html", problem_set=problem_set, pages=pages,
                           from_pool=from_pool, part=part, paper=paper, paper_size=PAPERS[paper])
