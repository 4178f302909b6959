"""The network spec (SPEC §3) of an exercise: built from a template's knobs and drawn values.

An exercise is one sample and one iteration unless its template asks for a batch or several
steps. The same function builds the placeholder spec that validates a template (zeros
everywhere) and the real spec of each generated try.
"""


def layer_activations(spec: dict) -> list[str]:
    """The activation of every layer 1..L of a spec, whether it names one or lists them."""
    activations = spec["activations"]
    if isinstance(activations, str):
        return [activations] * (len(spec["layers"]) - 1)
    return list(activations)


def build_spec(template, weights: list, biases: list | None, inputs: list, targets: list,
               masks: list | None = None) -> dict:
    """The network spec of ``template`` holding the given values (biases None for bias ``none``;
    inputs and targets one list per sample; masks per sample and hidden layer, with dropout).

    Only knobs the template sets are written; ``tracer.normalize`` fills in the rest.
    """
    spec = {
        "layers": list(template.layers),
        "activations": template.activations if isinstance(template.activations, str)
        else list(template.activations),
        "loss": template.loss,
        "bias": template.bias,
        "update_biases": template.update_biases,
        "weights": weights,
        "inputs": inputs,
        "targets": targets,
        "learning_rate": template.learning_rate,
        "optimizer": template.optimizer if isinstance(template.optimizer, str)
        else dict(template.optimizer),
        "iterations": template.iterations,
        "reduction": template.reduction,
    }
    if template.batch == 1:
        spec["inputs"], spec["targets"] = inputs[0], targets[0]
    if template.weight_decay:
        spec["weight_decay"] = template.weight_decay
    if template.dropout is not None:
        spec["dropout"], spec["dropout_masks"] = list(template.dropout), masks
    if biases is not None:
        spec["biases"] = biases
    if template.naming is not None:
        spec["naming"] = template.naming
    if template.delta_convention != "gradient":
        spec["delta_convention"] = template.delta_convention
    return spec


def placeholder_spec(template) -> dict:
    """The template's network with every value zero (a one-hot or mid-range target), used only
    to let the engine validate the network-level knobs."""
    layers = template.layers
    weights = [[[0.0] * layers[l - 1] for _ in range(layers[l])] for l in range(1, len(layers))]
    if template.bias == "none":
        biases = None
    elif template.bias == "shared":
        biases = [0.0] * (len(layers) - 1)
    else:
        biases = [[0.0] * size for size in layers[1:]]
    if template.target_values() == "one_hot":
        targets = [1.0] + [0.0] * (layers[-1] - 1)
    else:
        targets = [0.5] * layers[-1]
    masks = [[[1] * n for n in layers[1:-1]] for _ in range(template.batch)]
    return build_spec(template, weights, biases, [[0.0] * layers[0]] * template.batch,
                      [targets] * template.batch, masks)
