"""A trace as a walkthrough in the seed post's order, every formula rendered as MathML.

The engine's rows run forward, loss, the whole backward pass, then every update. The seed post
updates each layer right after its error signals (output δ, output updates, hidden δ, hidden
updates), so the walkthrough regroups the backward and update rows per layer, from the output
back, and numbers the computed steps 1, 2, 3 … in the order they are shown (the CSV keeps the
engine's order and step numbers). Every step carries its row's identity (``row_id``), so the
what-if mode can match a recomputed trace to the page.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup

from exercises.generation.knobs import ASKABLE as KNOB_ASKABLE
from exercises.web.mathml import equation
from exercises.web.statement import layer_name
from exercises.web.stored_feedback import FieldResult
from tracer.keys import PER_SAMPLE, key_of
from tracer.latex import num
from tracer.naming import Names

MAX_STEPS = 1000  # rows rendered as HTML; the downloads carry every row
ASKABLE = frozenset(KNOB_ASKABLE)


@dataclass
class WalkthroughStep:
    """One computed value: its equation (symbol = formula = numbers = value) and, when it was
    asked, the student's answer."""

    number: int                 # 1, 2, 3 … in the order shown; 0 for a given value
    key: str | None
    equation: Markup
    row_id: str = ""
    symbol: str = ""            # LaTeX
    value: float = 0.0
    asked: bool = False
    answer: FieldResult | None = None


@dataclass
class Section:
    """Consecutive steps under one heading; ``givens`` sections list given values."""

    title: str
    steps: list[WalkthroughStep] = field(default_factory=list)
    givens: bool = False


@dataclass
class Walkthrough:
    sections: list[Section]
    total_rows: int
    shown_rows: int

    @property
    def step_count(self) -> int:
        """The computed steps shown (the numbered ones)."""
        return sum(len(s.steps) for s in self.sections if not s.givens)

    @property
    def given_count(self) -> int:
        return sum(len(s.steps) for s in self.sections if s.givens)

    @property
    def truncated(self) -> bool:
        """Whether some rows were left out of the page (the downloads hold them all)."""
        return self.shown_rows < self.total_rows


def _section_of(row: dict, depth: int) -> tuple:
    phase, layer = row["phase"], row["layer"]
    if phase in ("backward", "update"):
        # Output layer first, each layer's update right after its backward pass.
        return (row["iteration"], 3, depth - layer, 0 if phase == "backward" else 1)
    order = {"input": 0, "forward": 1, "loss": 2}[phase]
    return (row["iteration"], order, layer if phase == "forward" else 0, 0)


def _title(section: tuple, depth: int, iterations: int) -> tuple[str, bool]:
    iteration, order, position, part = section
    if order == 0:
        title, givens = _("Given values"), True
    elif order == 1:
        title, givens = _("Feedforward: %(layer)s", layer=layer_name(position, depth)), False
    elif order == 2:
        title, givens = _("Loss"), False
    else:
        where = layer_name(depth - position, depth)
        title = (_("%(layer)s: error signals and gradients", layer=where) if part == 0
                 else _("%(layer)s: parameter update", layer=where))
        givens = False
    if iterations > 1:
        title = _("Iteration %(number)d", number=iteration) + " · " + title
    return title, givens


def row_id(row: dict) -> str:
    """A row's identity across traces of the same shape: iteration, sample, quantity, layer,
    unit and source (``1.1.delta.2.1.``), as the what-if script rebuilds it from trace JSON."""
    parts = (row["iteration"], row["sample"], row["quantity"], row["layer"], row["unit"],
             row["source"])
    return ".".join("" if part is None else str(part) for part in parts)


def build(spec: dict, rows: Iterable[dict], asked: Iterable[str] = (),
          answers: dict[str, FieldResult] | None = None) -> Walkthrough:
    """The walkthrough of a trace's rows (``spec`` normalized). ``asked`` keys are marked and,
    with ``answers``, shown beside the student's own answer."""
    names = Names(spec["layers"], spec["naming"])
    depth = len(spec["layers"]) - 1
    iterations = spec.get("iterations", 1)
    batch = isinstance(spec["inputs"][0], list) and len(spec["inputs"]) > 1
    asked, answers = set(asked), answers or {}
    grouped: dict[tuple, list[WalkthroughStep]] = {}
    total = 0
    for row in rows:
        total += 1
        if total > MAX_STEPS:
            continue
        quantity = row["quantity"]
        symbol = names.latex(quantity, row["layer"], row["unit"], row["source"])
        if batch and row["sample"] is not None:
            symbol = f"{{{symbol}}}^{{[{row['sample']}]}}"
        key = None
        if quantity in ASKABLE and not (quantity == "loss" and row["sample"] is not None):
            key = key_of(quantity, row["layer"], row["unit"], row["source"],
                         sample=row["sample"] if quantity in PER_SAMPLE else 1, iteration=row["iteration"])
        value = num(row["value"])
        shown = (f"{symbol} = {value}",) if row["phase"] == "input" else (
            symbol, row["formula"], row["substituted"], value)
        step = WalkthroughStep(number=0, key=key, equation=equation(*shown), row_id=row_id(row),
                    symbol=symbol, value=row["value"], asked=key in asked,
                    answer=answers.get(key) if key in asked else None)
        grouped.setdefault(_section_of(row, depth), []).append(step)
    sections, number = [], 0
    for position in sorted(grouped):
        title, givens = _title(position, depth, iterations)
        if not givens:
            for step in grouped[position]:
                number += 1
                step.number = number
        sections.append(Section(title, grouped[position], givens))
    return Walkthrough(sections, total, min(total, MAX_STEPS))
