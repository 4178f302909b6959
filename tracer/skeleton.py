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
import operator
import re
import string
import threading

import numpy as np

from tracer import activations
from tracer.engine import Step
from tracer.latex import nums
from tracer.render import substituted_column
from tracer.rows import numeric_rows
from tracer.spec import Network
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
    format template, see ``_template``) or, where there is none, ``heads`` (each row's CSV
    cells up to and including its formula, then a comma)."""

    __slots__ = ("fill", "heads", "keys", "text", "values")

    def __init__(self, rows, nodes: bool):
        self.text = self.fill = self.values = None
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
        found.text, found.fill, found.values = _template(trace, rows, found.heads)
        if found.text is not None:
            found.heads = None  # the template holds them
        with _LOCK:
            if sum(len(kept.keys[0]) for kept in _KEPT.values() if kept is not _TOO_LONG) + len(rows) > MAX_KEPT_ROWS:
                _KEPT.clear()
            _KEPT[key] = found
    return found


def lines(skeleton: Skeleton, trace, values, prefix: str = "") -> str:
    """The CSV lines of ``trace`` (of ``skeleton``'s structure), each starting with ``prefix``,
    with ``values`` in the value column (a stored trace's, one per row; None: the trace's own):
    the same bytes as ``trace.csv_text`` of its rows, with only the substituted column rendered."""
    if skeleton.fill is not None:
        numbers = _gathered(trace._net, trace._steps)
        if values is None:
            values = own_values(skeleton, trace, numbers)
        return _fill(skeleton.fill, numbers, values, prefix)
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
        return skeleton.values(numbers if numbers is not None else _gathered(trace._net, trace._steps))
    return [row[8] for row in numeric_rows(trace._net, trace._steps)]


# The substituted column as a template ----------------------------------------------------------
# Every number in a substituted cell is ``num`` or ``factor`` (latex.py) of one number the
# builders read: a spec number (learning rate, slope, λ, keep probabilities, optimizer
# constants), an input, target or mask, or an entry of a Step's arrays; the text around the
# numbers depends only on the structure. ``_numbers`` lists those numbers in a fixed order;
# rendering a trace whose numbers are replaced by distinct probes 100000 + i (six digits,
# positive) and again by their negatives shows, for each probe in each cell, its index and
# whether it was written as num ("-100007") or factor ("(-100007)"). The cells then become one
# str.format template: ``{0[i]}`` num, ``{1[i]}`` factor, ``{2[r]}`` row r's value, ``{3}``
# the line prefix. Before it is used the template must give back, byte for byte, the probe
# renderings and the real trace's own substituted column; otherwise the structure keeps the
# row-by-row path.

PROBE = 100_000
MAX_NUMBERS = 800_000
_NET_NUMBERS = ("inputs", "targets", "masks", "keep", "learning_rate", "slope", "weight_decay")
_STEP_NUMBERS = tuple(name for name in Step.__slots__)
_NET_GATHERED = tuple(name for name in Network.__slots__ if name in _NET_NUMBERS or name == "optimizer")


def _walk(value, out: list, probe=None):
    """Append ``value``'s numbers (arrays flattened, in order) to ``out``; with ``probe``
    (an iterator of probe values), return a copy of ``value`` holding probes instead."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.ndarray):
        out.append(value.ravel())
        if probe is None:
            return None
        return np.fromiter(itertools.islice(probe, value.size), np.float64, value.size).reshape(value.shape)
    if isinstance(value, (int, float, np.floating)):
        out.append(np.array([value], dtype=np.float64))
        return None if probe is None else float(next(probe))
    if isinstance(value, (list, tuple)):
        copied = [_walk(item, out, probe) for item in value]
        return None if probe is None else type(value)(copied)
    if isinstance(value, dict):
        copied = {key: _walk(item, out, probe) for key, item in value.items()}
        return None if probe is None else copied
    raise TypeError(f"unexpected {type(value).__name__} in a trace")


def _numbers(net, steps, probe=None):
    """The numbers the builders read, as one float64 array; with ``probe``, also a copy of
    (net, steps) whose numbers are the probes."""
    out: list = []
    copy = Network.__new__(Network) if probe is not None else None
    for name in Network.__slots__:
        value = getattr(net, name)
        if name == "weight_decay" and not value:  # its absence is structural: keep the 0
            _walk(value, out)
            if probe is not None:
                next(probe)  # its index stays taken, as in the real numbers
        elif name in _NET_NUMBERS or name == "optimizer":
            if name == "optimizer":
                numbers = {k: v for k, v in value.items() if k != "name"}
                walked = _walk(numbers, out, probe)
                value = None if probe is None else {"name": value["name"], **walked}
            else:
                value = _walk(value, out, probe)
        if copy is not None:
            setattr(copy, name, value)
    copies = []
    for step in steps:
        fake = Step() if probe is not None else None
        for name in _STEP_NUMBERS:
            walked = _walk(getattr(step, name), out, probe)
            if fake is not None:
                setattr(fake, name, walked)
        copies.append(fake)
    numbers = np.concatenate(out) if out else np.zeros(0)
    return numbers, (copy, copies)


_PROBE = re.compile(r"\d{6}")


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _cell_template(up: str, down: str) -> str | None:
    """A cell's template from its renderings with positive probes (``up``: every number
    plain) and negative ones (``down``: a factor "(-100007)", a num "-100007")."""
    pieces, at, at_down = [], 0, 0
    for found in _PROBE.finditer(up):
        literal = up[at:found.start()]
        if down[at_down:at_down + len(literal)] != literal:
            return None
        at_down += len(literal)
        digits = found.group()
        if down.startswith(f"(-{digits})", at_down):
            slot, at_down = "1", at_down + len(digits) + 3
        elif down.startswith(f"-{digits}", at_down):
            slot, at_down = "0", at_down + len(digits) + 1
        else:
            return None
        pieces += [_escape(literal), f"{{{slot}[{int(digits) - PROBE}]}}"]
        at = found.end()
    if up[at:] != down[at_down:]:
        return None
    pieces.append(_escape(up[at:]))
    return "".join(pieces)


def _template(trace, rows, heads) -> tuple:
    """The whole CSV text of the structure's traces as one format template, its compiled form
    (``_compile``) and the value column's picker (``_value_picker``), or (None, None, None)."""
    numbers, _ = _numbers(trace._net, trace._steps)
    count = len(numbers)
    if count > MAX_NUMBERS:
        return None, None, None
    _, (plus_net, plus_steps) = _numbers(trace._net, trace._steps,
                                         iter(range(PROBE, PROBE + count)))
    _, (minus_net, minus_steps) = _numbers(trace._net, trace._steps,
                                           iter(range(-PROBE, -PROBE - count, -1)))
    try:
        plus = substituted_column(plus_net, plus_steps)
        minus = substituted_column(minus_net, minus_steps)
    except Exception:  # noqa: BLE001 (a builder that does arithmetic on its numbers: no template)
        return None, None, None
    parts = []
    for r, (head, up, down) in enumerate(zip(heads, plus, minus)):
        text = _cell_template(up, down)
        if text is None:
            return None, None, None
        if "," in text or '"' in text or "\n" in text or "\r" in text:
            text = '"' + text.replace('"', '""') + '"'
        parts.append("{3}" + _escape(head) + text + f",{{2[{r}]}}\r\n")
    template = "".join(parts)
    compiled = _compile(template, count, len(rows))
    real = [row[10] for row in rows]
    for column, values in ((plus, np.arange(PROBE, PROBE + count, dtype=np.float64)),
                           (minus, np.arange(-PROBE, -PROBE - count, -1, dtype=np.float64)),
                           (real, numbers)):
        if _fill(compiled, values.tolist(), [row[11] for row in rows], "") != "".join(
                _line(head, cell, row[11]) for head, cell, row in zip(heads, column, rows)):
            return None, None, None
    return template, compiled, _value_picker((plus_net, plus_steps), (minus_net, minus_steps), numbers, rows)


def _value_picker(plus, minus, numbers, rows):
    """An ``itemgetter`` taking each row's value from the gathered numbers, when the probe
    renderings show every row's value is one of them as it is (row r reads number k_r: its value is
    probe k_r in both renderings), checked on the real trace too; else None."""
    try:
        up = [row[8] for row in numeric_rows(*plus)]
        down = [row[8] for row in numeric_rows(*minus)]
    except Exception:  # noqa: BLE001 (a reader that does arithmetic on its numbers: no picker)
        return None
    picks = [int(value) - PROBE for value in up]
    if len(up) != len(rows) or len(down) != len(rows) or not all(
            0 <= k < len(numbers) and value == PROBE + k and low == -(PROBE + k)
            for k, value, low in zip(picks, up, down)):
        return None
    real = numbers.tolist()
    if [str(real[k]) for k in picks] != [str(row[11]) for row in rows]:
        return None
    if len(picks) == 1:
        return lambda gathered: [gathered[picks[0]]]
    return operator.itemgetter(*picks)


def _compile(template: str, count: int, rows: int) -> tuple:
    """The template as its literal texts and one ``itemgetter`` that picks, from the list
    ``numbers' texts + their factors + the rows' values + [prefix]``, the text of each of its
    fields in order: filling it is then one C call and one join (``str.format`` parses the
    template again on every call, which cost more than the numbers)."""
    offsets = {"0": 0, "1": count, "2": 2 * count}
    literals, picks, text = [], [], ""
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        text += literal  # an escaped brace ends a literal piece early: join the pieces
        if field is None:
            continue
        literals.append(text)
        text = ""
        picks.append(2 * count + rows if field == "3" else offsets[field[0]] + int(field[2:-1]))
    literals.append(text)
    base: list = [None] * (2 * len(picks) + 1)
    base[0::2] = literals
    return base, operator.itemgetter(*picks) if len(picks) > 1 else (lambda pool: (pool[picks[0]],))


def _line(head, cell, value):
    quoted = _cell(cell) if "," in cell or _QUOTE in cell or _NL in cell or _CR in cell else cell
    return f"{head}{quoted},{value}\r\n"


def _gathered(net, steps) -> list:
    """The numbers of ``_numbers`` as a list of floats, read faster (no copy, no probes)."""
    out: list = []
    for name in _NET_GATHERED:
        value = getattr(net, name)
        if name == "optimizer":
            out += [v for k, v in value.items() if k != "name"]
        else:
            _gather(value, out)
    for step in steps:
        for name in _STEP_NUMBERS:
            _gather(getattr(step, name), out)
    return out


def _gather(value, out: list) -> None:
    kind = type(value)
    if kind is np.ndarray:
        out += value.ravel().tolist()
    elif kind is list or kind is tuple:
        for item in value:
            _gather(item, out)
    elif kind is dict:
        for item in value.values():
            _gather(item, out)
    elif value is not None and kind is not bool and kind is not str:
        out.append(float(value))


def _fill(compiled: tuple, numbers: list, values, prefix: str) -> str:
    base, pick = compiled
    texts = nums(numbers)
    factors = [f"({text})" if text[0] == "-" or "\\times" in text else text for text in texts]
    out = base.copy()
    out[1::2] = pick(texts + factors + list(map(str, values)) + [prefix])
    return "".join(out)
