"""The student model of a circuit (SPEC §10): every field key's value computed from its own
formula, with the student's answers in place of upstream values and a mistake at a site.

Keys: ``value:NAME`` of each node, ``local_grad:NAME:ARG`` of each node and arg, ``grad:NAME``
of each leaf and node. :meth:`CircuitModel.evaluate` returns each key's *own* value — its
formula applied to the upstream values — while what flows downstream is the patched value (the
student's answer) where there is one. So one evaluation with the student's answers gives every
field its ECF value, and one with a mistake at a site what a student making it computes.
"""
import math

from tracer.circuit import compile_circuit, trace_circuit
from tracer.circuit.keys import circuit_key


class CircuitModel:
    """One circuit's keys, dependencies and evaluation; ``net`` of the grading modules."""

    def __init__(self, spec: dict):
        self.circuit = compile_circuit(spec)
        self.spec = self.circuit.spec()
        self.output = self.circuit.output
        self.uses = {}  # name → [(node, arg index)] in reverse node order, as backward runs
        for node in reversed(self.circuit.nodes):
            for i, arg in enumerate(node.args):
                self.uses.setdefault(arg, []).append((node, i))
        self.true = self.evaluate({})
        self.trace = trace_circuit(spec)

    def node(self, name):
        """The node named ``name`` (None for a leaf)."""
        return next((n for n in self.circuit.nodes if n.name == name), None)

    def depends(self, key: str) -> tuple[str, ...]:
        """The keys whose values the formula of ``key`` reads (leaf values are given)."""
        quantity, name, arg = key.split(":") + [None] * (3 - len(key.split(":")))
        if quantity == "value":
            return tuple(circuit_key("value", a) for a in self.node(name).args if a not in self.circuit.leaves)
        if quantity == "local_grad":
            args = [circuit_key("value", a) for a in self.node(name).args if a not in self.circuit.leaves]
            return (*args, circuit_key("value", name))
        found = []
        for node, _ in self.uses.get(name, ()):
            if node.name != self.output:
                found.append(circuit_key("grad", node.name))
            found.append(circuit_key("local_grad", node.name, name))
        return tuple(found)

    def evaluate(self, patches: dict, site=None, rounding=None) -> dict:
        """Each key's own value with ``patches`` (key → the student's value) flowing downstream,
        the mistake of ``site`` (a :class:`~exercises.grading.circuit_mistakes.CircuitSite`) in the
        formulas of its scope, and ``rounding`` (a function) applied to every computed value."""
        keep = rounding or (lambda v: v)
        own, values = {}, dict(self.circuit.leaves)

        def settle(key, value):
            own[key] = value
            return patches.get(key, keep(value))

        for node in self.circuit.nodes:
            try:
                value = float(node.op.forward([values[a] for a in node.args], node.exponent))
            except (ArithmeticError, ValueError):
                value = math.nan
            values[node.name] = settle(circuit_key("value", node.name), value)
        local = {}
        for node in self.circuit.nodes:
            args = [values[a] for a in node.args]
            try:
                grads = [float(g) for g in node.op.local(args, values[node.name], node.exponent)]
            except (ArithmeticError, ValueError):
                grads = [math.nan] * len(node.args)
            for i, arg in enumerate(node.args):
                key = circuit_key("local_grad", node.name, arg)
                if site is not None and key in site.scope:
                    grads[i] = site.mistake.alter_circuit(self, key, grads[i], site.param, values)
                local[key] = settle(key, grads[i])
        upstream = {self.output: 1.0}
        own[circuit_key("grad", self.output)] = 1.0
        for name in [n.name for n in reversed(self.circuit.nodes)][1:] + list(self.circuit.leaves):
            terms = [(node.name, upstream[node.name], local[circuit_key("local_grad", node.name, name)])
                     for node, _ in self.uses[name]]
            key = circuit_key("grad", name)
            value = sum(u * g for _, u, g in terms)  # in the engine's order, so bit for bit
            if site is not None and key in site.scope:
                value = site.mistake.alter_circuit(self, key, value, site.param, terms)
            upstream[name] = settle(key, value)
        return own
