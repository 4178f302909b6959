"""Backprop Lab's engine: an exact, step-by-step trace of a dense network's training step.

``trace(spec)`` validates a network spec (SPEC §3), computes the forward pass, loss, backward
pass and update with numpy, and returns a :class:`Trace` whose rows (SPEC §4) carry every value
with its symbol and formula.
"""

from tracer.rows import row_count
from tracer.spec import SpecError, normalize
from tracer.trace import ENGINE_VERSION, Trace, trace

__all__ = ["trace", "Trace", "SpecError", "normalize", "row_count", "ENGINE_VERSION"]
