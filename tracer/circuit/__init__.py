"""Circuits (SPEC §10): a second traced model, a graph of scalar operations (CS231n's
"backprop in practice", micrograd) with each node's value, local gradients and gradient.

``trace_circuit(spec)`` validates a spec with a ``graph`` key and returns a
:class:`CircuitTrace`; ``tracer.trace`` sends such specs here.
"""

from tracer.circuit.ops import OPS
from tracer.circuit.spec import compile_circuit, is_circuit
from tracer.circuit.text import render_circuit_text
from tracer.circuit.trace import COLUMNS, CircuitTrace, row_count, tex, trace_circuit


def normalize_circuit(spec: dict) -> dict:
    """Validate a circuit spec and return it normalized (``output`` filled in, floats)."""
    return compile_circuit(spec).spec()


__all__ = ["OPS", "COLUMNS", "CircuitTrace", "compile_circuit", "is_circuit", "normalize_circuit",
           "render_circuit_text", "row_count", "tex", "trace_circuit"]
