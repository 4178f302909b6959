"""Layout of the network diagram, drawn as SVG on the server like the seed post's figure.

Layers are columns from input to output; each unit is a circle holding its symbol, inputs
carry their values, outputs their targets, biases sit above their units and every edge carries
its weight as MathML. Only given values appear: a diagram never shows a computed one.

Each weight label sits on its own edge, about a third of the way from the source, at the spot
that overlaps no other label or unit and crosses the fewest other edges, so it is clear which
edge a label belongs to. A network whose labels cannot all be placed so (too many edges between
two layers) is drawn without them, and the page shows the weights as a table instead.
"""
from __future__ import annotations

import json
import math as _math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from markupsafe import Markup

from exercises.web.label_placement import LABEL_HEIGHT, place_labels
from exercises.web.label_placement import box as _box
from exercises.web.mathml import math
from tracer.naming import Names

COLUMN_GAP = 300
GAP_STEPS = tuple(range(COLUMN_GAP, 561, 40))  # wider gaps, tried until the labels fit clear
MAX_LABELLED_EDGES = 12  # edges between two layers beyond which labels are not legible
UNIT_GAP = 110
RADIUS = 24
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 120, 56, 24
MAX_DRAWN_UNITS = 6  # the largest hand exercise; wider networks are not drawn (the rest lists every value)
MAX_DRAWN_LAYERS = 6
SUBSCRIPTS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
CHAR_WIDTH = 8.4  # average advance of the 14px label font, for the label's backing box
PHONE_SCALE = 0.75  # narrow screens scroll the diagram rather than shrink it below this


def pretty(symbol: str) -> str:
    """A symbol with ``_1`` / ``_{1,2}`` written as Unicode subscripts, for SVG text."""
    symbol = re.sub(r"_\{([\d,]+)\}", lambda m: m.group(1).translate(SUBSCRIPTS), symbol)
    return re.sub(r"_(\d+)", lambda m: m.group(1).translate(SUBSCRIPTS), symbol)


def number(value: float) -> str:
    """A given value as written for people: shortest exact form, with a true minus sign."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace("-", "−")


@dataclass
class Unit:
    x: float
    y: float
    symbol: str
    value: str | None = None      # an input's value, left of the unit
    target: str | None = None     # an output's target, right of the unit
    bias: str | None = None       # "b1 = 0.1", above the unit


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    text: str                     # "w5 = 0.5 (h1 → ŷ1)": the edge's accessible name
    label: Markup                 # "w5 = 0.5" as MathML
    width: float                  # the label's backing box, wide enough for its MathML
    label_x: float = 0.0
    label_y: float = 0.0

    def box(self, t: float) -> tuple:
        """The label's box when centred at fraction ``t`` along the edge."""
        return _box(self.x1 + t * (self.x2 - self.x1), self.y1 + t * (self.y2 - self.y1),
                    self.width)

    @property
    def label_left(self) -> float:
        return round(self.label_x - self.width / 2, 1)

    @property
    def label_top(self) -> float:
        return round(self.label_y - LABEL_HEIGHT / 2, 1)


@dataclass
class Diagram:
    width: float
    height: float
    sizes: list[int]
    units: list[Unit] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    layer_notes: list[tuple[float, str]] = field(default_factory=list)  # shared biases
    labelled: bool = True         # weights written on the edges (else only in the table)
    spec: dict = field(default_factory=dict, repr=False)

    @property
    def min_width(self) -> float:
        """The narrowest the drawing may be shown before it scrolls sideways instead."""
        return round(self.width * PHONE_SCALE)

    @cached_property
    def parameters(self) -> list[tuple[Markup, str, str]]:
        """The weight table's rows (symbol, what it connects, value), made only when shown."""
        from exercises.web.statement import _parameters  # the statement's weight table (it imports ``number``)

        return _parameters(self.spec, Names(self.sizes, self.spec["naming"]))

    @property
    def hidden_units(self) -> int:
        return sum(self.sizes[1:-1])


def drawable(spec: dict) -> bool:
    """Whether the network is small enough to draw at all (with or without weight labels)."""
    return (len(spec["layers"]) <= MAX_DRAWN_LAYERS
            and max(spec["layers"]) <= MAX_DRAWN_UNITS)


def _obstacles(units: list[Unit]) -> list[tuple]:
    """Where labels must not go: the units and the texts around them."""
    found = []
    for u in units:
        found.append(_box(u.x, u.y, 2 * RADIUS, 2 * RADIUS))
        if u.bias:
            found.append(_box(u.x, u.y - 37, len(u.bias) * CHAR_WIDTH))
        if u.value:
            width = (len(u.symbol) + len(u.value) + 3) * CHAR_WIDTH
            found.append(_box(u.x - 32 - width / 2, u.y, width))
        if u.target:
            found.append(_box(u.x + 32 + len(u.target) * CHAR_WIDTH / 2, u.y,
                              len(u.target) * CHAR_WIDTH))
    return found


def _trimmed(x1: float, y1: float, x2: float, y2: float) -> tuple:
    """A segment between two unit centres, cut back to the units' circles."""
    length = _math.hypot(x2 - x1, y2 - y1)
    cut = RADIUS / length
    return (round(x1 + cut * (x2 - x1), 1), round(y1 + cut * (y2 - y1), 1),
            round(x2 - cut * (x2 - x1), 1), round(y2 - cut * (y2 - y1), 1))


def _label_width(names: Names, layer: int, unit: int, source: int, value: str) -> float:
    """The backing box of a weight label: its symbol (scripts count as half a character)
    and its value, plus padding."""
    symbol = pretty(names.text("w", layer, unit, source))
    small = sum(ch in "⁽⁾⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉," for ch in symbol)
    return (len(symbol) - small / 2 + len(" = ") + len(value)) * CHAR_WIDTH + 10


class _Drawing:
    """A spec's units and edges at given column positions: the pieces ``layout`` arranges."""

    def __init__(self, spec: dict, labelled: bool):
        self.spec, self.sizes, self.labelled = spec, spec["layers"], labelled
        self.names = Names(self.sizes, spec["naming"])
        self.middle = MARGIN_TOP + RADIUS + (max(self.sizes) - 1) * UNIT_GAP / 2

    def y(self, layer: int, unit: int) -> float:
        return self.middle + (unit - 1 - (self.sizes[layer] - 1) / 2) * UNIT_GAP

    def units(self, layer: int, x: float) -> list[Unit]:
        """One column's units with their given values, targets and biases."""
        spec, names, last = self.spec, self.names, len(self.sizes) - 1
        first = lambda values: values[0] if isinstance(values[0], list) else values  # noqa: E731
        found = []
        for unit in range(1, self.sizes[layer] + 1):
            drawn = Unit(x, self.y(layer, unit),
                         pretty(names.text("x" if layer == 0 else "a", layer, unit)))
            if layer == 0:
                drawn.value = number(first(spec["inputs"])[unit - 1])
            if layer == last:
                drawn.target = (f"{pretty(names.text('y', layer, unit))} = "
                                f"{number(first(spec['targets'])[unit - 1])}")
            if layer > 0 and spec["bias"] == "per_unit":
                drawn.bias = (f"{pretty(names.text('b', layer, unit))} = "
                              f"{number(spec['biases'][layer - 1][unit - 1])}")
            found.append(drawn)
        return found

    def edges(self, layer: int, x0: float, x1: float) -> list[Edge]:
        """The edges into ``layer`` from the column at x0 to the column at x1."""
        names, found = self.names, []
        for unit in range(1, self.sizes[layer] + 1):
            for source in range(1, self.sizes[layer - 1] + 1):
                value = number(self.spec["weights"][layer - 1][unit - 1][source - 1])
                start = "x" if layer == 1 else "a"
                text = pretty(f"{names.text('w', layer, unit, source)} = {value} "
                              f"({names.text(start, layer - 1, source)} → "
                              f"{names.text('a', layer, unit)})")
                label = math(f"{names.latex('w', layer, unit, source)} = "
                             f"{value.replace('−', '-')}") if self.labelled else Markup()
                found.append(Edge(*_trimmed(x0, self.y(layer - 1, source), x1, self.y(layer, unit)),
                                  text, label, _label_width(names, layer, unit, source, value)))
        return found

    def fit(self, layer: int) -> tuple[float, bool]:
        """The narrowest gap before ``layer`` whose labels overlap nothing, cover no crossing
        and have no other edge running under them (else the one with the fewest such labels),
        and whether its labels are clear of overlap there."""
        tried = []
        for gap in GAP_STEPS:
            edges = self.edges(layer, 0, gap)
            taken = _obstacles(self.units(layer - 1, 0) + self.units(layer, gap))
            clear, on_crossing, crossed = place_labels(edges, taken)
            tried.append((not clear, on_crossing, crossed, gap))
            if clear and not on_crossing and not crossed:
                break
        worse, _on_crossing, _crossed, gap = min(tried)
        return gap, not worse


@lru_cache(maxsize=512)
def _columns(spec_json: str) -> tuple[tuple[float, ...], bool]:
    """The columns' x positions of a spec (as JSON) and whether its weights are written on the
    edges: the costly part of a layout, the same for every page and language showing it."""
    spec = json.loads(spec_json)
    sizes = spec["layers"]
    labelled = max(a * b for a, b in zip(sizes, sizes[1:])) <= MAX_LABELLED_EDGES
    drawing = _Drawing(spec, labelled)
    columns = [MARGIN_X]
    for layer in range(1, len(sizes)):
        gap, clear = drawing.fit(layer) if labelled else (COLUMN_GAP, True)
        labelled = labelled and clear
        columns.append(columns[-1] + gap)
    return tuple(columns), labelled


def layout(spec: dict) -> Diagram:
    """The diagram of a normalized spec with one sample (the first, for a batch). Each gap
    between two columns is the narrowest of a few steps at which its labels overlap nothing
    and no other edge runs under one; a network too dense for that is drawn without labels."""
    sizes = spec["layers"]
    given = {key: spec.get(key) for key in ("layers", "naming", "bias", "biases", "weights",
                                              "inputs", "targets")}
    columns, labelled = _columns(json.dumps(given))
    drawing = _Drawing(spec, labelled)
    height = MARGIN_TOP + (max(sizes) - 1) * UNIT_GAP + 2 * RADIUS + MARGIN_BOTTOM
    diagram = Diagram(width=columns[-1] + MARGIN_X, height=height, sizes=list(sizes),
                      labelled=labelled, spec=spec)
    for layer, x in enumerate(columns):
        diagram.units += drawing.units(layer, x)
        if layer > 0 and spec["bias"] == "shared":
            diagram.layer_notes.append((x, f"{pretty(drawing.names.text('b', layer))} = "
                                           f"{number(spec['biases'][layer - 1])}"))
    taken = _obstacles(diagram.units)
    for layer in range(1, len(sizes)):
        edges = drawing.edges(layer, columns[layer - 1], columns[layer])
        if labelled:
            place_labels(edges, taken)
        diagram.edges += edges
    return diagram
