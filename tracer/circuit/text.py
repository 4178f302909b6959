"""The ``text`` format of a circuit: given leaves, the forward pass in node order, then the
backward pass in reverse node order, each line ``symbol = formula = numbers = value`` (repeated parts once)."""


def _line(row):
    if row["phase"] == "input":
        return f"  {row['symbol']} = {row['value']!r}"
    parts = []
    for part in (row["formula"], row["substituted"], f"{row['value']:.10g}"):
        if part not in parts:  # ∂f/∂f = 1, not 1 = 1 = 1
            parts.append(part)
    return f"  {row['symbol']} = " + " = ".join(parts)


def render_circuit_text(trace) -> str:
    """Return the walkthrough of a circuit's trace as one string."""
    graph = trace.spec["graph"]
    titles = {"input": "Given", "forward": "1. Forward pass (node order)",
              "backward": "2. Backward pass (reverse node order; a value used twice sums its gradients)"}
    lines = [f"Circuit of {len(graph['nodes'])} nodes, output {graph['output']}"]
    phase = None
    for row in trace.rows():
        if row["phase"] != phase:
            phase = row["phase"]
            lines += ["", titles[phase]]
        lines.append(_line(row))
    return "\n".join(lines) + "\n"
