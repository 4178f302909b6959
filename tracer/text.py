"""The ``text`` format: a readable walkthrough of a trace in the order of the seed post.

Per iteration: the given values, the feedforward, the loss, then from the output layer down
each layer's error signals followed by its gradients and updates — output error signals,
output updates, hidden error signals, hidden updates — each line ``symbol = formula =
numbers = value``. The header says what δ denotes (the spec's ``delta_convention``).
"""

ERROR_SIGNALS = ("dL_da", "da_dz", "delta")
DELTA_MEANING = {
    "gradient": "Error signals: δ = ∂L/∂z (delta_convention gradient), so ∂L/∂w = δ·a",
    "negative": ("Error signals: δ = −∂L/∂z (delta_convention negative, as in Mitchell and Russell–Norvig), "
                 "so ∂L/∂w = −δ·a and the update θ⁺ = θ − η·∂L/∂θ is θ + η·δ·a (sgd, one sample)"),
}


def _line(row, batch):
    sample = f"[sample {row['sample']}] " if batch and row["sample"] is not None else ""
    if row["phase"] == "input":
        if row["quantity"] in ("x", "y", "mask"):
            return f"  {sample}{row['symbol']} = {row['value']!r}"
        return f"  {row['symbol']} = {row['value']!r}"
    return f"  {sample}{row['symbol']} = {row['formula']} = {row['substituted']} = {row['value']:.10g}"


def _layer_title(layer, depth):
    return "output layer" if layer == depth else f"hidden layer {layer}" if depth > 2 else "hidden layer"


def _iteration(rows, depth, learning_rate, batch):
    given = [r for r in rows if r["phase"] == "input"]
    forward = [r for r in rows if r["phase"] == "forward"]
    loss = [r for r in rows if r["phase"] == "loss"]
    errors = {l: [] for l in range(1, depth + 1)}
    updates = {l: [] for l in range(1, depth + 1)}
    for row in rows:
        if row["phase"] == "backward" and row["quantity"] in ERROR_SIGNALS:
            errors[row["layer"]].append(row)
        elif row["phase"] in ("backward", "update"):
            updates[row["layer"]].append(row)
    sections = [("Given", [*given, None]), ("Feedforward", forward), ("Loss", loss)]
    for l in range(depth, 0, -1):
        title = _layer_title(l, depth)
        sections.append((f"Error signals, {title}", errors[l]))
        sections.append((f"Gradients and updates, {title}", updates[l]))
    lines = []
    for number, (title, section) in enumerate(sections):
        lines.append(f"{number}. {title}" if number else title)
        lines.extend(f"  η = {learning_rate!r}" if row is None else _line(row, batch) for row in section)
    return lines


def render_text(trace) -> str:
    """Return the walkthrough of every iteration of ``trace`` as one string."""
    spec = trace.spec
    depth = len(spec["layers"]) - 1
    header = (f"Network {'-'.join(map(str, spec['layers']))}, activations {', '.join(spec['activations'])}, "
              f"loss {spec['loss']}, optimizer {spec['optimizer']['name']}, naming {spec['naming']}")
    lines = [header, DELTA_MEANING[spec["delta_convention"]]]
    current, rows = None, []
    for row in [*trace.rows(), None]:
        if row is None or row["iteration"] != current:
            if rows:
                lines += ["", f"Iteration {current} of {spec['iterations']}"]
                lines += _iteration(rows, depth, spec["learning_rate"], len(spec["inputs"]) > 1)
            if row is None:
                break
            current, rows = row["iteration"], []
        rows.append(row)
    return "\n".join(lines) + "\n"
