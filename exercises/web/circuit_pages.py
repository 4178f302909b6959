"""Circuit exercises in the browser (SPEC §10): the circuit drawn as CS231n draws it, the
statement, the answer fields and the worked walkthrough in reverse topological order.

The diagram puts every leaf and node on a column by its depth, an operation in each circle,
and on each wire the value flowing forward above it (green) and, in the solution, the gradient
flowing back along it below (red): ∂f/∂node · ∂node/∂arg for the wire arg → node.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from exercises.web.answer_fields import FieldGroup, FieldView, input_id
from exercises.web.circuit_titles import GIVEN_TITLE, TITLES
from exercises.web.mathml import equation, math
from exercises.web.solutions import trace_rows
from exercises.web.stored_feedback import FieldResult, latest_attempt
from exercises.web.walkthrough import Section, Walkthrough, WalkthroughStep
from tracer.circuit import OPS, tex
from tracer.circuit.keys import circuit_key
from tracer.latex import num

COLUMN, ROW, MARGIN, RADIUS = 170, 96, 50, 22
OP_LABELS = {"add": "+", "mul": "×", "sub": "−", "div": "÷", "max": "max", "neg": "−x", "exp": "exp",
             "log": "ln", "relu": "relu", "sigmoid": "σ", "tanh": "tanh"}


@dataclass
class Wire:
    """One edge of the diagram, from ``start`` to ``end``, with its labels (None: not shown)."""

    x1: float
    y1: float
    x2: float
    y2: float
    value: str | None = None
    grad: str | None = None

    @property
    def mid(self) -> tuple[float, float]:
        return (self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2


@dataclass
class Circle:
    """A leaf (no op) or a node, with its name and operation label."""

    x: float
    y: float
    name: str
    op: str | None


@dataclass
class CircuitDiagram:
    width: int
    height: int
    circles: list[Circle] = field(default_factory=list)
    wires: list[Wire] = field(default_factory=list)


def _op_label(node: dict) -> str:
    if node["op"] == "pow":
        return "1/x" if node["exponent"] == -1 else f"x^{node['exponent']}"
    return OP_LABELS[node["op"]]


def layout(spec: dict, values: dict | None = None, grads: dict | None = None) -> CircuitDiagram:
    """The circuit's diagram. ``values`` (name → value) labels wires above, leaves' given
    values when None; ``grads`` ((arg, node) → gradient along that wire, and the output's)
    labels them below."""
    graph = spec["graph"]
    values = values if values is not None else dict(graph["leaves"])
    depth = {}
    for node in graph["nodes"]:
        depth[node["name"]] = 1 + max(depth.get(a, 0) for a in node["args"])
    for node in graph["nodes"]:
        for arg in node["args"]:
            if arg in graph["leaves"]:
                depth[arg] = min(depth.get(arg, depth[node["name"]] - 1), depth[node["name"]] - 1)
    rows: dict[int, int] = {}
    place = {}
    for name in [*graph["leaves"], *(n["name"] for n in graph["nodes"])]:
        column = depth[name]
        place[name] = (MARGIN + 20 + column * COLUMN, MARGIN + rows.get(column, 0) * ROW)
        rows[column] = rows.get(column, 0) + 1
    output = graph["output"]
    width = MARGIN * 2 + 20 + (max(depth.values()) + 1) * COLUMN
    diagram = CircuitDiagram(width, MARGIN * 2 + (max(rows.values()) - 1) * ROW)
    ops = {n["name"]: _op_label(n) for n in graph["nodes"]}
    diagram.circles = [Circle(x, y, name, ops.get(name)) for name, (x, y) in place.items()]
    grads = grads or {}
    for node in graph["nodes"]:
        x2, y2 = place[node["name"]]
        for arg in node["args"]:
            x1, y1 = place[arg]
            diagram.wires.append(Wire(x1 + RADIUS, y1, x2 - RADIUS, y2,
                                      _label(values.get(arg)), _label(grads.get((arg, node["name"])))))
    x, y = place[output]
    diagram.wires.append(Wire(x + RADIUS, y, x + COLUMN - 40, y, _label(values.get(output)),
                              _label(grads.get((output, None)))))
    return diagram


def _label(value) -> str | None:
    return None if value is None else num(value).replace("-", "−")


def solved_layout(spec: dict, rows: list[dict]) -> CircuitDiagram:
    """The diagram with every value above its wires and every wire's gradient below."""
    values = {r["node"]: r["value"] for r in rows if r["quantity"] == "value"}
    final = {r["node"]: r["value"] for r in rows if r["quantity"] == "grad"}
    grads = {(spec["graph"]["output"], None): 1.0}
    for r in rows:
        if r["quantity"] == "local_grad":
            grads[(r["arg"], r["node"])] = final[r["node"]] * r["value"]
    return layout(spec, values, grads)


def statement(spec: dict) -> dict:
    """The given leaves and each node's formula (the ops' own LaTeX, as the engine writes it),
    as MathML."""
    graph = spec["graph"]
    formulas = [math(f"{tex(n['name'])} = " + OPS[n["op"]].tex([tex(a) for a in n["args"]], n.get("exponent")))
                for n in graph["nodes"]]
    leaves = [math(f"{tex(name)} = {num(value)}") for name, value in graph["leaves"].items()]
    return {"formulas": formulas, "leaves": leaves, "output": graph["output"]}


def _symbol_latex(key: str, output: str) -> str:
    quantity, name, *arg = key.split(":")
    if quantity == "value":
        return tex(name)
    top, bottom = (output, name) if quantity == "grad" else (name, arg[0])
    return f"\\frac{{\\partial {tex(top)}}}{{\\partial {tex(bottom)}}}"


def _describe(key: str, output: str) -> str:
    quantity, name, *arg = key.split(":")
    if quantity == "value":
        return _("value of node %(node)s", node=name)
    if quantity == "grad":
        return _("gradient of the output %(output)s with respect to %(name)s", output=output, name=name)
    return _("local gradient of node %(node)s with respect to %(arg)s", node=name, arg=arg[0])


def field_groups(spec: dict, fields: list[dict]) -> list[FieldGroup]:
    """The circuit's fields under two headings: the forward pass, then the backward pass."""
    output = spec["graph"]["output"]
    groups: list[FieldGroup] = []
    for stored in fields:
        title = _("Forward pass: node values") if stored["key"].startswith("value:") \
            else _("Backward pass, from the output back")
        if not groups or groups[-1].title != title:
            groups.append(FieldGroup(title))
        groups[-1].fields.append(FieldView(key=stored["key"], input_id=input_id(stored["key"]),
                                           symbol_math=math(_symbol_latex(stored["key"], output)),
                                           description=_describe(stored["key"], output)))
    return groups


def walkthrough(spec: dict, rows: list[dict], asked=(), answers: dict[str, FieldResult] | None = None) -> Walkthrough:
    """The trace as given leaves, the forward pass in node order, and the backward pass in
    reverse topological order; a gradient's field sits on its last (complete) row."""
    output, asked, answers = spec["graph"]["output"], set(asked), answers or {}
    last = {r["node"]: r["step"] for r in rows if r["quantity"] == "grad"}
    titles = {"input": (_("Given"), True), "forward": (_("Forward pass, node by node"), False),
              "backward": (_("Backward pass, in reverse order (gradients of a value used twice add up)"), False)}
    sections: dict[str, Section] = {}
    for r in rows:
        title, givens = titles[r["phase"]]
        section = sections.setdefault(r["phase"], Section(title, [], givens))
        key = circuit_key(r["quantity"], r["node"], r["arg"])
        if r["quantity"] == "grad" and last[r["node"]] != r["step"]:
            key = None  # a partial sum of a fanned-out gradient
        symbol = _symbol_latex(key or circuit_key("grad", r["node"]), output)
        shown = (f"{symbol} = {num(r['value'])}",) if r["phase"] == "input" else (
            symbol, r["formula"], r["substituted"], num(r["value"]))
        section.steps.append(WalkthroughStep(number=r["step"], key=key, equation=equation(*shown), asked=key in asked,
                                  answer=answers.get(key) if key in asked else None))
    return Walkthrough(list(sections.values()), len(rows), len(rows))


def exercise_parts(spec: dict, fields: list[dict]) -> dict:
    """What an unsolved circuit exercise's page shows: the statement, the diagram with the
    given values, the answer form's groups, and the diagram's caption."""
    return {"statement": statement(spec), "diagram": layout(spec),
            "groups": field_groups(spec, fields), "circuit": {"caption": caption(False)}}


def circuit_heading(template: dict) -> tuple[str, str]:
    """A circuit exercise's title and description in the reader's language."""
    if template.get("circuit") in TITLES:
        title, description = TITLES[template["circuit"]]
        return _(title), _(description)
    return _(GIVEN_TITLE), _("The circuit you gave, exactly as written.")


def caption(solved: bool) -> str:
    """The diagram's caption in the reader's language."""
    if solved:
        return _("The circuit: values flow forward above the wires (green), gradients flow back "
                 "below them (red).")
    return _("The circuit with its given values above the wires; each circle is one operation.")


def solution_of(exercise) -> tuple[CircuitDiagram, Walkthrough | None]:
    """The solution page's diagram and walkthrough: the given circuit and None before the
    reveal; after it, every value and gradient on the wires and the walkthrough with the
    student's latest answers beside the true values."""
    spec = exercise.spec
    if not exercise.revealed:
        return layout(spec), None
    rows = list(trace_rows(exercise))
    attempt = latest_attempt(exercise)
    return solved_layout(spec, rows), walkthrough(spec, rows, [f["key"] for f in exercise.fields],
                                                  attempt.fields if attempt else {})
