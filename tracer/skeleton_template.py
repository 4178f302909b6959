"""The substituted column of a structure as one template (``tracer.skeleton``, issue 18).

Every number in a substituted cell is ``num`` or ``factor`` (latex.py) of one number the
builders read: a spec number (learning rate, slope, λ, keep probabilities, optimizer
constants), an input, target or mask, or an entry of a Step's arrays; the text around the
numbers depends only on the structure. ``_numbers`` lists those numbers in a fixed order;
rendering a trace whose numbers are replaced by distinct probes 100000 + i (six digits,
positive) and again by their negatives shows, for each probe in each cell, its index and
whether it was written as num ("-100007") or factor ("(-100007)"). The cells then become one
str.format template: ``{0[i]}`` num, ``{1[i]}`` factor, ``{2[r]}`` row r's value, ``{3}``
the line prefix. Before it is used the template must give back, byte for byte, the probe
renderings and the real trace's own substituted column; otherwise the structure keeps the
row-by-row path.

The value column is learned the same way (``value_picker``), and the template is compiled into
literal pieces and one ``itemgetter`` (``compile_template``); ``fill`` renders a trace with it.
"""

import itertools
import operator
import re
import string

import numpy as np

from tracer.engine import Step
from tracer.latex import nums
from tracer.render import substituted_column
from tracer.rows import numeric_rows
from tracer.spec import Network
from tracer.trace import _cell

_QUOTE, _NL, _CR = '"', "\n", "\r"

PROBE = 100_000
MAX_NUMBERS = 800_000
_NET_NUMBERS = ("inputs", "targets", "masks", "keep", "learning_rate", "slope", "weight_decay")
_STEP_NUMBERS = tuple(name for name in Step.__slots__)
_NET_GATHERED = tuple(name for name in Network.__slots__ if name in _NET_NUMBERS or name == "optimizer")


def _walk(value, out: list, probe=None):
    """Append ``value``'s numbers to ``out`` in order, as arrays (each array itself, a number as
    an array of one); with ``probe`` (an iterator of probe values), return a copy of ``value``
    holding probes instead."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.ndarray):
        out.append(value)
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
    numbers = np.concatenate([array.ravel() for array in out]) if out else np.zeros(0)
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


def build(trace, rows, heads) -> tuple:
    """The whole CSV text of the structure's traces as one format template, its compiled form
    (``compile_template``) and which number each row's value is (``row_picks``, or None), or
    (None, None, None)."""
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
    compiled = compile_template(template, len(rows))
    real = [row[10] for row in rows]
    for column, values in ((plus, np.arange(PROBE, PROBE + count, dtype=np.float64)),
                           (minus, np.arange(-PROBE, -PROBE - count, -1, dtype=np.float64)),
                           (real, numbers)):
        if fill(compiled, values.tolist(), [row[11] for row in rows], "") != "".join(
                _line(head, cell, row[11]) for head, cell, row in zip(heads, column, rows)):
            return None, None, None
    picks = row_picks((plus_net, plus_steps), (minus_net, minus_steps), numbers, rows)
    return template, compiled, picks


def value_picker(picks: list[int] | None):
    """An ``itemgetter`` taking each row's value from the gathered numbers (``row_picks``), or None."""
    if picks is None:
        return None
    if len(picks) == 1:
        return lambda gathered: [gathered[picks[0]]]
    return operator.itemgetter(*picks)


def row_picks(plus, minus, numbers, rows) -> list[int] | None:
    """Which gathered number each row's value is (row r reads number k_r), when the probe
    renderings show every row's value is one of them as it is (its value is probe k_r in both
    renderings), checked on the real trace too; else None."""
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
    return picks


def compile_template(template: str, rows: int) -> tuple:
    """The template as its literal texts and one ``itemgetter`` that picks, from the list
    ``shown numbers' texts + the factors among them + the rows' values + [prefix]``, the text
    of each of its fields in order: filling it is then one C call and one join (``str.format``
    parses the template again on every call, which cost more than the numbers). Only the
    numbers the template shows are formatted (a quarter of a trace's are in none of its
    formulas), and only those it shows as factors are made factors: with the literals and that
    getter come getters of those numbers and of those factors."""
    fields = [(literal, field) for literal, field, _spec, _conversion in string.Formatter().parse(template)]
    shown = sorted({int(field[2:-1]) for _literal, field in fields if field and field[0] in "01"})
    factored = sorted({int(field[2:-1]) for _literal, field in fields if field and field[0] == "1"})
    at = {number: n for n, number in enumerate(shown)}
    factor_at = {number: len(shown) + n for n, number in enumerate(factored)}
    values_at = len(shown) + len(factored)
    literals, picks, text = [], [], ""
    for literal, field in fields:
        text += literal  # an escaped brace ends a literal piece early: join the pieces
        if field is None:
            continue
        literals.append(text)
        text = ""
        kind = field[0]
        picks.append(values_at + rows if field == "3" else at[int(field[2:-1])] if kind == "0"
                     else factor_at[int(field[2:-1])] if kind == "1" else values_at + int(field[2:-1]))
    literals.append(text)
    base: list = [None] * (2 * len(picks) + 1)
    base[0::2] = literals
    return base, _getter(picks), _getter(shown), _getter([at[number] for number in factored])


def _getter(indices: list[int]):
    """An ``itemgetter`` of ``indices`` that always gives a sequence (for one index, or none)."""
    if len(indices) > 1:
        return operator.itemgetter(*indices)
    if indices:
        only = indices[0]
        return lambda pool: (pool[only],)
    return lambda pool: ()


def _line(head, cell, value):
    quoted = _cell(cell) if "," in cell or _QUOTE in cell or _NL in cell or _CR in cell else cell
    return f"{head}{quoted},{value}\r\n"


def gathered(net, steps) -> list:
    """The numbers of ``_numbers`` as a list of floats, read faster (no copy, no probes)."""
    out = gathered_net(net)
    for step in steps:
        for name in _STEP_NUMBERS:
            _gather(getattr(step, name), out)
    return out


def gathered_net(net) -> list:
    """The network's part of ``gathered``: its numbers before any step's."""
    out: list = []
    for name in _NET_GATHERED:
        value = getattr(net, name)
        if name == "optimizer":
            out += [v for k, v in value.items() if k != "name"]
        else:
            _gather(value, out)
    return out


def _gather(value, out: list) -> None:
    """Append ``value``'s numbers to ``out`` (arrays flattened; None, bools and text skipped)."""
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


def fill(compiled: tuple, numbers: list, values, prefix: str) -> str:
    """A trace's CSV lines from a compiled template: its gathered ``numbers`` as nums and
    factors, ``values`` in the value column, each line led by ``prefix``."""
    base, pick, take, factor_of = compiled
    texts = nums(take(numbers))
    factors = [f"({text})" if text[0] == "-" or "\\times" in text else text for text in factor_of(texts)]
    out = base.copy()
    out[1::2] = pick(texts + factors + list(map(str, values)) + [prefix])
    return "".join(out)
