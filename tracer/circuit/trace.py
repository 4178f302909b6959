"""The :class:`CircuitTrace`: every value and gradient of a circuit as rows (SPEC §10), CSV, JSON
or one value.

Rows carry the SPEC §4 columns (``layer``, ``unit``, ``source`` empty, ``sample`` and
``iteration`` 1) and two more, ``node`` and ``arg``: ``input`` — each leaf's ``value``;
``forward`` — each node's ``value``; ``backward`` — the output's ``grad`` (1), then for each
node in reverse order and each of its args in order the ``local_grad`` (node, arg) and the
arg's ``grad`` so far (node = the arg).
"""

import csv

from tracer.circuit.engine import run
from tracer.circuit.spec import compile_circuit
from tracer.latex import factor, num, total
from tracer.trace import TraceForms

COLUMNS = ("step", "iteration", "sample", "phase", "layer", "unit", "source", "node", "arg",
           "quantity", "symbol", "formula", "substituted", "value")
QUANTITIES = ("value", "grad", "local_grad")


def tex(name: str) -> str:
    """A name as LaTeX: one letter as is, a letter and digits subscripted (w0 → w_{0}), longer
    names upright with escaped underscores."""
    head, tail = name[0], name[1:]
    if not tail:
        return name
    if tail.isdigit():
        return f"{head}_{{{tail}}}"
    if tail[0] == "_" and tail[1:].isalnum():
        return f"{head}_{{{tail[1:]}}}"
    return "\\mathrm{" + name.replace("_", "\\_") + "}"


def partial(top: str, bottom: str) -> str:
    """∂top/∂bottom as a LaTeX fraction."""
    return f"\\frac{{\\partial {tex(top)}}}{{\\partial {tex(bottom)}}}"


def row_count(spec: dict) -> int:
    """The number of rows of a normalized circuit spec's trace, computed from its structure."""
    graph = spec["graph"]
    return len(graph["leaves"]) + len(graph["nodes"]) + 1 + 2 * sum(len(n["args"]) for n in graph["nodes"])


class CircuitTrace(TraceForms):
    """The trace of one circuit: numbers computed on construction, formulas on reading."""

    columns = COLUMNS

    def __init__(self, circuit):
        self._circuit, self._run, self._spec = circuit, run(circuit), None

    @property
    def spec(self) -> dict:
        """The normalized spec (``output`` filled in, leaf values as floats)."""
        if self._spec is None:
            self._spec = self._circuit.spec()
        return self._spec

    def __len__(self):
        return row_count(self.spec)

    def _entries(self):
        """``(phase, node, arg, quantity, symbol, formula, substituted, value)`` in row order."""
        c, r = self._circuit, self._run
        values, out = r.values, c.output
        for name, value in c.leaves.items():
            yield "input", name, None, "value", name, tex(name), num(value), value
        for index, node in enumerate(c.nodes):
            args = [values[a] for a in node.args]
            yield ("forward", node.name, None, "value", node.name,
                   node.op.tex([tex(a) for a in node.args], node.exponent),
                   node.op.tex([factor(v) for v in args], node.exponent), values[node.name])
        yield "backward", out, None, "grad", f"∂{out}/∂{out}", "1", "1", 1.0
        uses = {}
        for index, i, local, grad in r.backward:
            node = c.nodes[index]
            arg = node.args[i]
            args = [values[a] for a in node.args]
            yield ("backward", node.name, arg, "local_grad", f"∂{node.name}/∂{arg}",
                   node.op.local_tex([tex(a) for a in node.args], i, tex(node.name), node.exponent),
                   node.op.local_tex([factor(v) for v in args], i, factor(values[node.name]), node.exponent), local)
            used = uses.setdefault(arg, [])
            used.append((node.name, r.grads[node.name], local))
            yield ("backward", arg, None, "grad", f"∂{out}/∂{arg}",
                   total(len(used), lambda k: f"{partial(out, used[k][0])} \\cdot {partial(used[k][0], arg)}"),
                   total(len(used), lambda k: f"{factor(used[k][1])} \\cdot {factor(used[k][2])}"), grad)

    def rows(self):
        """Yield every row as a dict with ``COLUMNS`` (empty columns are None)."""
        for step, (phase, node, arg, quantity, symbol, formula, substituted, value) in enumerate(self._entries(), 1):
            yield {"step": step, "iteration": 1, "sample": 1, "phase": phase, "layer": None, "unit": None,
                   "source": None, "node": node, "arg": arg, "quantity": quantity, "symbol": symbol,
                   "formula": formula, "substituted": substituted, "value": value}

    def numeric_rows(self):
        """Yield ``(step, iteration, sample, phase, layer, unit, source, quantity, value)`` tuples,
        the shape a network's numeric rows have (node and arg follow from the spec)."""
        for row in self.rows():
            yield row["step"], 1, 1, row["phase"], None, None, None, row["quantity"], row["value"]

    def value(self, quantity: str, layer=None, unit=None, source=None, sample=None, iteration: int = 1,
              *, node: str | None = None, arg: str | None = None) -> float:
        """One value: ``value``/``grad`` of ``node`` (the gradient after all accumulation) or
        ``local_grad`` of ``node`` with respect to ``arg``; raise KeyError when there is none."""
        if (layer, unit, source) != (None, None, None) or sample not in (None, 1) or iteration != 1:
            raise KeyError("a circuit has one sample and one iteration and no layer, unit or source: give node=")
        r, c = self._run, self._circuit
        if quantity in ("value", "grad") and arg is None and node in r.values:
            return (r.values if quantity == "value" else r.grads)[node]
        if quantity == "local_grad" and node is not None:
            for index, item in enumerate(c.nodes):
                if item.name == node and arg in item.args:
                    return r.locals[index][item.args.index(arg)]
        raise KeyError(f"the circuit has no {quantity!r} for node={node!r}, arg={arg!r}")

    def _write_csv_rows(self, file) -> None:
        """The CSV form's rows (RFC 4180, header row, ``COLUMNS``)."""
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in self.rows():
            writer.writerow([row[column] for column in COLUMNS])


def trace_circuit(spec: dict) -> CircuitTrace:
    """Validate a circuit spec (SPEC §10) and trace it; raise SpecError when it is malformed."""
    return CircuitTrace(compile_circuit(spec))
