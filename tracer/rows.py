"""The order of a trace's rows (SPEC §4) and their count, read from the engine's arrays.

:func:`blocks` lists a trace's rows as blocks (a layer's weights, one sample's forward pass of a
layer, …) in computation order; within a block rows go by unit, then source. Both readers
follow it: :func:`numeric_rows` yields ``(step, iteration, sample, phase, layer, unit, source,
quantity, value)`` and ``render.rows`` the full rows. :func:`row_count` predicts how many rows
there are from the structure alone, without computing anything.
"""

import itertools

from tracer import activations, losses

STATE = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v")}
FUSED = losses.fused_pairs()  # the built-in pairs; losses.is_fused also sees one registered later
CHUNK = 4096  # units or sources rendered together: bounded memory on layers of any width


def spans(size: int) -> list:
    """Cut range(size) into ``(start, stop)`` pieces of at most CHUNK."""
    if size <= CHUNK:
        return ((0, size),)
    return [(start, min(start + CHUNK, size)) for start in range(0, size, CHUNK)]


def backward_quantities(activation: str, loss: str, output: bool) -> tuple:
    """The per-unit backward quantities of a layer, in row order (SPEC §4 presence rules)."""
    quantities = ("dL_da", "da_dz", "delta")
    if output and losses.is_fused(activation, loss):
        quantities = ("da_dz", "delta")
    elementwise = activations.get(activation).elementwise
    return tuple(q for q in quantities if not (q == "da_dz" and not elementwise))


def row_count(spec: dict) -> int:
    """Return the number of rows the trace of a normalized spec has, without computing it."""
    sizes, count = spec["layers"], len(spec["inputs"])
    if count and not isinstance(spec["inputs"][0], (list, tuple)):
        count = 1
    bias, depth = spec["bias"], len(sizes) - 1
    states = len(STATE[spec["optimizer"]["name"]])
    updated = spec["update_biases"] and bias != "none"
    rows = count * (sizes[0] + sizes[-1]) + 1 + (count if count > 1 else 0)
    rows += 1 if spec.get("weight_decay") else 0                          # the penalty
    rows += count * sum(sizes[1:-1]) if spec.get("dropout") is not None else 0  # the masks
    for l in range(1, depth + 1):
        weights = sizes[l] * sizes[l - 1]
        biases = {"per_unit": sizes[l], "shared": 1, "none": 0}[bias]
        per_unit = len(backward_quantities(spec["activations"][l - 1], spec["loss"], l == depth))
        rows += weights + biases                          # input
        rows += 2 * count * sizes[l]                      # forward
        rows += per_unit * count * sizes[l] + weights + biases  # backward
        rows += (states + 1) * (weights + (biases if updated else 0))  # update
    return rows * spec["iterations"]


def blocks(net, steps):
    """Yield ``(iteration, step, phase, kind, layer, sample)`` for each block of rows, in order.

    Kinds: ``given`` (one sample's x, y and dropout masks), ``w``/``b`` (a layer's parameters),
    ``forward`` (one sample's z and a of a layer), ``loss`` (and the weight-decay penalty),
    ``backward`` (one sample's dL_da, da_dz, δ of a layer), ``dL_dw``/``dL_db``,
    ``state_w``/``state_b`` (optimizer state), ``w_new``/``b_new``.
    ``sample`` is 0-based, None for blocks that are not per sample.
    """
    depth, count = len(net.sizes) - 1, len(net.inputs)
    bias = net.bias != "none"
    updated = net.update_biases and bias
    state = bool(STATE[net.optimizer["name"]])
    for t, step in enumerate(steps, 1):
        for s in range(count):
            yield t, step, "input", "given", None, s
        for l in range(1, depth + 1):
            yield t, step, "input", "w", l, None
            if bias:
                yield t, step, "input", "b", l, None
        for l in range(1, depth + 1):
            for s in range(count):
                yield t, step, "forward", "forward", l, s
        yield t, step, "loss", "loss", None, None
        for l in range(depth, 0, -1):
            for s in range(count):
                yield t, step, "backward", "backward", l, s
            yield t, step, "backward", "dL_dw", l, None
            if bias:
                yield t, step, "backward", "dL_db", l, None
        for l in range(1, depth + 1):
            if state:
                yield t, step, "update", "state_w", l, None
                if updated:
                    yield t, step, "update", "state_b", l, None
            yield t, step, "update", "w_new", l, None
            if updated:
                yield t, step, "update", "b_new", l, None


def _bias(values):
    """(unit, value) of a bias-shaped value; unit None for a shared bias (a scalar)."""
    if getattr(values, "ndim", 0) == 0:
        return [(None, float(values))]
    return list(enumerate(values.tolist(), 1))


def _given(number, t, phase, net, step, l, s):
    for k, value in enumerate(net.inputs[s].tolist(), 1):
        yield next(number), t, s + 1, phase, 0, k, None, "x", value
    depth = len(net.sizes) - 1
    for j, value in enumerate(net.targets[s].tolist(), 1):
        yield next(number), t, s + 1, phase, depth, j, None, "y", value
    for l, mask in enumerate(net.masks or (), 1):
        for j, value in enumerate(mask[s].tolist(), 1):
            yield next(number), t, s + 1, phase, l, j, None, "mask", value


def _forward(number, t, phase, net, step, l, s):
    for j, (z, a) in enumerate(zip(step.z[l][s].tolist(), step.a[l][s].tolist()), 1):
        yield next(number), t, s + 1, phase, l, j, None, "z", z
        yield next(number), t, s + 1, phase, l, j, None, "a", a


def _loss(number, t, phase, net, step, l, s):
    if len(net.inputs) > 1:
        for sample, value in enumerate(step.losses.tolist(), 1):
            yield next(number), t, sample, phase, None, None, None, "loss", value
    yield next(number), t, None, phase, None, None, None, "loss", step.loss
    if net.weight_decay:
        yield next(number), t, None, phase, None, None, None, "penalty", step.penalty


def _backward(number, t, phase, net, step, l, s):
    quantities = backward_quantities(net.activations[l - 1], net.loss, l == len(net.sizes) - 1)
    columns = [(q, getattr(step, q)[l][s].tolist()) for q in quantities]
    for j in range(net.sizes[l]):
        for q, values in columns:
            yield next(number), t, s + 1, phase, l, j + 1, None, q, values[j]


def _state_w(number, t, phase, net, step, l, s):
    names = STATE[net.optimizer["name"]]
    states = [step.state[q][0][l].tolist() for q in names]
    for j, rows in enumerate(zip(*states), 1):
        for k, values in enumerate(zip(*rows), 1):
            for q, value in zip(names, values):
                yield next(number), t, None, phase, l, j, k, q, value


def _state_b(number, t, phase, net, step, l, s):
    names = STATE[net.optimizer["name"]]
    for group in zip(*(_bias(step.state[q][1][l]) for q in names)):
        for q, (j, value) in zip(names, group):
            yield next(number), t, None, phase, l, j, None, q, value


def _parameters(quantity, attribute):
    """The reader of a block of parameter-shaped rows (weights by unit and source, or biases)."""
    if quantity in ("w", "dL_dw", "w_new"):
        def read(number, t, phase, net, step, l, s):
            for j, row in enumerate(getattr(step, attribute)[l].tolist(), 1):
                for k, value in enumerate(row, 1):
                    yield next(number), t, None, phase, l, j, k, quantity, value
    else:
        def read(number, t, phase, net, step, l, s):
            for j, value in _bias(getattr(step, attribute)[l]):
                yield next(number), t, None, phase, l, j, None, quantity, value
    return read


READERS = {
    "given": _given, "forward": _forward, "loss": _loss, "backward": _backward,
    "w": _parameters("w", "weights"), "b": _parameters("b", "biases"),
    "dL_dw": _parameters("dL_dw", "dL_dw"), "dL_db": _parameters("dL_db", "dL_db"),
    "state_w": _state_w, "state_b": _state_b,
    "w_new": _parameters("w_new", "weights_new"), "b_new": _parameters("b_new", "biases_new"),
}


def numeric_rows(net, steps):
    """Yield ``(step, iteration, sample, phase, layer, unit, source, quantity, value)`` in order."""
    number = itertools.count(1)
    # chain() hands each block's rows straight through, without a generator frame per row.
    return itertools.chain.from_iterable(READERS[kind](number, t, phase, net, step, l, s)
                                         for t, step, phase, kind, l, s in blocks(net, steps))
