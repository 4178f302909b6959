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
UNIT_GAP = 110
RADIUS = 24
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 120, 56, 24
LABEL_FRACTIONS = (0.58, 0.62, 0.66, 0.70, 0.74)
MAX_DRAWN_UNITS = 8      # wider layers are listed in the table only
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
    layer_sizes: tuple[int, ...] = ()

    @property
    def min_width(self) -> float:
        """The narrowest the drawing may be shown before it scrolls sideways instead."""
        return round(self.width * PHONE_SCALE)


def drawable(spec: dict) -> bool:
    """Whether the network is small enough to draw legibly."""
    return (len(spec["layers"]) <= MAX_DRAWN_LAYERS
            and max(spec["layers"]) <= MAX_DRAWN_UNITS)


def _place_labels(edges: list[Edge]) -> None:
    """Put the labels of one layer's edges at the common fraction that spaces them best."""
    def spread(t):
        ys = sorted(e.y2 + (1 - t) * (e.y1 - e.y2) for e in edges)
        return min((b - a for a, b in zip(ys, ys[1:])), default=float("inf"))

    best = max(LABEL_FRACTIONS, key=spread)
    for e in edges:
        e.label_x = e.x1 + best * (e.x2 - e.x1)
        e.label_y = e.y1 + best * (e.y2 - e.y1)


def layout(spec: dict) -> Diagram:
    """The diagram of a normalized spec with one sample (the first, for a batch)."""
    sizes = spec["layers"]
    names = Names(sizes, spec["naming"])
    tallest = max(sizes)
    height = MARGIN_TOP + (tallest - 1) * UNIT_GAP + 2 * RADIUS + MARGIN_BOTTOM
    diagram = Diagram(width=2 * MARGIN_X + (len(sizes) - 1) * COLUMN_GAP, height=height,
                      layer_sizes=tuple(sizes))
    inputs = spec["inputs"][0] if isinstance(spec["inputs"][0], list) else spec["inputs"]
    targets = spec["targets"][0] if isinstance(spec["targets"][0], list) else spec["targets"]
    middle = MARGIN_TOP + RADIUS + (tallest - 1) * UNIT_GAP / 2

    def position(layer: int, unit: int) -> tuple[float, float]:
        offset = (unit - 1 - (sizes[layer] - 1) / 2) * UNIT_GAP
        return MARGIN_X + layer * COLUMN_GAP, middle + offset

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
            diagram.layer_notes.append((MARGIN_X + layer * COLUMN_GAP,
                                        f"{pretty(names.text('b', layer))} = "
                                        f"{number(spec['biases'][layer - 1])}"))
    for layer in range(1, len(sizes)):
        edges = []
        for unit in range(1, sizes[layer] + 1):
            for source in range(1, sizes[layer - 1] + 1):
                weight = spec["weights"][layer - 1][unit - 1][source - 1]
                label = f"{pretty(names.text('w', layer, unit, source))} = {number(weight)}"
                edges.append(Edge(*position(layer - 1, source), *position(layer, unit), label))
        _place_labels(edges)
        diagram.edges.extend(edges)
    return diagram
