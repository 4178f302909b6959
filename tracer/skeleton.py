"""The columns every trace of one network structure shares, rendered once (issue 18).

A structure is everything but the numbers: layers, activations, loss, bias mode, optimizer,
reduction, iterations, naming, δ convention, whether there is weight decay or dropout, and the
batch size. Every trace of a structure has the same rows in the same order, with the same
``step`` … ``quantity`` cells and the same ``symbol`` and ``formula`` (formulas are written in
symbols: η, λ, p, α, never the numbers). Only ``substituted`` and ``value`` differ. So the CSV
text of a row's leading cells up to its formula (its *head*) is rendered once per structure
and kept, and a trace adds its own substituted and value cells (``lines``).

Only traces of at most ``MAX_ROWS`` rows get a skeleton, and the kept skeletons hold at most
``MAX_KEPT_ROWS`` rows together, so memory stays small whatever is exported; a larger trace is
written row by row by ``trace.csv_text``.
"""

import itertools
import threading

from tracer import activations, skeleton_stored
from tracer import skeleton_template as templates
from tracer.render import substituted_column
from tracer.rows import numeric_rows
from tracer.trace import _CELLS, _cell

MAX_ROWS = 5_000  # rows of a structure whose skeleton is kept
MAX_KEPT_ROWS = 100_000  # rows of all kept skeletons together (a few MiB at most)
_QUOTE, _NL, _CR = '"', "\n", "\r"


def structure(net) -> tuple:
    """What a trace's symbols, formulas and row order depend on (see the module docstring)."""
    return (net.sizes, tuple(net.activations), net.loss, net.bias, net.update_biases,
            net.optimizer["name"], net.reduction, net.iterations, net.naming,
            net.delta_convention, bool(net.weight_decay), net.keep is not None, len(net.inputs))


class Skeleton:
    """The shared columns of a structure: ``keys`` (the step, layer, unit, source and quantity
    columns as tuples, to check stored rows against), ``text`` (the whole CSV text as one
    format template, see ``skeleton_template``) or, where there is none, ``heads`` (each row's CSV
    cells up to and including its formula, then a comma)."""

    __slots__ = ("fill", "heads", "keys", "stored", "text", "values")

    def __init__(self, rows, nodes: bool):
        self.text = self.fill = self.values = self.stored = None
        after, cells = ",,," if nodes else ",", _CELLS
        self.heads = [
            f"{step},{t},{'' if sample is None else sample},{phase},{'' if layer is None else layer},"
            f"{'' if unit is None else unit},{'' if source is None else source}{after}{quantity},"
            f"{cells[symbol]},{cells[formula]},"
            for step, t, sample, phase, layer, unit, source, quantity, symbol, formula, _s, _v in rows]
        columns = list(zip(*rows)) if rows else [()] * 12
        self.keys = (columns[0], columns[4], columns[5], columns[6], columns[7])


_KEPT: dict = {}
_TOO_LONG = object()  # a structure known to have more than MAX_ROWS rows
_LOCK = threading.Lock()


def _forget() -> None:
    with _LOCK:
        _KEPT.clear()


activations.ON_CHANGE.append(_forget)  # a registry change may change symbols and formulas


def of(trace, nodes: bool = False) -> Skeleton | None:
    """The skeleton of ``trace``'s structure (rendered from ``trace`` the first time), or None
    for a trace of more than ``MAX_ROWS`` rows."""
    key = (structure(trace._net), nodes)
    found = _KEPT.get(key)
    if found is _TOO_LONG:
        return None
    if found is None:
        rows = list(itertools.islice(trace.row_tuples(), MAX_ROWS + 1))
        if len(rows) > MAX_ROWS:
            with _LOCK:
                _KEPT[key] = _TOO_LONG  # not rendered again to learn it
            return None
        found = Skeleton(rows, nodes)
        found.text, found.fill, picks = templates.build(trace, rows, found.heads)
        found.values = templates.value_picker(picks)
        found.stored = _stored_plan(found, trace, picks, [row[11] for row in rows])
        if found.text is not None:
            found.heads = None  # the template holds them
        with _LOCK:
            if sum(len(kept.keys[0]) for kept in _KEPT.values() if kept is not _TOO_LONG) + len(rows) > MAX_KEPT_ROWS:
                _KEPT.clear()
            _KEPT[key] = found
    return found


def _stored_plan(found: Skeleton, trace, picks, values) -> tuple | None:
    """The structure's ``skeleton_stored.plan``, kept only if it writes ``trace`` (with its own
    ``values``) exactly as its numbers do."""
    if found.fill is None:
        return None
    made = skeleton_stored.plan(found.text, trace, picks)
    if made is None:
        return None
    read = skeleton_stored.numbers(made, trace._net, values)
    own = templates.gathered(trace._net, trace._steps)
    if read is None or templates.fill(found.fill, read, values, "") != templates.fill(found.fill, own, values, ""):
        return None
    return made


def known(net, nodes: bool = False) -> Skeleton | None:
    """The kept skeleton of ``net``'s structure, if one is kept (nothing is rendered)."""
    found = _KEPT.get((structure(net), nodes))
    return None if found is _TOO_LONG else found


def stored_lines(skeleton: Skeleton, net, values, prefix: str = "") -> str | None:
    """The CSV lines of a stored trace of ``skeleton``'s structure from its compiled ``net``
    and stored ``values`` alone (``skeleton_stored``: no engine run), or None where the
    structure has no plan for it."""
    if skeleton.stored is None:
        return None
    numbers = skeleton_stored.numbers(skeleton.stored, net, values)
    return None if numbers is None else templates.fill(skeleton.fill, numbers, values, prefix)


def lines(skeleton: Skeleton, trace, values, prefix: str = "") -> str:
    """The CSV lines of ``trace`` (of ``skeleton``'s structure), each starting with ``prefix``,
    with ``values`` in the value column (a stored trace's, one per row; None: the trace's own):
    the same bytes as ``trace.csv_text`` of its rows, with only the substituted column rendered."""
    if skeleton.fill is not None:
        numbers = templates.gathered(trace._net, trace._steps)
        if values is None:
            values = own_values(skeleton, trace, numbers)
        return templates.fill(skeleton.fill, numbers, values, prefix)
    if values is None:
        values = own_values(skeleton, trace)
    return "".join([
        f"{prefix}{head}{_cell(sub) if ',' in sub or _QUOTE in sub or _NL in sub or _CR in sub else sub},"
        f"{value}\r\n"
        for head, sub, value in zip(skeleton.heads, substituted_column(trace._net, trace._steps), values)])


def own_values(skeleton: Skeleton, trace, numbers: list | None = None):
    """The value column of ``trace`` itself: picked from its gathered numbers where the
    structure's rows are known to read them one to one (``Skeleton.values``), else read row by row."""
    if skeleton.values is not None:
        return skeleton.values(numbers if numbers is not None else templates.gathered(trace._net, trace._steps))
    return [row[8] for row in numeric_rows(trace._net, trace._steps)]
