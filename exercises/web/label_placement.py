"""Where a weight label goes on its edge: boxes, their overlaps, and the edges and crossings
under them, computed with numpy for every candidate spot at once (the diagram's layout tries a
few gaps between columns, each placing every label of a layer pair)."""
from __future__ import annotations

import numpy as np

LABEL_FRACTIONS = tuple(t / 100 for t in range(12, 89, 2))
PREFERRED_FRACTION = 1 / 3  # from the source: edges still apart, before they cross
LABEL_HEIGHT = 22


def box(cx: float, cy: float, width: float, height: float = LABEL_HEIGHT) -> tuple:
    """A rectangle (left, top, right, bottom) around a centre, with a little clearance."""
    return (cx - width / 2 - 2, cy - height / 2 - 2, cx + width / 2 + 2, cy + height / 2 + 2)


def overlap_areas(boxes: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """The area each of ``boxes`` (n×4) shares with all of ``taken`` (m×4), summed: n values."""
    if not len(taken):
        return np.zeros(len(boxes))
    width = (np.minimum(boxes[:, None, 2], taken[None, :, 2])
             - np.maximum(boxes[:, None, 0], taken[None, :, 0]))
    height = (np.minimum(boxes[:, None, 3], taken[None, :, 3])
              - np.maximum(boxes[:, None, 1], taken[None, :, 1]))
    return (np.clip(width, 0, None) * np.clip(height, 0, None)).sum(axis=1)


def edges_through(boxes: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """How many of ``segments`` (m×4: x1, y1, x2, y2) pass through each of ``boxes`` (n×4),
    by Liang–Barsky clipping: n counts."""
    if not len(segments):
        return np.zeros(len(boxes), dtype=int)
    x1, y1 = segments[None, :, 0], segments[None, :, 1]
    dx, dy = segments[None, :, 2] - x1, segments[None, :, 3] - y1
    low, high = np.zeros((len(boxes), len(segments))), np.ones((len(boxes), len(segments)))
    outside = np.zeros_like(low, dtype=bool)
    for p, q in ((-dx, x1 - boxes[:, None, 0]), (dx, boxes[:, None, 2] - x1),
                 (-dy, y1 - boxes[:, None, 1]), (dy, boxes[:, None, 3] - y1)):
        p = np.broadcast_to(p, q.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = q / p
        outside |= (p == 0) & (q < 0)
        low = np.where(p < 0, np.maximum(low, ratio), low)
        high = np.where(p > 0, np.minimum(high, ratio), high)
    return ((low < high) & ~outside).sum(axis=1)


def crossing_points(segments: np.ndarray) -> np.ndarray:
    """Where two of the segments (m×4) cross, as k×2 points."""
    x1, y1 = segments[:, 0], segments[:, 1]
    dx, dy = segments[:, 2] - x1, segments[:, 3] - y1
    a, b = np.triu_indices(len(segments), k=1)
    det = dx[a] * dy[b] - dy[a] * dx[b]
    parallel = det == 0
    det = np.where(parallel, 1.0, det)
    s = ((x1[b] - x1[a]) * dy[b] - (y1[b] - y1[a]) * dx[b]) / det
    t = ((x1[b] - x1[a]) * dy[a] - (y1[b] - y1[a]) * dx[a]) / det
    inside = ~parallel & (s > 0) & (s < 1) & (t > 0) & (t < 1)
    return np.column_stack((x1[a] + s * dx[a], y1[a] + s * dy[a]))[inside]


def place_labels(edges: list, taken: list[tuple]) -> tuple[bool, int, int]:
    """Put each weight label on its edge: first where it overlaps nothing already placed
    (units, their texts, earlier labels), then where it covers the fewest points where edges
    cross, then where the fewest other edges run under it, then nearest a third of the way
    from the source. Returns whether every label is clear of overlap, how many labels still
    cover a crossing, and how many some other edge still runs under."""
    clear, on_crossing, crossed = True, 0, 0
    fractions = np.array(LABEL_FRACTIONS)
    segments = np.array([(e.x1, e.y1, e.x2, e.y2) for e in edges])
    points = crossing_points(segments)
    for index, e in enumerate(edges):
        boxes = np.array([e.box(t) for t in LABEL_FRACTIONS])
        overlap = overlap_areas(boxes, np.array(taken))
        covered = ((points[None, :, 0] > boxes[:, None, 0]) & (points[None, :, 0] < boxes[:, None, 2])
                   & (points[None, :, 1] > boxes[:, None, 1])
                   & (points[None, :, 1] < boxes[:, None, 3])).sum(axis=1)
        crossings = edges_through(boxes, np.delete(segments, index, axis=0))
        best = np.lexsort((np.abs(fractions - PREFERRED_FRACTION), crossings, covered,
                           overlap))[0]
        clear = clear and overlap[best] == 0
        on_crossing, crossed = on_crossing + (covered[best] > 0), crossed + (crossings[best] > 0)
        t = LABEL_FRACTIONS[best]
        e.label_x = e.x1 + t * (e.x2 - e.x1)
        e.label_y = e.y1 + t * (e.y2 - e.y1)
        taken.append(e.box(t))
    return clear, on_crossing, crossed
