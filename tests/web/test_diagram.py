"""The network diagram's layout: every given value placed, nothing overlapping."""
from __future__ import annotations

import itertools

import pytest

import tracer
from exercises.web import diagram
from exercises.web.label_placement import box as label_box
from exercises.web.trace_tool import EXAMPLE_SPEC


def spec_with(layers, bias="per_unit"):
    """A spec of the given shape with distinct weights, as the trace tool would receive it."""
    weights = [[[round(0.01 * (j * 7 + k * 3 + l), 2) for k in range(layers[l - 1])]
                for j in range(layers[l])] for l in range(1, len(layers))]
    biases = ([[0.1] * n for n in layers[1:]] if bias == "per_unit" else [0.1] * (len(layers) - 1))
    return tracer.normalize({"layers": layers, "weights": weights, "biases": biases, "bias": bias,
                             "inputs": [0.5] * layers[0], "targets": [0.5] * layers[-1],
                             "learning_rate": 0.5})


def overlap(a, b):
    """The area two (left, top, right, bottom) boxes share."""
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0) * max(height, 0)


def crossing_points(d):
    """Where two edges of the diagram cross (solved here from their end points)."""
    found = []
    for a, b in itertools.combinations(d.edges, 2):
        ax, ay, bx, by = a.x2 - a.x1, a.y2 - a.y1, b.x2 - b.x1, b.y2 - b.y1
        det = ax * by - ay * bx
        if det == 0:
            continue
        s = ((b.x1 - a.x1) * by - (b.y1 - a.y1) * bx) / det
        t = ((b.x1 - a.x1) * ay - (b.y1 - a.y1) * ax) / det
        if 0 < s < 1 and 0 < t < 1:
            found.append((a.x1 + s * ax, a.y1 + s * ay))
    return found


def label_boxes(d):
    return [label_box(e.label_x, e.label_y, e.width) for e in d.edges]


def test_the_seed_example_is_drawn_with_the_posts_names_and_values():
    d = diagram.layout(tracer.normalize(EXAMPLE_SPEC))
    assert [u.symbol for u in d.units] == ["x1", "x2", "h1", "h2", "ŷ1", "ŷ2"]
    assert [u.value for u in d.units[:2]] == ["0.5", "−0.3"]
    assert [u.target for u in d.units[4:]] == ["y1 = 0.2", "y2 = 0.9"]
    assert [u.bias for u in d.units[2:]] == ["b1 = 0.1", "b2 = −0.1", "b3 = 0.2", "b4 = 0.05"]
    labels = sorted(e.text for e in d.edges)
    assert labels == ["w1 = 0.1 (x1 → h1)", "w2 = −0.2 (x2 → h1)", "w3 = 0.3 (x1 → h2)",
                      "w4 = 0.4 (x2 → h2)", "w5 = 0.5 (h1 → ŷ1)", "w6 = 0.7 (h1 → ŷ2)",
                      "w7 = −0.6 (h2 → ŷ1)", "w8 = 0.2 (h2 → ŷ2)"]
    assert d.labelled


@pytest.mark.parametrize("layers", [[2, 2, 2], [3, 3, 2], [2, 3, 1], [3, 4, 3], [2, 3, 3, 2],
                                    [3, 3, 3, 3], [1, 1]])
def test_no_label_overlaps_another_or_a_unit(layers):
    d = diagram.layout(spec_with(layers))
    assert d.labelled
    boxes = label_boxes(d)
    for a, b in itertools.combinations(boxes, 2):
        assert overlap(a, b) == 0
    units = [label_box(u.x, u.y, 2 * diagram.RADIUS, 2 * diagram.RADIUS) for u in d.units]
    for box, unit in itertools.product(boxes, units):
        assert overlap(box, unit) == 0


@pytest.mark.parametrize("layers", [[2, 2, 2], [3, 3, 2], [3, 4, 3], [2, 3, 3, 2], [4, 3, 3]])
def test_no_label_sits_on_a_crossing(layers):
    d = diagram.layout(spec_with(layers))
    crossings = crossing_points(d)
    assert crossings or layers == [2, 3, 1]
    for box in label_boxes(d):
        assert not any(box[0] < x < box[2] and box[1] < y < box[3] for x, y in crossings)


@pytest.mark.parametrize("layers", [[2, 2, 2], [3, 3, 2], [2, 3, 3, 2], [3, 3, 3, 3]])
def test_no_label_sits_on_another_edge(layers):
    """The seed post's figure put w2/w3 and w6/w7 on the crossing point: here no label's box
    is crossed by an edge other than its own, so each label plainly belongs to one edge."""
    d = diagram.layout(spec_with(layers))
    for e in d.edges:
        box = label_box(e.label_x, e.label_y, e.width)
        for other in d.edges:
            if other is not e:
                dx, dy = other.x2 - other.x1, other.y2 - other.y1
                # Sample the other segment densely: no point of it inside this label's box.
                points = [(other.x1 + dx * i / 400, other.y1 + dy * i / 400) for i in range(401)]
                assert not any(box[0] < x < box[2] and box[1] < y < box[3] for x, y in points), \
                    (e.text, other.text)


@pytest.mark.parametrize("layers", [[6, 6, 6, 6, 6], [2, 6, 6, 2], [4, 5, 5, 3], [4, 4, 4]])
def test_dense_networks_are_drawn_without_labels_and_with_every_weight_in_the_table(layers):
    d = diagram.layout(spec_with(layers))
    assert not d.labelled
    weights = sum(a * b for a, b in zip(layers, layers[1:]))
    biases = sum(layers[1:])
    assert len(d.parameters) == weights + biases
    assert d.width < 1600  # the columns are not spread out for labels that are not drawn


def test_every_label_sits_on_its_own_edge():
    for e in diagram.layout(spec_with([3, 4, 3])).edges:
        cross = (e.x2 - e.x1) * (e.label_y - e.y1) - (e.y2 - e.y1) * (e.label_x - e.x1)
        assert abs(cross) < 1e-6 and min(e.x1, e.x2) < e.label_x < max(e.x1, e.x2)


def test_a_shared_bias_is_noted_once_per_layer():
    d = diagram.layout(spec_with([2, 3, 2], bias="shared"))
    assert [note for _x, note in d.layer_notes] == ["b⁽¹⁾ = 0.1", "b⁽²⁾ = 0.1"]
    assert all(u.bias is None for u in d.units)


def test_matrix_symbols_are_written_with_subscripts():
    assert diagram.pretty("w⁽²⁾_{1,2}") == "w⁽²⁾₁,₂"
    assert diagram.pretty("a⁽¹⁾_3") == "a⁽¹⁾₃"


def test_wide_networks_are_not_drawn():
    assert diagram.drawable(spec_with([2, 6, 2]))
    assert not diagram.drawable(spec_with([2, 7, 2]))
