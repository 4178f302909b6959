"""The network diagram in Chromium: weight labels as laid out by the browser never overlap,
each edge lights up with its label on hover and keyboard focus, and a network too dense to
label shows its weights as a table."""
from __future__ import annotations

import itertools
import json
import re

import pytest

from .conftest import PHONE, SCREENSHOTS

PRESETS = {"2-2-2": "seed-2-2-2", "3-3-2": "tanh-3-3-2", "3-4-3": "softmax-3-4-3"}


def open_exercise(page, query: str) -> str:
    """Start the practice exercise of ``query`` (template and seed) and return its id."""
    page.goto(f"{page.base}/practice/new?{query}")
    page.get_by_role("button", name="Start this exercise").click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
    return page.url.rsplit("/", 1)[1]


def label_boxes(page) -> list[dict]:
    """The rendered box of every weight label's text (its MathML and backing), in page pixels."""
    return page.eval_on_selector_all(".diagram .edge-label span", """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    })""")


def overlap(a: dict, b: dict) -> float:
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(width, 0) * max(height, 0)


@pytest.mark.parametrize("shape", list(PRESETS))
def test_weight_labels_do_not_overlap_each_other(page, screenshot, shape):
    open_exercise(page, f"template={PRESETS[shape]}&seed=11")
    layers = [int(n) for n in shape.split("-")]
    boxes = label_boxes(page)
    assert len(boxes) == sum(a * b for a, b in zip(layers, layers[1:]))
    assert all(b["right"] - b["left"] > 20 for b in boxes)  # each label really is drawn
    for a, b in itertools.combinations(boxes, 2):
        assert overlap(a, b) == 0, (a, b)
    # Every label's MathML fits inside the box the server reserved for it.
    fits = page.eval_on_selector_all(".diagram foreignObject", """els => els.every(f => {
        const outer = f.getBoundingClientRect(), inner = f.querySelector('span').getBoundingClientRect();
        return inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5;
    })""")
    assert fits
    screenshot(page, f"diagram-{shape}-desktop")
    page.locator(".diagram svg").screenshot(path=str(SCREENSHOTS / f"diagram-{shape}-only.png"))
    page.set_viewport_size(PHONE)
    page.locator(".diagram").scroll_into_view_if_needed()
    screenshot(page, f"diagram-{shape}-phone")


def test_an_edge_and_its_label_light_up_on_focus_and_hover(page):
    open_exercise(page, "template=seed-2-2-2&seed=11")
    edge = page.get_by_role("img", name=re.compile(r"^w5 = .* \(h1 → ŷ1\)$"))
    glow = "el => getComputedStyle(el.querySelector('.edge-glow')).stroke"
    quiet = edge.evaluate(glow)
    edge.focus()
    lit = edge.evaluate(glow)
    assert lit != quiet and lit != "none" and "0, 0, 0, 0" not in lit
    page.keyboard.press("Tab")  # the focus moves on to the next edge: w5 goes quiet again
    assert edge.evaluate(glow) == quiet
    other = page.get_by_role("img", name=re.compile(r"^w7 = "))
    other.locator(".edge-label span").hover()
    assert other.evaluate(glow) == lit


def test_a_dense_network_is_drawn_without_labels_and_lists_its_weights(page, screenshot):
    spec = {"layers": [6, 6, 6, 6, 6], "inputs": [0.1] * 6, "targets": [0.5] * 6,
            "learning_rate": 0.1,
            "weights": [[[round(0.01 * (j - k) + 0.001 * l, 3) for k in range(6)] for j in range(6)]
                        for l in range(4)]}
    page.goto(page.base + "/trace")
    page.fill("textarea[name=spec]", json.dumps(spec))
    page.get_by_role("button", name="Trace it").click()
    assert page.locator(".diagram svg").count() == 1
    assert page.locator(".diagram .edge-label").count() == 0
    table = page.locator(".diagram-table")
    assert table.get_attribute("open") is not None
    rows = table.locator("tbody tr")
    assert rows.count() == 4 * 36 + 4 * 6
    # Matrix names are MathML, never raw LaTeX-ish text such as "w⁽⁴⁾_{1,1}".
    assert "_{" not in table.inner_text()
    assert rows.first.locator("math").count() == 1
    screenshot(page, "diagram-6-6-6-6-6-desktop")
