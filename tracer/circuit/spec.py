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
        raise SpecError(key, f"must be a name of lowercase letters, digits and _ starting with a "
                             f"letter, got {value!r}")
    return value


def _unknown(mapping, known, key):
    extra = [k for k in mapping if k not in known]
    if extra:
        where = f"{key}.{extra[0]}" if key else str(extra[0])
        raise SpecError(where, f"unknown key; allowed: {', '.join(known)}")


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
            raise SpecError(key, f"{op.name} takes 2 to {MAX_ARGS} args, got {len(args)}")
    elif len(args) != op.arity:
        raise SpecError(key, f"{op.name} takes {op.arity} arg{'s' if op.arity > 1 else ''}, got {len(args)}")


def _exponent(item, op, key):
    if op.name != "pow":
        if "exponent" in item:
            raise SpecError(f"{key}.exponent", f"only pow takes an exponent, not {op.name}")
        return None
    exponent = item.get("exponent")
    if type(exponent) is not int or abs(exponent) > MAX_EXPONENT:
        raise SpecError(f"{key}.exponent", f"pow needs an integer exponent from {-MAX_EXPONENT} to "
                                           f"{MAX_EXPONENT}, got {exponent!r}")
    return exponent


def _node(item, key, defined):
    if not isinstance(item, dict):
        raise SpecError(key, f"must be an object with name, op and args, got {item!r}")
    _unknown(item, NODE_KEYS, key)
    for required in ("name", "op", "args"):
        if required not in item:
            raise SpecError(f"{key}.{required}", "missing")
    name = _name(item["name"], f"{key}.name")
    if name in defined:
        raise SpecError(f"{key}.name", f"{name!r} is already used; every leaf and node needs its own name")
    op = OPS.get(item["op"]) if isinstance(item["op"], str) else None
    if op is None:
        raise SpecError(f"{key}.op", f"must be one of {', '.join(OPS)}; got {item['op']!r}")
    args = item["args"]
    if type(args) is not list:
        raise SpecError(f"{key}.args", f"must be a list of names, got {args!r}")
    _arity(op, args, f"{key}.args")
    for i, arg in enumerate(args):
        if type(arg) is not str or arg not in defined:
            raise SpecError(f"{key}.args[{i}]", f"{arg!r} is not a leaf or an earlier node")
        if arg in args[:i]:
            raise SpecError(f"{key}.args[{i}]", f"{arg!r} is given twice; write x·x as pow with exponent 2")
    return Node(name, op, tuple(args), _exponent(item, op, key))


def _reaching(nodes, leaves, output):
    """Raise when some node or leaf does not reach the output (its gradient would be undefined)."""
    needed = {output}
    for node in reversed(nodes):
        if node.name in needed:
            needed.update(node.args)
    for i, node in enumerate(nodes):
        if node.name not in needed:
            raise SpecError(f"graph.nodes[{i}]", f"node {node.name!r} does not reach the output {output!r}")
    for name in leaves:
        if name not in needed:
            raise SpecError(f"graph.leaves.{name}", f"leaf {name!r} is used by no node that reaches the output")


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
        raise SpecError("graph.nodes", f"at most {MAX_NODES} nodes, got {len(items)}")
    defined, nodes = set(leaves), []
    for i, item in enumerate(items):
        node = _node(item, f"graph.nodes[{i}]", defined)
        defined.add(node.name)
        nodes.append(node)
    output = graph.get("output", nodes[-1].name)
    if type(output) is not str or output not in {node.name for node in nodes}:
        raise SpecError("graph.output", f"must name a node, got {output!r}")
    _reaching(nodes, leaves, output)
    return Circuit(leaves, nodes, output)
