"""Forward values and backward gradients of a circuit (SPEC §10), in row order.

Forward: each node's value from its args, in node order. Backward: the output's gradient is
1; going through the nodes in reverse order, each arg's gradient gains the node's gradient
times the local gradient ∂node/∂arg (micrograd's ``+=``, so a value used twice sums both).
"""

import math

from tracer.checks import N_, SpecError


class Run:
    """The numbers of a traced circuit.

    ``values``: name → value of every leaf and node; ``locals``: per node, ∂node/∂arg for each
    arg; ``backward``: ``(node index, arg index, local gradient, arg's gradient so far)`` in row
    order; ``grads``: name → gradient of the output after all accumulation.
    """

    __slots__ = ("values", "locals", "backward", "grads")

    def __init__(self, values, local_grads, backward, grads):
        self.values, self.locals, self.backward, self.grads = values, local_grads, backward, grads


def _domain(node, args):
    """Why ``node`` cannot be computed at these arg values (a template and its fields), or None."""
    op, first = node.op.name, args[0]
    if op == "log" and first <= 0:
        return N_("log of %(arg)s = %(value)s, which is not greater than 0"), {
            "arg": node.args[0], "value": repr(first)}
    if op == "div" and args[1] == 0:
        return N_("division by %(arg)s = 0"), {"arg": node.args[1]}
    if op == "pow" and first == 0 and node.exponent < 0:
        return N_("%(arg)s = 0 to the negative power %(exponent)s (division by 0)"), {
            "arg": node.args[0], "exponent": str(node.exponent)}
    return None


def _forward(node, index, values):
    args = [values[name] for name in node.args]
    key = f"graph.nodes[{index}]"
    problem = _domain(node, args)
    if problem:
        raise SpecError(key, problem[0], **problem[1])
    try:
        out = float(node.op.forward(args, node.exponent))
        local = [float(g) for g in node.op.local(args, out, node.exponent)]
    except (OverflowError, ZeroDivisionError, ValueError):
        out, local = math.inf, []
    if not math.isfinite(out) or not all(map(math.isfinite, local)):
        raise SpecError(key, "%(node)s or its local gradient does not fit in a float64", node=node.name)
    return out, local


def run(circuit) -> Run:
    """Compute every value and gradient of ``circuit``; raise SpecError when one is undefined
    (log of a value ≤ 0, division by 0) or overflows float64."""
    values = dict(circuit.leaves)
    local_grads = []
    for index, node in enumerate(circuit.nodes):
        values[node.name], local = _forward(node, index, values)
        local_grads.append(local)
    grads = {circuit.output: 1.0}
    backward = []
    for index in range(len(circuit.nodes) - 1, -1, -1):
        node = circuit.nodes[index]
        upstream = grads[node.name]
        for i, arg in enumerate(node.args):
            local = local_grads[index][i]
            grads[arg] = grads.get(arg, 0.0) + upstream * local
            if not math.isfinite(grads[arg]):
                raise SpecError(f"graph.nodes[{index}]", "the gradient of %(arg)s does not fit in a float64",
                                arg=arg)
            backward.append((index, i, local, grads[arg]))
    return Run(values, local_grads, backward, grads)
