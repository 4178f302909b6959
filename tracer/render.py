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
    """Yield ``(step, iteration, sample, phase, layer, unit, source, quantity, symbol, formula,
    substituted, value)`` for every row in order; empty columns are None."""
    units = UnitFormulas(net)
    params = ParameterFormulas(net, steps, units.names)
    builders = {
        "given": units.given, "forward": units.forward, "loss": units.loss, "backward": units.backward,
        "w": partial(params.given, True), "b": partial(params.given, False),
        "dL_dw": params.weight_gradients, "dL_db": params.bias_gradients,
        "state_w": partial(params.states, True), "state_b": partial(params.states, False),
        "w_new": partial(params.updated, True), "b_new": partial(params.updated, False),
    }
    number = itertools.count(1)
    for t, step, phase, kind, l, s in blocks(net, steps):
        for sample, layer, unit_list, sources, groups in builders[kind](t, step, l, s):
            if len(groups) == 1:
                (quantity, symbols, formulas, substituted, values), = groups
                for unit, source, symbol, formula, text, value in zip(
                        unit_list, sources, symbols, formulas, substituted, values):
                    yield next(number), t, sample, phase, layer, unit, source, quantity, symbol, formula, text, value
            else:
                # Several quantities per item (z then a; m then v): interleave them.
                columns = [zip(repeat(q), *lists) for q, *lists in groups]
                for unit, source, *cells in zip(unit_list, sources, *columns):
                    for quantity, symbol, formula, text, value in cells:
                        yield (next(number), t, sample, phase, layer, unit, source, quantity, symbol, formula,
                               text, value)
