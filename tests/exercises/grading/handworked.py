"""Backpropagation worked by hand, unit by unit with ``math``, for the teacher cases.

This is how a teacher works an exercise on paper (SPEC §2): each pre-activation as a sum of
products, each activation and derivative from its closed form (σ(z) = 1/(1+e^−z), tanh,
ReLU, softmax), each δ from the loss derivative or the weighted sum of the next layer's δ,
each update θ − η·∂L/∂θ. It shares no code with the engine or the grader, so the grading table
checks them against an independent computation.

The same worksheet also plays a *student*: ``work(spec, **mistakes)`` makes the named mistakes
at the named places, exactly as the student would, and every downstream value follows from
the student's own (mistaken) numbers. ``overrides`` replaces a value by the one written on the
answer sheet before anything downstream reads it, and ``rounding`` rounds every value as it is
written down (a student who keeps too few digits).
"""
import math

_FACTOR = {"mse": lambda n: 2 / n, "half_sse": lambda n: 1.0, "sse": lambda n: 2.0}


def sigmoid(z):
    """σ(z) = 1/(1+e^−z), written so that it never overflows."""
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


def activate(name, z):
    """f(z) for one unit of an element-wise activation."""
    return {"sigmoid": sigmoid, "tanh": math.tanh, "relu": lambda v: max(v, 0.0),
            "linear": lambda v: v}[name](z)


def derivative(name, z):
    """f'(z): σ(z)(1−σ(z)), 1 − tanh²(z), 1 for z > 0 else 0 (ReLU), 1 (linear)."""
    if name == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if name == "tanh":
        return 1 - math.tanh(z) ** 2
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    return 1.0


def softmax(zs):
    """e^{z_j − max} / Σ e^{z_k − max}."""
    top = max(zs)
    exps = [math.exp(z - top) for z in zs]
    return [e / sum(exps) for e in exps]


def activations_of(spec):
    """The activation of each layer 1..L, as a list indexed by layer (index 0 unused)."""
    names = spec.get("activations", "sigmoid")
    depth = len(spec["layers"]) - 1
    return [None] + ([names] * depth if isinstance(names, str) else list(names))


def to_decimals(k):
    """A student who writes (and goes on with) every value rounded to ``k`` decimals."""
    return lambda value: round(value, k)


def to_figures(k):
    """A student who writes (and goes on with) every value rounded to ``k`` significant figures."""
    return lambda value: float(f"{value:.{k}g}")


def fields(spec, quantities=("delta", "w_new", "b_new")):
    """The asked field keys in the order a student computes them (SPEC §5): from the output
    layer back, each layer's δ, then its gradients, its weight updates and its bias updates;
    the seed naming numbers the output layer's weights by source unit (w5: h1→ŷ1, w6: h1→ŷ2)."""
    sizes = spec["layers"]
    depth = len(sizes) - 1
    keys = []
    for l in range(depth, 0, -1):
        pairs = [(j, k) for j in range(1, sizes[l] + 1) for k in range(1, sizes[l - 1] + 1)]
        if depth == 2 and l == depth and spec.get("naming", "seed") == "seed":
            pairs.sort(key=lambda pair: (pair[1], pair[0]))
        if "delta" in quantities:
            keys += [f"delta:{l}:{j}" for j in range(1, sizes[l] + 1)]
        for quantity in ("dL_dw", "w_new"):
            if quantity in quantities:
                keys += [f"{quantity}:{l}:{j}:{k}" for j, k in pairs]
        if "b_new" in quantities:
            keys += [f"b_new:{l}:{j}" for j in range(1, sizes[l] + 1)]
    return tuple(keys)


def given(spec, key):
    """The given value θ of the parameter a ``w_new`` or ``b_new`` key updates."""
    parts = key.split(":")
    l, j = int(parts[1]), int(parts[2])
    if parts[0] == "w_new":
        return spec["weights"][l - 1][j - 1][int(parts[3]) - 1]
    return spec["biases"][l - 1][j - 1]


def work(spec, *, overrides=None, rounding=None, slips=None, omit_bias=(), target_minus_output=(),
         loss_scale=None, no_derivative=(), derivative_at_output=(), updated_weights=(),
         swapped=(), partial=None, negative_delta=False, preactivation=(), ascent=(), no_rate=(),
         bias_kept=(), step_factor=None):
    """Every value of the one-sample, one-step exercise ``spec``, keyed as SPEC §5 keys them.

    With no keyword the result is the true worked solution. Each keyword is a student's habit,
    at the places it names: ``omit_bias`` {(l, j)} leaves b out of z; ``target_minus_output``
    {j} writes ∂L/∂ŷ_j as (y − ŷ); ``loss_scale`` {j: c} writes c·(ŷ − y); ``no_derivative``
    and ``derivative_at_output`` {(l, j)} drop f'(z) or take f'(a); ``updated_weights``,
    ``swapped`` {(l, j)} and ``partial`` {(l, j): k} change the weighted sum of a hidden δ (updated
    outgoing weights, W[j][k] for W[k][j], the term of unit k alone); ``negative_delta`` writes
    every δ as −∂L/∂z (and reads a written δ back with its sign turned) and updates θ + η·δ·a,
    the same numbers as θ − η·∂L/∂θ; ``preactivation`` {(l, j, k)} uses z instead of a
    in ∂L/∂w; ``ascent``, ``no_rate``, ``bias_kept`` {update key} step the wrong way,
    without η, not at all (a bias); ``step_factor`` {update key: k} takes k times the
    step; ``slips`` {key: factor} multiplies one value by a factor (an arithmetic slip).
    """
    overrides, slips, partial = overrides or {}, slips or {}, partial or {}
    loss_scale, step_factor = loss_scale or {}, step_factor or {}
    sizes, weights, biases = spec["layers"], spec["weights"], spec.get("biases")
    depth, eta = len(sizes) - 1, spec["learning_rate"]
    acts = activations_of(spec)
    values = {}

    def write(key, value):
        """Write a value down as the student does; return the number the work goes on with."""
        sign = -1.0 if negative_delta and key.startswith("delta:") else 1.0
        value = sign * value * slips.get(key, 1.0)
        if rounding is not None:
            value = rounding(value)
        values[key] = overrides.get(key, value)
        return sign * values[key]

    # Forward pass: z⁽ˡ⁾_j = Σ_k W⁽ˡ⁾[j][k]·a⁽ˡ⁻¹⁾_k + b⁽ˡ⁾_j, a⁽ˡ⁾_j = f(z⁽ˡ⁾_j).
    a = {(0, k): x for k, x in enumerate(spec["inputs"], 1)}
    z = {}
    for l in range(1, depth + 1):
        for j in range(1, sizes[l] + 1):
            total = sum(weights[l - 1][j - 1][k - 1] * a[l - 1, k] for k in range(1, sizes[l - 1] + 1))
            if biases is not None and (l, j) not in omit_bias:
                total += biases[l - 1][j - 1]
            z[l, j] = write(f"z:{l}:{j}", total)
        if acts[l] == "softmax":
            outs = softmax([z[l, j] for j in range(1, sizes[l] + 1)])
            for j in range(1, sizes[l] + 1):
                a[l, j] = write(f"a:{l}:{j}", outs[j - 1])
        else:
            for j in range(1, sizes[l] + 1):
                a[l, j] = write(f"a:{l}:{j}", activate(acts[l], z[l, j]))

    # Loss.
    n, loss_name = sizes[depth], spec.get("loss", "mse")
    ys = spec["targets"]
    outputs = [a[depth, j] for j in range(1, n + 1)]
    if loss_name == "cross_entropy":
        loss = -sum(y * math.log(min(max(p, 1e-12), 1 - 1e-12)) for y, p in zip(ys, outputs))
    else:
        squares = sum((y - p) ** 2 for y, p in zip(ys, outputs))
        loss = {"mse": squares / n, "half_sse": squares / 2, "sse": squares}[loss_name]
    write("loss", loss)

    def local_derivative(l, j):
        if (l, j) in derivative_at_output:
            return derivative(acts[l], a[l, j])
        return derivative(acts[l], z[l, j])

    # Output δ: ∂L/∂ŷ_j·f'(z_j); softmax with cross-entropy: ŷ_j − y_j.
    delta = {}
    for j in range(1, n + 1):
        difference = ys[j - 1] - a[depth, j] if j in target_minus_output else a[depth, j] - ys[j - 1]
        if acts[depth] == "softmax":
            delta[depth, j] = write(f"delta:{depth}:{j}", difference)
            continue
        factor = loss_scale.get(j, _FACTOR[loss_name](n))
        dl_da = write(f"dL_da:{depth}:{j}", factor * difference)
        slope = write(f"da_dz:{depth}:{j}", local_derivative(depth, j))
        delta[depth, j] = write(f"delta:{depth}:{j}",
                                dl_da if (depth, j) in no_derivative else dl_da * slope)

    def weight_used(l, k, j):
        """W⁽ˡ⁺¹⁾[k][j] as the student reads it for the δ of unit (l, j)."""
        if (l, j) in swapped:
            return weights[l][j - 1][k - 1]
        w = weights[l][k - 1][j - 1]
        if (l, j) in updated_weights:
            key = f"w_new:{l + 1}:{k}:{j}"
            return overrides.get(key, w - eta * delta[l + 1, k] * a[l, j])
        return w

    # Hidden δ: (Σ_k W⁽ˡ⁺¹⁾[k][j]·δ⁽ˡ⁺¹⁾_k)·f'(z⁽ˡ⁾_j), with the weights before the update.
    for l in range(depth - 1, 0, -1):
        for j in range(1, sizes[l] + 1):
            downstream = [partial[l, j]] if (l, j) in partial else range(1, sizes[l + 1] + 1)
            dl_da = write(f"dL_da:{l}:{j}", sum(weight_used(l, k, j) * delta[l + 1, k] for k in downstream))
            slope = write(f"da_dz:{l}:{j}", local_derivative(l, j))
            delta[l, j] = write(f"delta:{l}:{j}", dl_da if (l, j) in no_derivative else dl_da * slope)

    # Gradients and updates, after the whole backward pass.
    def update(key, theta, gradient):
        step = -eta * gradient
        if key in ascent:
            step = -step
        if key in no_rate:
            step = step / eta
        if key in bias_kept:
            step = 0.0
        step *= step_factor.get(key, 1.0)
        write(key, theta + step)

    for l in range(1, depth + 1):
        for j in range(1, sizes[l] + 1):
            for k in range(1, sizes[l - 1] + 1):
                source = z[l - 1, k] if (l, j, k) in preactivation else a[l - 1, k]
                gradient = write(f"dL_dw:{l}:{j}:{k}", delta[l, j] * source)
                update(f"w_new:{l}:{j}:{k}", weights[l - 1][j - 1][k - 1], gradient)
            if biases is not None:
                write(f"dL_db:{l}:{j}", delta[l, j])
                update(f"b_new:{l}:{j}", biases[l - 1][j - 1], delta[l, j])
    return values
