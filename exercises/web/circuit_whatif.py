"""What-if mode for a circuit (SPEC §10): change any leaf value of a revealed circuit exercise
and see every node value, local gradient and gradient of the output computed again, beside the
exercise's own, the changed ones highlighted, and the circuit drawn with the new values above
its wires and the new gradients below.

The form posts here and the server recomputes (a circuit has a handful of rows); the route,
its rate limit and its access rules are the network what-if's (``whatif.what_if``), and a
changed circuit is traced only when ``trace_checks.trace_allowed`` lets the caller trace.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from flask import render_template
from flask_babel import gettext as _

import tracer
from exercises.trace_checks import trace_allowed, web_caller
from exercises.web import circuit_pages
from exercises.web.answer_errors import spec_reason
from exercises.web.circuit_pages import circuit_heading
from exercises.web.typed_values import read_values
from tracer.circuit.keys import circuit_key


@dataclass
class Leaf:
    """A leaf a person may change: its form name, its name, the exercise's value and the value
    asked for now (``typed``: text that could not be read, shown again as typed)."""

    name: str
    symbol: str
    original: float
    value: float
    typed: str | None = None


@dataclass
class Row:
    """One computed quantity: its key, symbol, the exercise's value and the what-if value."""

    key: str
    symbol: str
    before: float
    after: float


@dataclass
class CircuitPage:
    leaves: list[Leaf]
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def leaves(spec: dict) -> list[Leaf]:
    """Every leaf of a normalized circuit, with its given value."""
    return [Leaf(f"leaf:{name}", name, value, value) for name, value in spec["graph"]["leaves"].items()]


def read_form(page: CircuitPage, form) -> None:
    """Put the posted leaf values into the page; an unreadable one keeps the exercise's value
    and is named in ``page.errors``."""
    read_values(page.leaves, form, page.errors)


def changed(spec: dict, page: CircuitPage) -> dict:
    """The circuit with every leaf's current value put in."""
    result = copy.deepcopy(spec)
    result["graph"]["leaves"] = {leaf.symbol: leaf.value for leaf in page.leaves}
    return result


def quantities(result) -> dict[str, tuple[str, float]]:
    """Every node value, local gradient and (complete) gradient of a circuit's trace, by field
    key, in the order the trace completes them: key → (symbol, value). The leaves are the
    form's, and the output's own gradient is always 1."""
    found: dict[str, tuple[int, str, float]] = {}
    output = circuit_key("grad", result.spec["graph"]["output"])
    for row in result.rows():
        key = circuit_key(row["quantity"], row["node"], row["arg"])
        if row["phase"] == "input" or key == output:
            continue
        found[key] = (row["step"], row["symbol"], row["value"])  # a fanned-out gradient: its last row
    return {key: (symbol, value) for key, (_step, symbol, value)
            in sorted(found.items(), key=lambda item: item[1][0])}


def render(exercise, form=None):
    """The circuit what-if page: the exercise's values, or after a POST (``form``) the posted
    leaves' (422 naming an unreadable value or the engine's refusal, 403 when the caller may
    not trace now)."""
    spec = tracer.normalize(exercise.spec)
    page, status = CircuitPage(leaves(spec)), 200
    if form is not None:
        read_form(page, form)
    base = tracer.trace(spec)
    outcome = base
    if page.errors:
        page.problem, status = _("Some values could not be read; they are marked below."), 422
    elif refusal := trace_allowed(changed(spec, page), web_caller()):
        page.problem, status = refusal, 403
    else:
        try:
            outcome = tracer.trace(changed(spec, page))
        except tracer.SpecError as exc:
            page.problem, status = spec_reason(exc), 422
    before, after = quantities(base), quantities(outcome)
    rows = [Row(key, symbol, value, after[key][1]) for key, (symbol, value) in before.items()]
    diagram = circuit_pages.solved_layout(outcome.spec, list(outcome.rows()))
    return render_template(
        "circuit_whatif.html", exercise=exercise, title=circuit_heading(exercise.template)[0],
        page=page, rows=rows, diagram=diagram, caption=circuit_pages.caption(True),
        output=spec["graph"]["output"]), status
