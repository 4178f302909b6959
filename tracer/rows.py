"""The order of a trace's rows (SPEC §4) and their count, read from the engine's arrays.

:func:`numeric_rows` yields ``(step, iteration, sample, phase, layer, unit, source, quantity,
value)`` for every value in computation order; :func:`row_count` predicts how many there are
from the structure alone, without computing anything.
"""

import itertools

STATE = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v")}
FUSED = (("sigmoid", "bce"), ("softmax", "cross_entropy"))


def backward_quantities(activation: str, loss: str, output: bool) -> tuple:
    """The per-unit backward quantities of a layer, in row order (SPEC §4 presence rules)."""
    quantities = ("dL_da", "da_dz", "delta")
    if output and (activation, loss) in FUSED:
        quantities = ("da_dz", "delta")
    return tuple(q for q in quantities if not (q == "da_dz" and activation == "softmax"))


def row_count(spec: dict) -> int:
    """Return the number of rows the trace of a normalized spec has, without computing it."""
    sizes, count = spec["layers"], len(spec["inputs"])
    if count and not isinstance(spec["inputs"][0], (list, tuple)):
        count = 1
    bias, depth = spec["bias"], len(sizes) - 1
    states = len(STATE[spec["optimizer"]["name"]])
    updated = spec["update_biases"] and bias != "none"
    rows = count * (sizes[0] + sizes[-1]) + 1 + (count if count > 1 else 0)
    for l in range(1, depth + 1):
        weights = sizes[l] * sizes[l - 1]
        biases = {"per_unit": sizes[l], "shared": 1, "none": 0}[bias]
        per_unit = len(backward_quantities(spec["activations"][l - 1], spec["loss"], l == depth))
        rows += weights + biases                          # input
        rows += 2 * count * sizes[l]                      # forward
        rows += per_unit * count * sizes[l] + weights + biases  # backward
        rows += (states + 1) * (weights + (biases if updated else 0))  # update
    return rows * spec["iterations"]


def _matrix(values):
    """(unit, source, value) of a weight-shaped array, by unit then source."""
    for j, row in enumerate(values.tolist(), 1):
        for k, value in enumerate(row, 1):
            yield j, k, value


def _bias(values):
    """(unit, value) of a bias-shaped value; unit None for a shared bias (a scalar)."""
    if getattr(values, "ndim", 0) == 0:
        return [(None, float(values))]
    return list(enumerate(values.tolist(), 1))


def numeric_rows(net, steps):
    """Yield ``(step, iteration, sample, phase, layer, unit, source, quantity, value)`` in order."""
    number = itertools.count(1)
    depth = len(net.sizes) - 1
    count = len(net.inputs)
    names = STATE[net.optimizer["name"]]
    updated = net.update_biases and net.bias != "none"
    inputs, targets = net.inputs.tolist(), net.targets.tolist()
    for t, step in enumerate(steps, 1):
        for s in range(count):
            for k, value in enumerate(inputs[s], 1):
                yield next(number), t, s + 1, "input", 0, k, None, "x", value
            for j, value in enumerate(targets[s], 1):
                yield next(number), t, s + 1, "input", depth, j, None, "y", value
        for l in range(1, depth + 1):
            for j, k, value in _matrix(step.weights[l]):
                yield next(number), t, None, "input", l, j, k, "w", value
            if net.bias != "none":
                for j, value in _bias(step.biases[l]):
                    yield next(number), t, None, "input", l, j, None, "b", value
        for l in range(1, depth + 1):
            z, a = step.z[l].tolist(), step.a[l].tolist()
            for s in range(count):
                for j, (zv, av) in enumerate(zip(z[s], a[s]), 1):
                    yield next(number), t, s + 1, "forward", l, j, None, "z", zv
                    yield next(number), t, s + 1, "forward", l, j, None, "a", av
        if count > 1:
            for s, value in enumerate(step.losses.tolist(), 1):
                yield next(number), t, s, "loss", None, None, None, "loss", value
        yield next(number), t, None, "loss", None, None, None, "loss", step.loss
        for l in range(depth, 0, -1):
            quantities = backward_quantities(net.activations[l - 1], net.loss, l == depth)
            columns = [(q, getattr(step, q)[l].tolist()) for q in quantities]
            for s in range(count):
                for j in range(net.sizes[l]):
                    for q, values in columns:
                        yield next(number), t, s + 1, "backward", l, j + 1, None, q, values[s][j]
            for j, k, value in _matrix(step.dL_dw[l]):
                yield next(number), t, None, "backward", l, j, k, "dL_dw", value
            if net.bias != "none":
                for j, value in _bias(step.dL_db[l]):
                    yield next(number), t, None, "backward", l, j, None, "dL_db", value
        yield from _updates(number, t, step, depth, names, updated)


def _updates(number, t, step, depth, names, updated):
    for l in range(1, depth + 1):
        if names:
            states = [step.state[q][0][l].tolist() for q in names]
            for j, rows in enumerate(zip(*states), 1):
                for k, values in enumerate(zip(*rows), 1):
                    for q, value in zip(names, values):
                        yield next(number), t, None, "update", l, j, k, q, value
            if updated:
                biases = [_bias(step.state[q][1][l]) for q in names]
                for group in zip(*biases):
                    for q, (j, value) in zip(names, group):
                        yield next(number), t, None, "update", l, j, None, q, value
        for j, k, value in _matrix(step.weights_new[l]):
            yield next(number), t, None, "update", l, j, k, "w_new", value
        if updated:
            for j, value in _bias(step.biases_new[l]):
                yield next(number), t, None, "update", l, j, None, "b_new", value
