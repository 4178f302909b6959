"""Backprop Lab's engine: an exact, step-by-step trace of a dense network's training step, or
of a circuit of scalar operations (SPEC §10).

``trace(spec)`` validates a network spec (SPEC §3), computes the forward pass, loss, backward
pass and update with numpy, and returns a :class:`Trace` whose rows (SPEC §4) carry every value
with its symbol and formula. A spec with a ``graph`` key is a circuit: ``trace`` returns a
:class:`~tracer.circuit.CircuitTrace` instead, and ``normalize`` and ``row_count`` read it too.
"""

from tracer import circuit
from tracer.circuit import CircuitTrace, is_circuit
from tracer.rows import row_count as _network_row_count
from tracer.spec import SpecError
from tracer.spec import normalize as _normalize_network
from tracer.trace import ENGINE_VERSION, Trace
from tracer.trace import trace as _trace_network


def trace(spec: dict) -> "Trace | CircuitTrace":
    """Validate ``spec`` and trace it: a circuit when it has a ``graph`` key (SPEC §10), else a
    network (SPEC §3); raise SpecError naming the offending key when it is malformed."""
    return circuit.trace_circuit(spec) if is_circuit(spec) else _trace_network(spec)


def normalize(spec: dict) -> dict:
    """Validate ``spec`` (network or circuit) and return it with every default filled in."""
    return circuit.normalize_circuit(spec) if is_circuit(spec) else _normalize_network(spec)


def row_count(spec: dict) -> int:
    """The number of rows the trace of a normalized spec (network or circuit) has, computing nothing."""
    return circuit.row_count(spec) if is_circuit(spec) else _network_row_count(spec)


__all__ = ["trace", "Trace", "CircuitTrace", "SpecError", "normalize", "row_count", "is_circuit",
           "ENGINE_VERSION"]
