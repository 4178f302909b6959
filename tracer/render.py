"""The full rows of a trace (SPEC §4 columns) as tuples, rendered block by block.

``rows.blocks`` gives the order; for each block a builder of :mod:`tracer.formulas` or
:mod:`tracer.parameters` returns chunks of parallel lists (symbols, formulas, substituted
formulas, values) for a run of units or sources, and this module zips them into rows. Memory
stays bounded by a chunk however large the network: nothing is kept between blocks except
small bounded caches.
"""

import itertools
from functools import partial
from itertools import repeat

from tracer.formulas import UnitFormulas
from tracer.parameters import ParameterFormulas
from tracer.rows import blocks


def rendered_rows(net, steps):
    """An iterator of ``(step, iteration, sample, phase, layer, unit, source, quantity, symbol,
    formula, substituted, value)`` for every row in order; empty columns are None."""
    units = UnitFormulas(net)
    params = ParameterFormulas(net, steps, units.names)
    builders = {
        "given": units.given, "forward": units.forward, "loss": units.loss, "backward": units.backward,
        "w": partial(params.given, True), "b": partial(params.given, False),
        "dL_dw": params.weight_gradients, "dL_db": params.bias_gradients,
        "state_w": partial(params.states, True), "state_b": partial(params.states, False),
        "w_new": partial(params.updated, True), "b_new": partial(params.updated, False),
    }
    return itertools.chain.from_iterable(_chunks(net, steps, builders))


def _chunks(net, steps, builders):
    """For each chunk of rows, an iterator of its row tuples: zip builds them without a Python
    frame per row; several quantities per item (z then a; m then v) are interleaved."""
    number = 1
    for t, step, phase, kind, l, s in blocks(net, steps):
        for sample, layer, units, sources, groups in builders[kind](t, step, l, s):
            count, width = len(groups[0][4]), len(groups)
            rows = [zip(range(number + i, number + count * width, width), repeat(t), repeat(sample), repeat(phase),
                        repeat(layer), units, sources, repeat(quantity), symbols, formulas, substituted, values)
                    for i, (quantity, symbols, formulas, substituted, values) in enumerate(groups)]
            yield rows[0] if width == 1 else itertools.chain.from_iterable(zip(*rows))
            number += count * width


def substituted_column(net, steps) -> list:
    """The ``substituted`` cell of every row in order, the rest of the row left out: what an
    export of stored values needs besides the columns a structure shares (``tracer.skeleton``).
    The same builders as :func:`rendered_rows`, without a row tuple per row."""
    units = UnitFormulas(net)
    params = ParameterFormulas(net, steps, units.names)
    builders = {
        "given": units.given, "forward": units.forward, "loss": units.loss, "backward": units.backward,
        "w": partial(params.given, True), "b": partial(params.given, False),
        "dL_dw": params.weight_gradients, "dL_db": params.bias_gradients,
        "state_w": partial(params.states, True), "state_b": partial(params.states, False),
        "w_new": partial(params.updated, True), "b_new": partial(params.updated, False),
    }
    column: list = []
    extend = column.extend
    for t, step, phase, kind, l, s in blocks(net, steps):
        for *_, groups in builders[kind](t, step, l, s):
            if len(groups) == 1:
                extend(groups[0][3])
            else:
                extend(itertools.chain.from_iterable(zip(*[group[3] for group in groups])))
    return column
