"""Paper exams in Chromium: a 20-variant set printed to PDF is exactly 20 sheets on A4 and on
Letter (one variant a sheet), no variant is taller than its sheet (so no answer row crosses a
page), and the answer key prints separately as a table per variant. Screenshots and the PDFs
go to test-artifacts/."""
from __future__ import annotations

import re
from pathlib import Path

from .conftest import build_set, make_user
from .test_browser import new_page, shoot

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MM = 96 / 25.4   # CSS pixels in a millimetre
SHEET = {"a4": (297 - 24) * MM, "letter": (279.4 - 24) * MM}   # content height, 12 mm margins


def pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF, counted from its page objects (``/Type /Page``, not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _login(page):
    page.goto(page.base + "/login")
    page.fill("#email", "teacher@example.com")
    page.fill("#password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/instructor/**")


def test_twenty_variants_print_on_twenty_sheets_and_the_key_apart(app, browser, live_server):
    owner = make_user(app, "teacher@example.com", name="Ada Teacher")
    set_id = build_set(app, owner, items=(("softmax-3-4-3", {}),), pool_size=20)
    page = new_page(browser, live_server)
    page.set_default_timeout(180_000)   # 20 sheets rendered on a shared, busy machine
    _login(page)
    ARTIFACTS.mkdir(exist_ok=True)
    for paper, size in (("a4", "A4"), ("letter", "Letter")):
        page.goto(f"{live_server}/instructor/sets/{set_id}/print?variants=pool&paper={paper}")
        assert page.locator("article.print-page").count() == 20
        page.emulate_media(media="print")
        heights = page.eval_on_selector_all(
            "article.print-page", "pages => pages.map(p => p.getBoundingClientRect().height)")
        rows = page.eval_on_selector_all(
            "article.print-page", """pages => pages.map(p => {
                const top = p.getBoundingClientRect().top;
                return Math.max(...[...p.querySelectorAll('.answer-box')]
                                .map(b => b.getBoundingClientRect().bottom - top));
            })""")
        # every variant fits its sheet, so none of its answer rows can cross a page
        assert max(heights) <= SHEET[paper], (paper, max(heights), SHEET[paper])
        assert all(0 < bottom <= height + 0.5 for bottom, height in zip(rows, heights))
        if paper == "a4":
            shoot(page, "print-a4")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (ARTIFACTS / f"print-{paper}.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 20, (paper, pdf_pages(pdf))
        page.emulate_media(media="screen")
    page.goto(f"{live_server}/instructor/sets/{set_id}/print?variants=pool&part=key")
    assert page.locator("article.print-page").count() == 0   # the key alone
    assert page.locator("table.key-table").count() == 20
    first = page.locator("#key-1 tbody tr").all_inner_texts()
    assert len(first) == len(page.locator("#key-1 tbody tr").all()) > 10
    page.emulate_media(media="print")
    shoot(page, "print-key")
    key = page.pdf(prefer_css_page_size=True)
    (ARTIFACTS / "print-key.pdf").write_bytes(key)
    assert 1 <= pdf_pages(key) < 20   # compact: several variants a sheet
