"""Built-in circuit templates (SPEC §10): the circuits of CS231n's notes and micrograd, with the
ranges their leaf values are drawn from.

A template's leaves map a name to ``(low, high)`` (drawn uniformly from the seed and rounded
to the template's decimals) or to a number (a constant such as the 1 of 1 + e^−s, given and
never asked). Nodes are SPEC §10 nodes; the output is the last one.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class CircuitTemplate:
    """One built-in circuit: its leaves (a range or a constant), nodes, decimals and how far
    apart the two args of a max gate must be drawn (so that the gate clearly picks one)."""

    id: str
    leaves: dict
    nodes: tuple
    decimals: int = 1
    #: The smallest |denominator| of a div and |base| of a negative power: no near-division by 0.
    min_divisor: float = 0.5

    def constants(self) -> tuple[str, ...]:
        """The leaves with a fixed value: part of the circuit, never asked."""
        return tuple(name for name, value in self.leaves.items() if not isinstance(value, tuple))


def _node(name, op, *args, **extra):
    return {"name": name, "op": op, "args": list(args), **extra}


CIRCUIT_TEMPLATES = {template.id: template for template in (
    # CS231n, "backprop in practice": f(x, y, z) = (x + y)·z, with integer inputs as in the notes.
    CircuitTemplate("cs231n", {"x": (-5, 5), "y": (-5, 5), "z": (-5, 5)},
                    (_node("q", "add", "x", "y"), _node("f", "mul", "q", "z")), decimals=0),
    # CS231n's sigmoid neuron f = 1/(1 + e^−(w0·x0 + w1·x1 + w2)), gate by gate.
    CircuitTemplate("sigmoid-neuron", {"w0": (-2, 2), "x0": (-2, 2), "w1": (-2, 2), "x1": (-2, 2),
                                       "w2": (-2, 2), "one": 1.0},
                    (_node("p0", "mul", "w0", "x0"), _node("p1", "mul", "w1", "x1"),
                     _node("s", "add", "p0", "p1", "w2"), _node("n", "neg", "s"), _node("e", "exp", "n"),
                     _node("d", "add", "e", "one"), _node("f", "pow", "d", exponent=-1))),
    # A value used twice (micrograd's +=): f = x·y + x.
    CircuitTemplate("fan-out", {"x": (-3, 3), "y": (-3, 3)},
                    (_node("p", "mul", "x", "y"), _node("f", "add", "p", "x"))),
    # CS231n's max gate routes the gradient: f = 2·(x·y + max(z, w)).
    CircuitTemplate("max-gate", {"x": (-3, 3), "y": (-3, 3), "z": (-3, 3), "w": (-3, 3), "two": 2.0},
                    (_node("q", "mul", "x", "y"), _node("m", "max", "z", "w"), _node("s", "add", "q", "m"),
                     _node("f", "mul", "s", "two"))),
    # A division gate: f = (x + y)/z, so ∂f/∂z = −(x + y)/z².
    CircuitTemplate("division", {"x": (-3, 3), "y": (-3, 3), "z": (-3, 3)},
                    (_node("q", "add", "x", "y"), _node("f", "div", "q", "z"))),
)}
