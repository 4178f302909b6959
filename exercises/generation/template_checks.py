"""The checks of a template's knobs that stand apart from the ``Template`` class: the layer and
activation knobs, the training knobs (batch, steps, regularization, dropout) and a given network
(the knobs read from it, and what may be set beside it). See ``template`` for the knobs."""

from exercises.generation import knobs
from exercises.generation.knobs import TemplateError
from tracer import SpecError, normalize
from tracer.activations import ACTIVATIONS

MAX_UNITS = 6          # units per layer of a hand exercise
MAX_HIDDEN_LAYERS = 3
# Knobs a given network sets itself (delta_convention may be set beside it, and then wins).
NETWORK_KNOBS = ("layers", "activations", "loss", "bias", "update_biases", "optimizer",
                 "learning_rate", "naming", "weights", "biases", "inputs", "targets", "batch",
                 "reduction", "iterations", "weight_decay", "dropout")


def with_network(knob_values: dict) -> dict:
    """A given network's knobs: no network knob beside it, and ``delta_convention`` (when
    set) written into the network."""
    for key in NETWORK_KNOBS:
        if key in knob_values:
            raise TemplateError(key, "is read from the given network; set it in the network, "
                                     "or leave the network out")
    network = knob_values["network"]
    if not isinstance(network, dict):
        raise TemplateError("network", "must be a network spec: a JSON object with layers, "
                                       "weights, inputs, targets and learning_rate")
    values = {key: value for key, value in knob_values.items() if key != "delta_convention"}
    if "delta_convention" in knob_values:
        convention = knobs.check_choice("delta_convention", knob_values["delta_convention"],
                                        knobs.DELTA_CONVENTIONS)
        values["network"] = {**network, "delta_convention": convention}
    return values


def network_knobs(network) -> dict:
    """The normalized given network and the template knobs read from it; TemplateError with
    the key ``network.…`` when the spec is malformed or is not one sample and one iteration."""
    if not isinstance(network, dict):
        raise TemplateError("network", "must be a network spec: a JSON object with layers, "
                                       "weights, inputs, targets and learning_rate")
    try:
        spec = normalize(network)
    except SpecError as error:
        key = f"network.{error.key}" if error.key else "network"
        raise TemplateError(key, error.message, ((error.template, error.params),)) from None
    if isinstance(spec["inputs"][0], list) and len(spec["inputs"]) != 1:
        raise TemplateError("network.inputs", "an exercise has one sample; this is a batch of "
                                              f"{len(spec['inputs'])}")
    if spec["iterations"] != 1:
        raise TemplateError("network.iterations", "an exercise is one iteration")
    try:
        check_layers(spec["layers"])
    except TemplateError as error:
        raise TemplateError("network.layers", error.message) from None
    activations = spec["activations"]
    return {
        "network": spec, "layers": tuple(spec["layers"]),
        "activations": activations if isinstance(activations, str) else tuple(activations),
        "loss": spec["loss"], "bias": spec["bias"], "update_biases": spec["update_biases"],
        "optimizer": spec["optimizer"], "learning_rate": spec["learning_rate"],
        "naming": spec["naming"], "delta_convention": spec.get("delta_convention", "gradient"),
        "reduction": spec["reduction"], "weight_decay": spec["weight_decay"],
        "dropout": None if spec["dropout"] is None else tuple(spec["dropout"]),
    }


def check_training(template, hidden: int) -> dict:
    """The batch, steps and regularization knobs, checked; dropout as a keep probability per
    hidden layer."""
    checked = {}
    if not knobs.is_int(template.batch) or not 1 <= template.batch <= knobs.MAX_BATCH:
        raise TemplateError("batch", f"must be a whole number of samples from 1 to {knobs.MAX_BATCH}")
    checked["reduction"] = knobs.check_choice("reduction", template.reduction, knobs.REDUCTIONS)
    if not knobs.is_int(template.iterations) or not 1 <= template.iterations <= knobs.MAX_ITERATIONS:
        raise TemplateError("iterations", f"must be a whole number of steps from 1 to {knobs.MAX_ITERATIONS}")
    if not knobs.is_number(template.weight_decay) or not 0 <= template.weight_decay <= 10:
        raise TemplateError("weight_decay", "must be a number λ from 0 to 10")
    checked["weight_decay"] = float(template.weight_decay)
    dropout = template.dropout
    if dropout is not None:
        if hidden < 1:
            raise TemplateError("dropout", "needs a hidden layer")
        keep = [dropout] * hidden if knobs.is_number(dropout) else dropout
        if not isinstance(keep, (list, tuple)) or len(keep) != hidden \
                or not all(knobs.is_number(p) and 0 < p <= 1 for p in keep):
            raise TemplateError("dropout", f"must be a keep probability in (0, 1], or a list of "
                                           f"{hidden} of them (one per hidden layer)")
        checked["dropout"] = tuple(float(p) for p in keep)
    return checked


def check_layers(value) -> tuple[int, ...]:
    """The ``layers`` knob as a tuple of unit counts; TemplateError unless it is a hand exercise's."""
    if not isinstance(value, (list, tuple)) or not all(knobs.is_int(n) for n in value):
        raise TemplateError("layers", "must be a list of unit counts, input layer first")
    if not 2 <= len(value) <= MAX_HIDDEN_LAYERS + 2:
        raise TemplateError("layers", f"a hand exercise has an input layer, at most "
                                      f"{MAX_HIDDEN_LAYERS} hidden layers and an output layer")
    if not all(1 <= n <= MAX_UNITS for n in value):
        raise TemplateError("layers", f"a hand exercise has 1 to {MAX_UNITS} units per layer")
    return tuple(value)


def check_activations(value, layer_count: int) -> str | tuple[str, ...]:
    """The ``activations`` knob: one registered name, or a tuple of one per layer after the input."""
    if isinstance(value, str):
        return knobs.check_choice("activations", value, ACTIVATIONS)
    if not isinstance(value, (list, tuple)) or len(value) != layer_count:
        raise TemplateError("activations", f"must be one name or a list of {layer_count} "
                                           "(one per layer after the input)")
    for index, name in enumerate(value):
        knobs.check_choice(f"activations[{index}]", name, ACTIVATIONS)
    return tuple(value)
