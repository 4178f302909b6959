"""One page of a gradebook as the instructor asked for it: searched, filtered, sorted, paged,
with a summary of the students it selects.

The whole class's rows are computed (the totals are what sorting needs), then only one page of
them is rendered. A student's progress: *not started* (no score on any exercise), *complete*
(a score that counts on every exercise: a graded attempt or one set by hand), *in progress*
(anything between). Retired exercises count for neither.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from exercises.instructor.gradebook import Gradebook, Row

PER_PAGE = 100
FILTERS = ("all", "not_started", "in_progress", "complete", "extension")
SORTS = ("name", "email", "total")  # and "item-N" for exercise N (1-based)


def progress(row: Row) -> str:
    """``not_started``, ``in_progress`` or ``complete`` (see the module docstring)."""
    counting = [cell for cell in row.cells if not cell.retired]
    scored = sum(cell.score is not None for cell in counting)
    if scored == 0:
        return "not_started"
    return "complete" if scored == len(counting) else "in_progress"


def _selected(row: Row, wanted: str) -> bool:
    if wanted == "all":
        return True
    if wanted == "extension":
        return row.enrollment.due_at is not None
    return progress(row) == wanted


def _sort_key(sort: str, n_items: int):
    """A key function for ``sort``, or None when ``sort`` names no column."""
    if sort == "name":
        return lambda row: (row.user.name.casefold(), row.user.email.casefold())
    if sort == "email":
        return lambda row: row.user.email.casefold()
    if sort == "total":
        return lambda row: (row.total, row.user.name.casefold())
    if sort.startswith("item-") and sort[5:].isdigit() and 1 <= int(sort[5:]) <= n_items:
        index = int(sort[5:]) - 1
        # no score sorts below any score
        return lambda row: (row.cells[index].score is not None, row.cells[index].score or 0.0,
                            row.user.name.casefold())
    return None


@dataclass
class Summary:
    """The students a page's query selects, summed up."""

    students: int
    mean: float | None
    median: float | None
    complete: int
    item_means: list[float | None]

    @property
    def completion(self) -> float | None:
        """The share of the selected students who have a score on every exercise."""
        return self.complete / self.students if self.students else None


@dataclass
class Page:
    """One page of rows, the query that chose them and the summary of all it selects."""

    rows: list[Row]
    number: int
    pages: int
    matched: int
    summary: Summary
    query: str
    filter: str
    sort: str
    descending: bool


def summarise(rows: list[Row], n_items: int) -> Summary:
    """Mean and median total, completion and each exercise's mean score (of those with one)."""
    totals = [row.total for row in rows]
    item_means = []
    for index in range(n_items):
        scores = [row.cells[index].score for row in rows if row.cells[index].score is not None]
        item_means.append(statistics.fmean(scores) if scores else None)
    return Summary(len(rows), statistics.fmean(totals) if totals else None,
                   statistics.median(totals) if totals else None,
                   sum(progress(row) == "complete" for row in rows), item_means)


def page(book: Gradebook, query: str = "", wanted: str = "all", sort: str = "name",
         descending: bool = False, number: int = 1) -> Page:
    """The rows of page ``number`` of the students whose name or email contains ``query``
    (case ignored) and who match filter ``wanted``, sorted by ``sort``. Unknown filters and
    sorts fall back to all students by name; page numbers are clamped to the pages there are."""
    wanted = wanted if wanted in FILTERS else "all"
    key = _sort_key(sort, len(book.items))
    if key is None:
        sort, key = "name", _sort_key("name", len(book.items))
    needle = query.strip().casefold()
    rows = [row for row in book.rows
            if _selected(row, wanted) and (not needle or needle in row.user.name.casefold()
                                           or needle in row.user.email.casefold())]
    rows.sort(key=key, reverse=descending)
    pages = max(1, -(-len(rows) // PER_PAGE))
    number = min(max(number, 1), pages)
    shown = rows[(number - 1) * PER_PAGE:number * PER_PAGE]
    return Page(shown, number, pages, len(rows), summarise(rows, len(book.items)),
                query.strip(), wanted, sort, descending)
