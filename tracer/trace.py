"""The :class:`Trace`: every value of a traced training run, read as rows, CSV, JSON or one value."""

import io
import itertools
import json
import os

import numpy as np

from tracer import engine, rows
from tracer.render import rendered_rows
from tracer.spec import compile_spec

COLUMNS = ("step", "iteration", "sample", "phase", "layer", "unit", "source", "quantity",
           "symbol", "formula", "substituted", "value")
ENGINE_VERSION = "1.0.0"
PER_SAMPLE = ("x", "y", "mask", "z", "a", "dL_da", "da_dz", "delta")


class TraceForms:
    """The JSON and CSV forms every trace (network or circuit) writes from its ``spec`` and
    ``rows()``; a trace class supplies ``_write_csv_rows(file)``."""

    def to_dict(self) -> dict:
        """The JSON form: ``{"spec": normalized spec, "engine_version": …, "steps": [rows]}``."""
        return {"spec": self.spec, "engine_version": ENGINE_VERSION, "steps": list(self.rows())}

    def to_json(self) -> str:
        """The JSON form as text (floats written with repr, so they read back bit-identical)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def write_csv(self, file) -> None:
        """Write the CSV form (RFC 4180, header row) to a text file object or a path."""
        if isinstance(file, (str, os.PathLike)):
            with open(file, "w", newline="", encoding="utf-8") as handle:
                self._write_csv_rows(handle)
            return
        self._write_csv_rows(file)

    def to_csv(self) -> str:
        """The CSV form as text."""
        buffer = io.StringIO()
        self.write_csv(buffer)
        return buffer.getvalue()


class Trace(TraceForms):
    """The trace of one network spec: numbers computed eagerly, symbols and formulas on reading."""

    columns = COLUMNS

    def __init__(self, net, steps):
        self._net, self._steps, self._spec = net, steps, None

    @property
    def spec(self) -> dict:
        """The normalized spec (every default filled in)."""
        if self._spec is None:
            self._spec = self._net.spec()
        return self._spec

    def __len__(self):
        return rows.row_count(self.spec)

    def numeric_rows(self):
        """Yield ``(step, iteration, sample, phase, layer, unit, source, quantity, value)`` tuples."""
        return rows.numeric_rows(self._net, self._steps)

    def row_tuples(self):
        """An iterator of every row as a tuple in ``COLUMNS`` order (empty columns None): what
        ``rows`` gives, without a dict per row."""
        return rendered_rows(self._net, self._steps)

    def rows(self):
        """Yield every row as a dict with the SPEC §4 columns (empty columns are None)."""
        for step, t, sample, phase, layer, unit, source, quantity, symbol, formula, substituted, value in \
                rendered_rows(self._net, self._steps):
            yield {"step": step, "iteration": t, "sample": sample, "phase": phase, "layer": layer,
                   "unit": unit, "source": source, "quantity": quantity, "symbol": symbol,
                   "formula": formula, "substituted": substituted, "value": value}

    def value(self, quantity: str, layer: int | None = None, unit: int | None = None,
              source: int | None = None, sample: int | None = None, iteration: int = 1) -> float:
        """Return one value of the trace; raise KeyError when the trace holds no such value.

        A per-sample quantity (x, y, mask, z, a, dL_da, da_dz, delta) of a batch needs ``sample``;
        ``loss`` without a sample is the batch loss (with the weight-decay penalty), with one the
        sample's own loss; ``penalty`` is (λ/2)·Σw² (0 without weight decay).
        """
        net = self._net
        if type(iteration) is not int or not 1 <= iteration <= len(self._steps):
            raise KeyError(f"iteration must be 1..{len(self._steps)}, got {iteration!r}")
        step = self._steps[iteration - 1]
        if quantity == "loss":
            if sample is None:
                return step.loss
            return float(step.losses[_index(sample, len(net.inputs), "sample")])
        if quantity == "penalty":
            return step.penalty
        if quantity in PER_SAMPLE:
            if sample is None and len(net.inputs) > 1:
                raise KeyError(f"{quantity} is per sample in a batch of {len(net.inputs)}: give sample")
            s = _index(1 if sample is None else sample, len(net.inputs), "sample")
            if quantity == "x" and layer in (None, 0):
                return float(net.inputs[s, _index(unit, net.sizes[0], "unit")])
            if quantity == "y" and layer in (None, len(net.sizes) - 1):
                return float(net.targets[s, _index(unit, net.sizes[-1], "unit")])
            if quantity == "mask":
                if net.masks is None or type(layer) is not int or not 1 <= layer < len(net.sizes) - 1:
                    raise KeyError(f"the trace has no dropout mask in layer {layer!r}")
                return float(net.masks[layer - 1][s, _index(unit, net.sizes[layer], "unit")])
            values = getattr(step, quantity, None) if quantity not in ("x", "y", "mask") else None
            if values is None or type(layer) is not int or not 1 <= layer < len(net.sizes) or values[layer] is None:
                raise KeyError(f"the trace has no {quantity} in layer {layer!r}")
            return float(values[layer][s, _index(unit, net.sizes[layer], "unit")])
        return self._parameter_value(step, quantity, layer, unit, source)

    def _parameter_value(self, step, quantity, layer, unit, source):
        net = self._net
        if type(layer) is not int or not 1 <= layer < len(net.sizes):
            raise KeyError(f"layer must be 1..{len(net.sizes) - 1}, got {layer!r}")
        updated = net.update_biases and net.bias != "none"
        weight = source is not None
        arrays = {"w": step.weights, "b": step.biases, "dL_dw": step.dL_dw, "dL_db": step.dL_db,
                  "w_new": step.weights_new, "b_new": step.biases_new if updated else None}
        if quantity in arrays:
            values = arrays[quantity]
            if values is None or weight != quantity.startswith(("w", "dL_dw")) or net.bias == "none" and not weight:
                raise KeyError(f"the trace has no {quantity} for layer {layer}, unit {unit!r}, source {source!r}")
        elif quantity in step.state and (weight or updated):
            values = step.state[quantity][0 if weight else 1]
        else:
            raise KeyError(f"the trace has no {quantity!r} values")
        value = values[layer]
        if not weight and net.bias == "shared":
            if unit is not None:
                raise KeyError("a shared bias has no unit")
            return float(value)
        j = _index(unit, net.sizes[layer], "unit")
        return float(value[j, _index(source, net.sizes[layer - 1], "source")] if weight else value[j])

    def array(self, quantity: str, layer: int, iteration: int = 1):
        """Return a copy of one layer's values of a quantity as a numpy array.

        Per-sample quantities (z, a, dL_da, da_dz, delta) have shape (samples, units); weight
        quantities (units, sources); bias quantities (units,) or a 0-d array for a shared bias.
        Optimizer state of weights is ``velocity``/``m``/``v``; of biases ``velocity_b``/``m_b``/``v_b``.
        """
        if type(iteration) is not int or not 1 <= iteration <= len(self._steps):
            raise KeyError(f"iteration must be 1..{len(self._steps)}, got {iteration!r}")
        step = self._steps[iteration - 1]
        per_layer = {"w": step.weights, "b": step.biases, "z": step.z, "a": step.a, "dL_da": step.dL_da,
                     "da_dz": step.da_dz, "delta": step.delta, "dL_dw": step.dL_dw, "dL_db": step.dL_db,
                     "w_new": step.weights_new, "b_new": step.biases_new}
        for name, (weights, biases) in step.state.items():
            per_layer[name], per_layer[name + "_b"] = weights, biases
        values = per_layer.get(quantity)
        if quantity == "b_new" and not (self._net.update_biases and self._net.bias != "none"):
            values = None
        if values is None or type(layer) is not int or not 1 <= layer < len(values) or values[layer] is None:
            raise KeyError(f"the trace has no {quantity!r} array for layer {layer!r}")
        return np.array(values[layer], dtype=np.float64)

    def _write_csv_rows(self, file) -> None:
        """The CSV form's rows: from the structure's skeleton when it has one (rendered once per
        structure, ``tracer.skeleton``), else formatted 4,096 lines at a time (``csv_text``)."""
        from tracer import skeleton  # (it builds on this module)

        file.write(",".join(COLUMNS) + "\r\n")
        shared = skeleton.of(self)
        if shared is not None:
            file.write(skeleton.lines(shared, self, None))
            return
        rows = rendered_rows(self._net, self._steps)
        while chunk := list(itertools.islice(rows, 4096)):
            file.write(csv_text(chunk))


def _cell(text):
    """A text cell as ``csv.writer`` writes it (QUOTE_MINIMAL): quoted, with quotes doubled, when
    it holds a comma, a quote or a line break."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return f'"{text}"' if "," in text or "\n" in text or "\r" in text else text


class _Cells(dict):
    """Symbols and formulas as CSV cells, remembered: they repeat across the rows of a layer
    and across traces of one structure, and a dict lookup costs less than quoting again."""

    def __missing__(self, text):
        if len(self) > 50_000:  # bounded, however many distinct names a network has
            self.clear()
        cell = self[text] = _cell(text)
        return cell


_CELLS = _Cells()
_QUOTE, _NL, _CR = '"', "\n", "\r"


def csv_text(rows, values=None, prefix: str = "", nodes: bool = False) -> str:
    """The CSV lines of a list of row tuples (``COLUMNS`` order) as one string, each line
    starting with ``prefix`` (cells already written as CSV, ending in a comma). With
    ``values``, the value column is taken from it instead (a stored trace's values), one per
    row; with ``nodes``, empty ``node`` and ``arg`` cells follow ``source`` (a circuit's columns,
    SPEC §10, for a file that holds both). The bytes are those ``csv.writer`` writes: see
    ``_csv_lines``."""
    if values is None:
        values = [row[11] for row in rows]
    cells, after = _CELLS, ",,," if nodes else ","
    return "".join([
        f"{prefix}{step},{t},{'' if sample is None else sample},{phase},{'' if layer is None else layer},"
        f"{'' if unit is None else unit},{'' if source is None else source}{after}{quantity},"
        f"{cells[symbol]},{cells[formula]},"
        f"{_cell(sub) if ',' in sub or _QUOTE in sub or _NL in sub or _CR in sub else sub},"
        f"{value}\r\n"
        for (step, t, sample, phase, layer, unit, source, quantity, symbol, formula, sub, _v), value
        in zip(rows, values)])


def _csv_lines(rows):
    """CSV lines of row tuples, the bytes ``csv.writer`` writes (its per-character quoting scan
    cost more than rendering the rows): None empty, numbers as ``str``, ``\\r\\n`` line ends.
    ``phase`` and ``quantity`` are identifiers and never need quoting."""
    for step, t, sample, phase, layer, unit, source, quantity, symbol, formula, substituted, value in rows:
        yield (f"{step},{t},{'' if sample is None else sample},{phase},{'' if layer is None else layer},"
               f"{'' if unit is None else unit},{'' if source is None else source},{quantity},"
               f"{_cell(symbol)},{_cell(formula)},{_cell(substituted)},{value}\r\n")


def _index(value, size, name):
    """A 1-based index checked against ``size``, returned 0-based (never a negative index)."""
    if type(value) is not int or not 1 <= value <= size:
        raise KeyError(f"{name} must be 1..{size}, got {value!r}")
    return value - 1


def trace(spec: dict) -> Trace:
    """Validate ``spec`` (SPEC §3) and trace it; raise SpecError when it is malformed."""
    net = compile_spec(spec)
    return Trace(net, engine.run(net))
