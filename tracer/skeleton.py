"""The columns every trace of one network structure shares, rendered once (issue 18).

A structure is everything but the numbers: layers, activations, loss, bias mode, optimizer,
reduction, iterations, naming, δ convention, whether there is weight decay or dropout, and the
batch size. Every trace of a structure has the same rows in the same order, with the same
``step`` … ``quantity`` cells and the same ``symbol`` and ``formula`` (formulas are written in
symbols: η, λ, p, α, never the numbers). Only ``substituted`` and ``value`` differ. So the CSV
text of a row's leading cells up to its formula (its *head*) is rendered once per structure
and kept, and a trace adds its own substituted and value cells (``lines``).

Only traces of at most ``MAX_ROWS`` rows are kept (a bounded number of them), so memory stays
small whatever is exported; a larger trace is written row by row by ``trace.csv_text``.
"""

import itertools
import threading

from tracer import activations
from tracer.render import substituted_column
from tracer.trace import _CELLS, _cell

MAX_ROWS = 20_000  # rows of a structure whose heads are kept
MAX_STRUCTURES = 64
_QUOTE, _NL, _CR = '"', "\n", "\r"


def structure(net) -> tuple:
    """What a trace's symbols, formulas and row order depend on (see the module docstring)."""
    return (net.sizes, tuple(net.activations), net.loss, net.bias, net.update_biases,
            net.optimizer["name"], net.reduction, net.iterations, net.naming,
            net.delta_convention, bool(net.weight_decay), net.keep is not None, len(net.inputs))


class Skeleton:
    """The shared columns of a structure: ``heads`` (each row's CSV cells up to and including
    its formula, then a comma) and ``keys`` (the step, layer, unit, source and quantity
    columns as tuples, to check stored rows against)."""

    __slots__ = ("heads", "keys")

    def __init__(self, rows, nodes: bool):
        after, cells = ",,," if nodes else ",", _CELLS
        self.heads = [
            f"{step},{t},{'' if sample is None else sample},{phase},{'' if layer is None else layer},"
            f"{'' if unit is None else unit},{'' if source is None else source}{after}{quantity},"
            f"{cells[symbol]},{cells[formula]},"
            for step, t, sample, phase, layer, unit, source, quantity, symbol, formula, _s, _v in rows]
        columns = list(zip(*rows)) if rows else [()] * 12
        self.keys = (columns[0], columns[4], columns[5], columns[6], columns[7])


_KEPT: dict = {}
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
    if found is None:
        rows = list(itertools.islice(trace.row_tuples(), MAX_ROWS + 1))
        if len(rows) > MAX_ROWS:
            return None
        found = Skeleton(rows, nodes)
        with _LOCK:
            if len(_KEPT) >= MAX_STRUCTURES:
                _KEPT.clear()
            _KEPT[key] = found
    return found


def lines(skeleton: Skeleton, trace, values, prefix: str = "") -> str:
    """The CSV lines of ``trace`` (of ``skeleton``'s structure), each starting with ``prefix``,
    with ``values`` in the value column (a stored trace's, one per row): the same bytes as
    ``trace.csv_text`` of its rows, with only the substituted column rendered."""
    return "".join([
        f"{prefix}{head}{_cell(sub) if ',' in sub or _QUOTE in sub or _NL in sub or _CR in sub else sub},"
        f"{value}\r\n"
        for head, sub, value in zip(skeleton.heads, substituted_column(trace._net, trace._steps), values)])
