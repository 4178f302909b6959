"""Validation of network specs (SPEC §3) into a :class:`Network` ready to compute.

Every malformed or inconsistent spec fails with one :class:`SpecError` naming the offending key
(``weights[1][0]``, ``optimizer.beta1``, ``loss`` …) before anything is computed.
"""

import numpy as np

from tracer import activations, checks, losses
from tracer.activations import ACTIVATIONS
from tracer.checks import SpecError
from tracer.losses import LOSSES

BIAS_MODES = ("per_unit", "shared", "none")
REDUCTIONS = ("mean", "sum")
NAMINGS = ("seed", "sequential", "matrix")
# What δ denotes: ∂L/∂z (the seed post's) or −∂L/∂z (Mitchell, Russell–Norvig). Only the δ
# rows and the formulas written with δ differ; gradients and updates are the same numbers.
DELTA_CONVENTIONS = ("gradient", "negative")
OPTIMIZERS = {"sgd": {}, "momentum": {"momentum": 0.9}, "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}}
REQUIRED = ("layers", "weights", "inputs", "targets", "learning_rate")
OPTIONAL = ("activations", "loss", "biases", "bias", "update_biases", "optimizer", "reduction",
            "iterations", "naming", "leaky_relu_slope", "delta_convention", "weight_decay",
            "dropout", "dropout_masks")
KNOWN = frozenset(REQUIRED + OPTIONAL)
MAX_PARAMETERS = 10**7
MAX_ITERATIONS = 1000

__all__ = ["SpecError", "Network", "compile_spec", "normalize"]


class Network:
    """A validated spec: the knobs as plain values and every number as a float64 array."""

    __slots__ = ("sizes", "activations", "loss", "bias", "update_biases", "weights", "biases",
                 "inputs", "targets", "learning_rate", "optimizer", "reduction", "iterations",
                 "naming", "slope", "delta_convention", "parameters", "weight_decay", "keep", "masks")

    def spec(self) -> dict:
        """Return the normalized spec: every default filled in, numbers as lists of floats."""
        if self.bias == "per_unit":
            biases = [b.tolist() for b in self.biases]
        else:
            biases = None if self.bias == "none" else list(self.biases)
        return {
            "layers": list(self.sizes), "activations": list(self.activations), "loss": self.loss,
            "weights": [w.tolist() for w in self.weights], "biases": biases, "bias": self.bias,
            "update_biases": self.update_biases, "inputs": self.inputs.tolist(),
            "targets": self.targets.tolist(), "learning_rate": self.learning_rate,
            "optimizer": dict(self.optimizer), "reduction": self.reduction,
            "iterations": self.iterations, "naming": self.naming, "leaky_relu_slope": self.slope,
            "delta_convention": self.delta_convention, "weight_decay": self.weight_decay,
            "dropout": None if self.keep is None else list(self.keep),
            "dropout_masks": None if self.masks is None else [
                [mask[s].astype(int).tolist() for mask in self.masks] for s in range(len(self.inputs))],
        }


def _choice(spec, key, options, default):
    value = spec.get(key, default)
    if type(value) is not str or value not in options:
        raise SpecError(key, "must be one of %(options)s; got %(got)s", options=", ".join(options),
                        got=repr(value))
    return value


def _layers(spec):
    sizes = spec["layers"]
    if type(sizes) is not list or len(sizes) < 2:
        raise SpecError("layers", "must be a list of at least two layer sizes (inputs, …, outputs)")
    for i, n in enumerate(sizes):
        if type(n) is not int or n < 1:
            raise SpecError(f"layers[{i}]", "must be a positive integer, got %(got)s", got=repr(n))
    return tuple(sizes)


def _activations(spec, depth):
    names = spec.get("activations", "sigmoid")
    if type(names) is str:
        names = [names] * depth
    elif type(names) is not list or len(names) != depth:
        raise SpecError("activations", "must be one name or a list of %(n)s names, one per layer 1..%(n)s",
                        n=str(depth))
    for i, name in enumerate(names):
        if type(name) is not str or name not in ACTIVATIONS:
            raise SpecError(f"activations[{i}]", "must be one of %(options)s; got %(got)s",
                            options=", ".join(ACTIVATIONS), got=repr(name))
        if not activations.get(name).elementwise and i < depth - 1:
            key = f"activations[{i}]" if isinstance(spec.get("activations"), list) else "activations"
            raise SpecError(key, "%(name)s is allowed only in the output layer", name=name)
    return tuple(names)


def _loss(spec, output):
    loss = _choice(spec, "loss", LOSSES, "mse")
    needed = losses.get(loss).fused
    if needed is not None and output != needed:
        raise SpecError("loss", "%(loss)s needs %(activation)s outputs; the output activation is %(output)s",
                        loss=loss, activation=needed, output=output)
    return loss


def _biases(spec, net):
    if net.bias == "none":
        if spec.get("biases") is not None:
            raise SpecError("biases", 'must be absent or null when bias is "none"')
        return [None] * len(net.weights)
    given = spec.get("biases")
    sizes = net.sizes[1:]
    if given is None:
        return [np.zeros(n) for n in sizes] if net.bias == "per_unit" else [0.0] * len(sizes)
    if type(given) is not list or len(given) != len(sizes):
        raise SpecError("biases", "must be a list with one entry per layer 1..%(n)s", n=str(len(sizes)))
    if net.bias == "per_unit":
        return [checks.array(b, (n,), f"biases[{i}]") for i, (b, n) in enumerate(zip(given, sizes))]
    return [checks.number(b, f"biases[{i}]") for i, b in enumerate(given)]


def _targets(net):
    if len(net.targets) != len(net.inputs):
        raise SpecError("targets", "has %(targets)s samples but inputs has %(inputs)s",
                        targets=str(len(net.targets)), inputs=str(len(net.inputs)))
    loss = losses.get(net.loss)
    if loss.probabilities:
        outside = (net.targets < 0.0) | (net.targets > 1.0)
        if outside.any():
            s, j = np.argwhere(outside)[0].tolist()
            raise SpecError(f"targets[{s}][{j}]", "%(loss)s targets must lie in [0, 1]", loss=net.loss)
    if loss.distribution:
        for s, total in enumerate(net.targets.sum(axis=1).tolist()):
            if abs(total - 1.0) > 1e-9:
                raise SpecError(f"targets[{s}]", "%(loss)s targets of a sample must sum to 1, got %(got)s",
                                loss=net.loss, got=repr(total))


def _optimizer(spec):
    given = spec.get("optimizer", "sgd")
    params = {"name": given} if type(given) is str else given
    if type(params) is not dict or type(params.get("name")) is not str or params["name"] not in OPTIMIZERS:
        raise SpecError("optimizer", "must be one of %(options)s, or an object with such a name",
                        options=", ".join(OPTIMIZERS))
    result = {"name": params["name"], **OPTIMIZERS[params["name"]]}
    for key, value in params.items():
        if key == "name":
            continue
        if key not in result:
            raise SpecError(f"optimizer.{key}", "is not a parameter of %(name)s", name=params["name"])
        value = checks.number(value, f"optimizer.{key}")
        low_ok = value > 0.0 if key == "eps" else value >= 0.0
        if not low_ok or (key != "eps" and value >= 1.0):
            if key == "eps":
                raise SpecError(f"optimizer.{key}", "must be > 0")
            raise SpecError(f"optimizer.{key}", "must lie in [0, 1)")
        result[key] = value
    return result


def _scalars(spec, net):
    net.learning_rate = checks.number(spec["learning_rate"], "learning_rate")
    if net.learning_rate <= 0.0:
        raise SpecError("learning_rate", "must be greater than 0")
    net.reduction = _choice(spec, "reduction", REDUCTIONS, "mean")
    iterations = spec.get("iterations", 1)
    if type(iterations) is not int or not 1 <= iterations <= MAX_ITERATIONS:
        raise SpecError("iterations", "must be an integer from 1 to %(most)s, got %(got)s",
                        most=str(MAX_ITERATIONS), got=repr(iterations))
    net.iterations = iterations
    net.slope = checks.number(spec.get("leaky_relu_slope", 0.01), "leaky_relu_slope")
    if not 0.0 <= net.slope < 1.0:
        raise SpecError("leaky_relu_slope", "must lie in [0, 1)")
    update = spec.get("update_biases", True)
    if type(update) is not bool:
        raise SpecError("update_biases", "must be true or false, got %(got)s", got=repr(update))
    net.update_biases = update
    net.delta_convention = _choice(spec, "delta_convention", DELTA_CONVENTIONS, "gradient")


def _weight_decay(spec):
    value = checks.number(spec.get("weight_decay", 0.0), "weight_decay")
    if value < 0.0:
        raise SpecError("weight_decay", "must be ≥ 0 (the L2 coefficient λ), got %(got)s", got=repr(value))
    return value


def _dropout(spec, net):
    """The keep probabilities (one per hidden layer) and the masks as one (samples, units)
    array per hidden layer; (None, None) without dropout."""
    keep, masks = spec.get("dropout"), spec.get("dropout_masks")
    hidden = net.sizes[1:-1]
    if keep is None:
        if masks is not None:
            raise SpecError("dropout_masks", "needs dropout (a keep probability per hidden layer) beside it")
        return None, None
    if not hidden:
        raise SpecError("dropout", "needs a hidden layer; this network has none")
    if type(keep) is not list or len(keep) != len(hidden):
        raise SpecError("dropout", "must be a list of %(n)s keep probabilities, one per hidden layer",
                        n=str(len(hidden)))
    keep = tuple(checks.number(p, f"dropout[{i}]") for i, p in enumerate(keep))
    for i, p in enumerate(keep):
        if not 0.0 < p <= 1.0:
            raise SpecError(f"dropout[{i}]", "a keep probability must lie in (0, 1], got %(got)s", got=repr(p))
    count = len(net.inputs)
    if masks is None:
        raise SpecError("dropout_masks", "is required with dropout: per sample, a list of %(n)s hidden "
                        "layers' masks, each a 0/1 list per unit", n=str(len(hidden)))
    if count == 1 and type(masks) is list and masks and type(masks[0]) is list and masks[0] \
            and type(masks[0][0]) is not list:
        masks = [masks]  # one sample's masks, without the sample level
    if type(masks) is not list or len(masks) != count:
        raise SpecError("dropout_masks", "must be a list of %(count)s samples: per sample, a list of "
                        "%(n)s hidden layers' masks, each a 0/1 list per unit", count=str(count),
                        n=str(len(hidden)))
    arrays = [np.empty((count, n)) for n in hidden]
    for s, sample in enumerate(masks):
        if type(sample) is not list or len(sample) != len(hidden):
            raise SpecError(f"dropout_masks[{s}]", "must be a list of %(n)s masks, one per hidden layer",
                            n=str(len(hidden)))
        for i, (mask, n) in enumerate(zip(sample, hidden)):
            key = f"dropout_masks[{s}][{i}]"
            if type(mask) is not list or len(mask) != n:
                raise SpecError(key, "must be a list of %(n)s values 0 or 1, one per unit of hidden layer "
                                "%(layer)s", n=str(n), layer=str(i + 1))
            for j, m in enumerate(mask):
                if type(m) not in (int, float) or m not in (0, 1):
                    raise SpecError(f"{key}[{j}]", "must be 0 or 1, got %(got)s", got=repr(m))
            arrays[i][s] = mask
    return keep, arrays


def compile_spec(spec: dict, parameters: bool = True) -> Network:
    """Validate ``spec`` and return the :class:`Network` it describes, or raise SpecError.

    Without ``parameters`` its weights and biases are neither read nor checked (both None):
    for a reader that takes them from a stored trace of the spec (``skeleton_stored``)."""
    if type(spec) is not dict:
        raise SpecError("", "a network spec must be a JSON object, got %(got)s", got=type(spec).__name__)
    for key in spec:
        if key not in KNOWN:
            raise SpecError(str(key) or '""', "is not a spec key")  # the empty key is named ""
    for key in REQUIRED:
        if key not in spec:
            raise SpecError(key, "is required")
    net = Network()
    net.sizes = sizes = _layers(spec)
    net.activations = _activations(spec, len(sizes) - 1)
    net.loss = _loss(spec, net.activations[-1])
    net.bias = _choice(spec, "bias", BIAS_MODES, "per_unit")
    biases = 0 if net.bias == "none" else (sum(sizes[1:]) if net.bias == "per_unit" else len(sizes) - 1)
    net.parameters = count = sum(a * b for a, b in zip(sizes, sizes[1:])) + biases
    if count > MAX_PARAMETERS:
        raise SpecError("layers", "%(count)s parameters; at most %(most)s are traced", count=str(count),
                        most=str(MAX_PARAMETERS))
    net.naming = _choice(spec, "naming", NAMINGS, "seed" if len(sizes) == 3 else "matrix")
    if net.naming == "seed" and len(sizes) != 3:
        raise SpecError("naming", "seed naming needs exactly one hidden layer; this network has %(n)s",
                        n=str(len(sizes) - 2))
    net.weights = net.biases = None
    if parameters:
        weights = spec["weights"]
        if type(weights) is not list or len(weights) != len(sizes) - 1:
            raise SpecError("weights", "must be a list of %(n)s matrices, one per layer 1..%(n)s",
                            n=str(len(sizes) - 1))
        shapes = zip(weights, sizes[1:], sizes)
        net.weights = [checks.array(w, (n, m), f"weights[{i}]") for i, (w, n, m) in enumerate(shapes)]
        net.biases = _biases(spec, net)
    net.inputs = checks.samples(spec["inputs"], sizes[0], "inputs")
    net.targets = checks.samples(spec["targets"], sizes[-1], "targets")
    _targets(net)
    _scalars(spec, net)
    net.optimizer = _optimizer(spec)
    net.weight_decay = _weight_decay(spec)
    net.keep, net.masks = _dropout(spec, net)
    return net


def normalize(spec: dict) -> dict:
    """Validate ``spec`` and return it with every default filled in (SPEC §2, §3)."""
    return compile_spec(spec).spec()
