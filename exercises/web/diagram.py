"""Layout of the network diagram, drawn as SVG on the server like the seed post's figure.

Layers are columns from input to output; each unit is a circle holding its symbol, inputs
carry their values, outputs their targets, biases sit above their units and every edge carries
its weight. Only given values appear: a diagram never shows a computed one. Edge labels sit on
their edges near the destination, at the fraction along the edge that keeps them furthest apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracer.naming import Names

COLUMN_GAP = 300
CROWDED = 8  # edges between two layers beyond which the columns move apart
UNIT_GAP = 110
RADIUS = 24
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 120, 56, 24
LABEL_FRACTIONS = tuple(t / 100 for t in range(16, 86, 2))
PREFERRED_FRACTION = 0.64  # near the destination, where the seed post writes its weights
LABEL_HEIGHT = 20
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
    label: str
    label_x: float = 0.0
    label_y: float = 0.0

    @property
    def label_width(self) -> float:
        """The width of the white box behind the label, so the edge never runs through it."""
        return len(self.label) * CHAR_WIDTH + 6


@dataclass
class Diagram:
    width: float
    height: float
    units: list[Unit] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    layer_notes: list[tuple[float, str]] = field(default_factory=list)  # shared biases

    @property
    def min_width(self) -> float:
        """The narrowest the drawing may be shown before it scrolls sideways instead."""
        return round(self.width * PHONE_SCALE)


def drawable(spec: dict) -> bool:
    """Whether the network is small enough to draw legibly."""
    return (len(spec["layers"]) <= MAX_DRAWN_LAYERS
            and max(spec["layers"]) <= MAX_DRAWN_UNITS)


def _box(cx: float, cy: float, width: float, height: float = LABEL_HEIGHT) -> tuple:
    """A rectangle (left, top, right, bottom) around a centre, with a little clearance."""
    return (cx - width / 2 - 2, cy - height / 2 - 2, cx + width / 2 + 2, cy + height / 2 + 2)


def _overlap(a: tuple, b: tuple) -> float:
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _obstacles(diagram: Diagram) -> list[tuple]:
    """Where labels must not go: the units and the texts around them."""
    found = []
    for u in diagram.units:
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


def _place_labels(edges: list[Edge], taken: list[tuple]) -> None:
    """Put each weight label on its edge where it overlaps the least of what is already
    placed (units, their texts, earlier labels), nearest the preferred fraction on a tie."""
    for e in edges:
        def spot(t, e=e):
            return _box(e.x1 + t * (e.x2 - e.x1), e.y1 + t * (e.y2 - e.y1), e.label_width)

        best = min(LABEL_FRACTIONS, key=lambda t: (sum(_overlap(spot(t), o) for o in taken),
                                                   abs(t - PREFERRED_FRACTION)))
        e.label_x = e.x1 + best * (e.x2 - e.x1)
        e.label_y = e.y1 + best * (e.y2 - e.y1)
        taken.append(spot(best))


def layout(spec: dict) -> Diagram:
    """The diagram of a normalized spec with one sample (the first, for a batch)."""
    sizes = spec["layers"]
    names = Names(sizes, spec["naming"])
    tallest = max(sizes)
    height = MARGIN_TOP + (tallest - 1) * UNIT_GAP + 2 * RADIUS + MARGIN_BOTTOM
    label = max(len(pretty(names.text("w", l, j, k))) for l in range(1, len(sizes))
                for j in (1, sizes[l]) for k in (1, sizes[l - 1])) + len(" = −0.00")
    columns = [MARGIN_X]
    for before, after in zip(sizes, sizes[1:]):
        # Dense layer pairs get wider, so their weight labels fit side by side.
        extra = max(0, before * after - CROWDED) * label * CHAR_WIDTH * 0.4
        columns.append(columns[-1] + COLUMN_GAP + extra)
    diagram = Diagram(width=columns[-1] + MARGIN_X, height=height)
    inputs = spec["inputs"][0] if isinstance(spec["inputs"][0], list) else spec["inputs"]
    targets = spec["targets"][0] if isinstance(spec["targets"][0], list) else spec["targets"]
    middle = MARGIN_TOP + RADIUS + (tallest - 1) * UNIT_GAP / 2

    def position(layer: int, unit: int) -> tuple[float, float]:
        offset = (unit - 1 - (sizes[layer] - 1) / 2) * UNIT_GAP
        return columns[layer], middle + offset

    for layer, size in enumerate(sizes):
        for unit in range(1, size + 1):
            x, y = position(layer, unit)
            drawn = Unit(x, y, pretty(names.text("x" if layer == 0 else "a", layer, unit)))
            if layer == 0:
                drawn.value = number(inputs[unit - 1])
            if layer == len(sizes) - 1:
                drawn.target = f"{pretty(names.text('y', layer, unit))} = {number(targets[unit - 1])}"
            if layer > 0 and spec["bias"] == "per_unit":
                bias = spec["biases"][layer - 1][unit - 1]
                drawn.bias = f"{pretty(names.text('b', layer, unit))} = {number(bias)}"
            diagram.units.append(drawn)
        if layer > 0 and spec["bias"] == "shared":
            diagram.layer_notes.append((columns[layer],
                                        f"{pretty(names.text('b', layer))} = "
                                        f"{number(spec['biases'][layer - 1])}"))
    taken = _obstacles(diagram)
    for layer in range(1, len(sizes)):
        edges = []
        for unit in range(1, sizes[layer] + 1):
            for source in range(1, sizes[layer - 1] + 1):
                weight = spec["weights"][layer - 1][unit - 1][source - 1]
                label = f"{pretty(names.text('w', layer, unit, source))} = {number(weight)}"
                edges.append(Edge(*position(layer - 1, source), *position(layer, unit), label))
        _place_labels(edges, taken)
        diagram.edges.extend(edges)
    return diagram
