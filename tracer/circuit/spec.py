"""Validation of circuit specs (SPEC §10) into a :class:`Circuit` ready to compute.

A malformed circuit fails with one :class:`~tracer.checks.SpecError` naming the offending key
(``graph.nodes[1].args[0]``, ``graph.leaves.x`` …), the error networks use, before anything
is computed.
"""

import re

from tracer.checks import SpecError, number
from tracer.circuit.ops import OPS, VARIADIC

NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
GRAPH_KEYS = ("leaves", "nodes", "output")
NODE_KEYS = ("name", "op", "args", "exponent")
MAX_NODES = 10_000
MAX_ARGS = 100
MAX_EXPONENT = 100


class Node:
    """One operation of a circuit: its name, op, argument names and (pow only) exponent."""

    __slots__ = ("name", "op", "args", "exponent")

    def __init__(self, name, op, args, exponent):
        self.name, self.op, self.args, self.exponent = name, op, args, exponent


class Circuit:
    """A validated circuit: leaves (name → float, in spec order), nodes in order, the output."""

    __slots__ = ("leaves", "nodes", "output")

    def __init__(self, leaves, nodes, output):
        self.leaves, self.nodes, self.output = leaves, nodes, output

    def spec(self) -> dict:
        """The normalized spec: output filled in, leaf values as floats."""
        nodes = []
        for node in self.nodes:
            item = {"name": node.name, "op": node.op.name, "args": list(node.args)}
            if node.op.name == "pow":
                item["exponent"] = node.exponent
            nodes.append(item)
        return {"graph": {"leaves": dict(self.leaves), "nodes": nodes, "output": self.output}}


def is_circuit(spec) -> bool:
    """Tell whether ``spec`` is a circuit (a dict with a ``graph`` key) rather than a network."""
    return isinstance(spec, dict) and "graph" in spec


def _name(value, key):
    if type(value) is not str or not NAME.match(value):
        raise SpecError(key, "must be a name of lowercase letters, digits and _ starting with a "
                             "letter, got %(got)s", got=repr(value))
    return value


def _unknown(mapping, known, key):
    extra = [k for k in mapping if k not in known]
    if extra:
        where = f"{key}.{extra[0]}" if key else str(extra[0])
        raise SpecError(where, "unknown key; allowed: %(known)s", known=", ".join(known))


def _leaves(value):
    if not isinstance(value, dict) or not value:
        raise SpecError("graph.leaves", "must be a non-empty object of name → number")
    leaves = {}
    for name, leaf in value.items():
        _name(name, "graph.leaves")
        leaves[name] = number(leaf, f"graph.leaves.{name}")
    return leaves


def _arity(op, args, key):
    if op.arity is VARIADIC:
        if not 2 <= len(args) <= MAX_ARGS:
            raise SpecError(key, "%(op)s takes 2 to %(most)s args, got %(count)s", op=op.name,
                            most=str(MAX_ARGS), count=str(len(args)))
    elif len(args) != op.arity:
        if op.arity == 1:
            raise SpecError(key, "%(op)s takes 1 arg, got %(count)s", op=op.name,
                            count=str(len(args)))
        raise SpecError(key, "%(op)s takes %(arity)s args, got %(count)s", op=op.name,
                        arity=str(op.arity), count=str(len(args)))


def _exponent(item, op, key):
    if op.name != "pow":
        if "exponent" in item:
            raise SpecError(f"{key}.exponent", "only pow takes an exponent, not %(op)s", op=op.name)
        return None
    exponent = item.get("exponent")
    if type(exponent) is not int or abs(exponent) > MAX_EXPONENT:
        raise SpecError(f"{key}.exponent", "pow needs an integer exponent from %(low)s to %(high)s, "
                        "got %(got)s", low=str(-MAX_EXPONENT), high=str(MAX_EXPONENT),
                        got=repr(exponent))
    return exponent


def _node(item, key, defined):
    if not isinstance(item, dict):
        raise SpecError(key, "must be an object with name, op and args, got %(got)s", got=repr(item))
    _unknown(item, NODE_KEYS, key)
    for required in ("name", "op", "args"):
        if required not in item:
            raise SpecError(f"{key}.{required}", "missing")
    name = _name(item["name"], f"{key}.name")
    if name in defined:
        raise SpecError(f"{key}.name", "%(name)s is already used; every leaf and node needs its own name",
                        name=repr(name))
    op = OPS.get(item["op"]) if isinstance(item["op"], str) else None
    if op is None:
        raise SpecError(f"{key}.op", "must be one of %(options)s; got %(got)s", options=", ".join(OPS),
                        got=repr(item["op"]))
    args = item["args"]
    if type(args) is not list:
        raise SpecError(f"{key}.args", "must be a list of names, got %(got)s", got=repr(args))
    _arity(op, args, f"{key}.args")
    for i, arg in enumerate(args):
        if type(arg) is not str or arg not in defined:
            raise SpecError(f"{key}.args[{i}]", "%(arg)s is not a leaf or an earlier node", arg=repr(arg))
        if arg in args[:i]:
            raise SpecError(f"{key}.args[{i}]", "%(arg)s is given twice; write x·x as pow with exponent 2",
                            arg=repr(arg))
    return Node(name, op, tuple(args), _exponent(item, op, key))


def _reaching(nodes, leaves, output):
    """Raise when some node or leaf does not reach the output (its gradient would be undefined)."""
    needed = {output}
    for node in reversed(nodes):
        if node.name in needed:
            needed.update(node.args)
    for i, node in enumerate(nodes):
        if node.name not in needed:
            raise SpecError(f"graph.nodes[{i}]", "node %(node)s does not reach the output %(output)s",
                            node=repr(node.name), output=repr(output))
    for name in leaves:
        if name not in needed:
            raise SpecError(f"graph.leaves.{name}", "leaf %(name)s is used by no node that reaches the output",
                            name=repr(name))


def compile_circuit(spec: dict) -> Circuit:
    """Validate a circuit spec; raise SpecError naming the first offending key."""
    _unknown(spec, ("graph",), "")
    graph = spec["graph"]
    if not isinstance(graph, dict):
        raise SpecError("graph", "must be an object with leaves, nodes and output")
    _unknown(graph, GRAPH_KEYS, "graph")
    leaves = _leaves(graph.get("leaves"))
    items = graph.get("nodes")
    if type(items) is not list or not items:
        raise SpecError("graph.nodes", "must be a non-empty list of nodes")
    if len(items) > MAX_NODES:
        raise SpecError("graph.nodes", "at most %(most)s nodes, got %(count)s", most=str(MAX_NODES),
                        count=str(len(items)))
    defined, nodes = set(leaves), []
    for i, item in enumerate(items):
        node = _node(item, f"graph.nodes[{i}]", defined)
        defined.add(node.name)
        nodes.append(node)
    output = graph.get("output", nodes[-1].name)
    if type(output) is not str or output not in {node.name for node in nodes}:
        raise SpecError("graph.output", "must name a node, got %(got)s", got=repr(output))
    _reaching(nodes, leaves, output)
    return Circuit(leaves, nodes, output)
