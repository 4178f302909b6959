"""What-if mode on a revealed solution: change η, a weight, a bias, an input or a target and see
every value of the trace recomputed, the changed ones highlighted, with the loss before and
after the update; and train the network for k steps, the loss plotted over the iterations.

With JavaScript the page recomputes as one types, through ``POST /api/v1/traces`` (which runs
its own exam-mode checks); without it, the form posts here and the server recomputes. The page
exists only where the solution may be shown and after it was revealed, and a changed network is
traced only when exam mode allows that network (``trace_checks.trace_allowed``: an open exam's
variant is refused however it is disguised). A circuit's what-if is ``circuit_whatif``'s.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

import tracer
from exercises.limits import trace_limit
from exercises.trace_checks import trace_allowed, web_caller
from exercises.trace_limits import row_budget
from exercises.web import circuit_whatif, ownership, solutions
from exercises.web.answer_errors import spec_reason
from exercises.web.diagram import pretty
from exercises.web.loss_plot import LossPlot, plot
from exercises.web.mathml import math as mathml
from exercises.web.practice_form import heading
from exercises.web.typed_values import read_values
from exercises.web.walkthrough import build, row_id
from tracer.naming import Names

bp = Blueprint("whatif", __name__, url_prefix="/exercises")
DEFAULT_STEPS, MAX_STEPS = 20, 200


@dataclass
class Knob:
    """One value a person may change: its form name, symbol, the exercise's value and the
    value asked for now."""

    name: str
    symbol: str
    original: float
    value: float
    typed: str | None = None      # text that could not be read, shown again as typed


@dataclass
class Outcome:
    """A traced what-if: every value of the first iteration by row id, the loss before and
    after one update, and the losses of ``steps`` updates in a row."""

    values: dict[str, float]
    loss_before: float
    loss_after: float
    plot: LossPlot


@dataclass
class Page:
    knobs: list[tuple[str, list[Knob]]]
    steps: int = DEFAULT_STEPS
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def shown(value: float) -> str:
    """A value as the page shows it: 6 significant figures, a true minus sign (what-if.js
    writes recomputed values the same way)."""
    text = f"{value:.6g}"
    return "0" if text == "-0" else text.replace("-", "−")


def knobs(spec: dict) -> list[tuple[str, list[Knob]]]:
    """Every value of a normalized one-sample spec that what-if may change, in groups."""
    sizes, names = spec["layers"], Names(spec["layers"], spec["naming"])
    eta = spec["learning_rate"]
    groups = [(_("Learning rate"), [Knob("eta", "η", eta, eta)]),
              (_("Inputs"), [Knob(f"x:{k}", pretty(names.text("x", 0, k)), v, v)
                             for k, v in enumerate(spec["inputs"][0], 1)]),
              (_("Targets"), [Knob(f"y:{j}", pretty(names.text("y", len(sizes) - 1, j)), v, v)
                              for j, v in enumerate(spec["targets"][0], 1)])]
    for layer in range(1, len(sizes)):
        found = [Knob(f"w:{layer}:{j}:{k}", pretty(names.text("w", layer, j, k)), v, v)
                 for j, row in enumerate(spec["weights"][layer - 1], 1)
                 for k, v in enumerate(row, 1)]
        if spec["bias"] == "per_unit":
            found += [Knob(f"b:{layer}:{j}", pretty(names.text("b", layer, j)), v, v)
                      for j, v in enumerate(spec["biases"][layer - 1], 1)]
        elif spec["bias"] == "shared":
            value = spec["biases"][layer - 1]
            found.append(Knob(f"b:{layer}", pretty(names.text("b", layer)), value, value))
        groups.append((_("Weights and biases into layer %(layer)d", layer=layer), found))
    return groups


def changed(spec: dict, groups: list[tuple[str, list[Knob]]]) -> dict:
    """The spec with every knob's current value put in."""
    result = copy.deepcopy(spec)
    for _title, group in groups:
        for knob in group:
            kind, *where = knob.name.split(":")
            at = [int(part) - 1 for part in where]
            if kind == "eta":
                result["learning_rate"] = knob.value
            elif kind == "x":
                result["inputs"][0][at[0]] = knob.value
            elif kind == "y":
                result["targets"][0][at[0]] = knob.value
            elif kind == "w":
                result["weights"][at[0]][at[1]][at[2]] = knob.value
            elif len(at) == 2:
                result["biases"][at[0]][at[1]] = knob.value
            else:
                result["biases"][at[0]] = knob.value
    return result


def read_form(page: Page, form) -> None:
    """Put the posted values into the page's knobs and its number of training steps; an
    unreadable one keeps the exercise's value and is named in ``page.errors``."""
    read_values((knob for _title, group in page.knobs for knob in group), form, page.errors)
    text = form.get("steps", str(DEFAULT_STEPS)).strip()
    if text.isdigit() and 1 <= int(text) <= MAX_STEPS:
        page.steps = int(text)
    else:
        page.errors["steps"] = _("Enter a whole number from 1 to %(most)d.", most=MAX_STEPS)


def run(spec: dict, steps: int) -> Outcome:
    """Trace the spec for ``steps`` updates (at least one) and read off what the page shows;
    raises tracer.SpecError for values the engine refuses."""
    result = tracer.trace(dict(spec, iterations=steps + 1))
    values = {}
    for row in result.rows():  # made lazily: only the first iteration's rows are formatted
        if row["iteration"] > 1:
            break
        values[row_id(row)] = row["value"]
    losses = [result.value("loss", iteration=i) for i in range(1, steps + 2)]
    return Outcome(values, losses[0], losses[1], plot(losses))


def allowed_or_403(exercise) -> None:
    """What-if exists only where the solution may be shown, and once it was revealed."""
    if not solutions.solution_allowed(exercise):
        abort(403, description=solutions.solution_refusal(exercise))
    if not exercise.revealed:
        abort(403, description=_("Show the worked solution first; what-if mode starts from it."))


@bp.route("/<id:exercise_id>/what-if", methods=["GET", "POST"])
@trace_limit
def what_if(exercise_id: str):
    """The what-if page: the exercise's values on GET, the posted values after a POST."""
    exercise = ownership.exercise_or_404(exercise_id)
    allowed_or_403(exercise)
    if tracer.is_circuit(exercise.spec):
        return circuit_whatif.render(exercise, request.form if request.method == "POST" else None)
    spec = tracer.normalize(exercise.spec)
    page, status = Page(knobs(spec)), 200
    caller = web_caller()
    if request.method == "POST":
        read_form(page, request.form)
    per_step, budget = tracer.row_count(spec), row_budget(caller)
    if (page.steps + 1) * per_step > budget:  # checked before anything is traced
        page.errors["steps"] = _("This would trace %(rows)d rows; the limit is %(limit)d. "
                                 "Train for fewer steps.",
                                 rows=(page.steps + 1) * per_step, limit=budget)
        page.steps = max(1, min(DEFAULT_STEPS, budget // per_step - 1))
    asked = changed(spec, page.knobs)
    base = run(spec, page.steps)
    outcome = None
    if page.errors:
        page.problem, status = _("Some values could not be read; they are marked below."), 422
    elif refusal := trace_allowed(asked, caller):
        page.problem, status = refusal, 403
    else:
        try:
            outcome = run(asked, page.steps)
        except tracer.SpecError as exc:
            page.problem, status = spec_reason(exc), 422
    walkthrough = build(spec, solutions.trace_rows(exercise))
    return render_template(
        "whatif.html", exercise=exercise, title=heading(exercise.template_id, exercise.template)[0],
        spec=spec, page=page, base=base, outcome=outcome or base, walkthrough=walkthrough,
        shown=shown, math=mathml, max_steps=MAX_STEPS), status
