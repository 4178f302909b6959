"""The loss over training iterations as an inline SVG line chart, laid out on the server."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 16, 44
X_TICKS = 5


@dataclass
class LossPlot:
    width: int
    height: int
    points: str                          # the polyline's "x,y x,y …"
    y_ticks: list[tuple[float, str]]     # (y position, label): the highest and lowest loss
    x_ticks: list[tuple[float, int]]     # (x position, iteration)
    losses: list[float]                  # loss before update 1, 2, …, and after the last
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT
    top: int = TOP

    @property
    def final(self) -> float:
        return self.losses[-1]


def _label(value: float) -> str:
    text = f"{value:.4g}"
    return "0" if text == "-0" else text.replace("-", "−")


def plot(losses: list[float]) -> LossPlot:
    """A chart of ``losses`` (at least two): x is the number of updates made, 0 … k; y the
    loss, scaled between its lowest and highest value."""
    low, high = min(losses), max(losses)
    span = (high - low) or abs(high) or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    last = len(losses) - 1

    def x(i: float) -> float:
        return round(LEFT + inner_w * i / last, 1)

    def y(v: float) -> float:
        return round(TOP + inner_h * (high - v) / span, 1)

    points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(losses))
    ticks = sorted({round(last * t / (X_TICKS - 1)) for t in range(X_TICKS)})
    return LossPlot(WIDTH, HEIGHT, points, [(y(high), _label(high)), (y(low), _label(low))],
                    [(x(i), i) for i in ticks], list(losses))
