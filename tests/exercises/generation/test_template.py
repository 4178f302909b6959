"""Exercise templates: defaults, validation of every knob, round trips and overrides."""

import dataclasses
import json

import pytest

from exercises.generation import BUILTIN_TEMPLATES, Template, TemplateError, ValueRange

SOFTMAX = {"layers": [2, 3, 3], "activations": ["sigmoid", "softmax"], "loss": "cross_entropy"}
NETWORK = {"layers": [2, 2], "weights": [[[0.1, -0.2], [0.3, 0.4]]], "inputs": [0.5, -0.3],
           "targets": [0.2, 0.9], "learning_rate": 0.5}


def test_defaults_are_the_seed_network_asking_deltas_and_updates():
    template = Template.from_dict({})
    assert template == Template()
    assert template.layers == (2, 2, 2)
    assert (template.activations, template.loss, template.bias) == ("sigmoid", "mse", "per_unit")
    assert template.learning_rate == 0.5
    assert template.asked_quantities() == ("delta", "w_new", "b_new")
    assert template.answer_digits == "auto"
    assert template.delta_convention == "gradient"
    assert template.tolerance == {"mode": "relabs", "rtol": 1e-2, "atol": 0.0, "digits": None}
    assert (template.attempts, template.ecf_credit, template.feedback, template.reveal) == (
        None, 1.0, True, "always")
    assert template.weights == template.biases == template.inputs == ValueRange(-1.0, 1.0, 2)


@pytest.mark.parametrize("knobs, asked", [
    ({"update_biases": False}, ("delta", "w_new")),
    ({"bias": "none"}, ("delta", "w_new")),
    ({"bias": "shared"}, ("delta", "w_new", "b_new")),
    ({"ask": ["loss", "delta"]}, ("loss", "delta")),
])
def test_b_new_is_asked_by_default_only_when_biases_are_updated(knobs, asked):
    assert Template.from_dict(knobs).asked_quantities() == asked


@pytest.mark.parametrize("knobs, targets", [
    ({}, ValueRange(0.05, 0.95, 2)),                                    # sigmoid outputs
    ({"activations": "tanh"}, ValueRange(-1.0, 1.0, 2)),
    ({"activations": ["relu", "linear"], "loss": "half_sse"}, ValueRange(-1.0, 1.0, 2)),
    ({"loss": "bce"}, ValueRange(0.05, 0.95, 2)),
    (SOFTMAX, "one_hot"),
    ({"targets": "one_hot"}, "one_hot"),
    ({"targets": {"low": 0, "high": 0.5, "decimals": 1}}, ValueRange(0.0, 0.5, 1)),
])
def test_targets_default_to_the_output_activations_range(knobs, targets):
    assert Template.from_dict(knobs).target_values() == targets


def test_a_grid_reads_its_bounds_as_written_not_as_binary_floats():
    # 0.05 * 100 is 5.000000000000001 in binary; the grid must still start at 5.
    assert ValueRange(0.05, 0.95, 2).grid() == (5, 95)
    assert ValueRange(-0.3, 0.7, 1).grid() == (-3, 7)
    assert ValueRange(0.001, 0.019, 2).grid() == (1, 1)


INVALID = [
    ({"colour": "blue"}, "colour", "unknown template knob"),
    ({"layers": [2]}, "layers", "at most 3 hidden layers"),
    ({"layers": [2, 2, 2, 2, 2, 2]}, "layers", "at most 3 hidden layers"),
    ({"layers": [2, 7, 2]}, "layers", "1 to 6 units"),
    ({"layers": [2, 0, 2]}, "layers", "1 to 6 units"),
    ({"layers": [2, 2.0, 2]}, "layers", "list of unit counts"),
    ({"layers": [2, True, 2]}, "layers", "list of unit counts"),
    ({"layers": "2-2-2"}, "layers", "list of unit counts"),
    ({"activations": "swish"}, "activations", "must be one of"),
    ({"activations": ["sigmoid"]}, "activations", "a list of 2"),
    ({"activations": ["sigmoid", "gelu"]}, "activations[1]", "must be one of"),
    ({"loss": "hinge"}, "loss", "must be one of"),
    ({"bias": "sometimes"}, "bias", "per_unit, shared, none"),
    ({"update_biases": "yes"}, "update_biases", "true or false"),
    ({"optimizer": 3}, "optimizer", "a name or an object"),
    ({"optimizer": {"beta1": 0.9}}, "optimizer", "a name or an object"),
    ({"learning_rate": 0}, "learning_rate", "(0, 10]"),
    ({"learning_rate": -0.5}, "learning_rate", "(0, 10]"),
    ({"learning_rate": "0.5"}, "learning_rate", "(0, 10]"),
    ({"learning_rate": True}, "learning_rate", "(0, 10]"),
    ({"learning_rate": float("nan")}, "learning_rate", "(0, 10]"),
    ({"naming": "greek"}, "naming", "seed, sequential, matrix"),
    ({"naming": "seed", "layers": [2, 2, 2, 2]}, "naming", "exactly one hidden layer"),
    ({"weights": [-1, 1]}, "weights", '{"low", "high", "decimals"}'),
    ({"weights": {"low": 1, "high": 0}}, "weights", "holds no number"),
    ({"weights": {"low": 0.001, "high": 0.009, "decimals": 2}}, "weights", "holds no number"),
    ({"weights": {"low": -1, "high": 1, "decimals": 9}}, "weights.decimals", "0 to 6"),
    ({"weights": {"low": -1, "high": 1, "step": 2}}, "weights.step", "unknown key"),
    ({"biases": {"low": -1e6, "high": 1}}, "biases.low", "between"),
    ({"inputs": {"low": -1, "high": float("inf")}}, "inputs.high", "between"),
    ({"targets": "zeros"}, "targets", '"one_hot"'),
    ({**SOFTMAX, "targets": {"low": 0, "high": 1}}, "targets", "one-hot"),
    ({"ask": []}, "ask", "non-empty list"),
    ({"ask": "delta"}, "ask", "non-empty list"),
    ({"ask": ["delta", "delta"]}, "ask", "twice"),
    ({"ask": ["velocity"]}, "ask", "keeps no velocity"),
    ({"ask": ["w"]}, "ask", "must be one of"),
    ({"batch": 5}, "batch", "from 1 to 4"),
    ({"iterations": 4}, "iterations", "from 1 to 3"),
    ({"reduction": "max"}, "reduction", "must be one of"),
    ({"weight_decay": -1}, "weight_decay", "from 0 to 10"),
    ({"dropout": 0}, "dropout", "keep probability"),
    ({"dropout": [0.5, 0.5]}, "dropout", "keep probability"),
    ({"dropout": 0.5, "layers": [2, 1]}, "dropout", "needs a hidden layer"),
    ({"optimizer": "adam", "ask": ["velocity"]}, "ask", "keeps no velocity"),
    ({"ask": ["b_new"], "bias": "none"}, "ask", "no biases"),
    ({"ask": ["b_new"], "update_biases": False}, "ask", "not updated"),
    ({"ask": ["da_dz"], "activations": ["relu", "linear"], "loss": "half_sse"}, "ask",
     "no value this network has"),
    ({**SOFTMAX, "bias": "shared"}, "bias", "gradient 0"),
    ({**SOFTMAX, "layers": [2, 2, 1]}, "layers", "at least 2 units"),
    ({"answer_digits": 3}, "answer_digits", "4 to 8"),
    ({"answer_digits": 9}, "answer_digits", "4 to 8"),
    ({"answer_digits": 4.0}, "answer_digits", "4 to 8"),
    ({"answer_digits": "AUTO"}, "answer_digits", '"auto"'),
    ({"delta_convention": "positive"}, "delta_convention", "gradient, negative"),
    ({"network": [1, 2]}, "network", "network spec"),
    ({"network": {"layers": [2, 2]}}, "network.weights", ""),
    ({"network": {**NETWORK, "weights": [[[0.1, "x"], [0.3, 0.4]]]}}, "network.weights[0][0][1]",
     ""),
    ({"network": {**NETWORK, "iterations": 2}}, "network.iterations", "one iteration"),
    ({"network": {**NETWORK, "inputs": [[0.5, 0.1], [0.2, 0.3]],
                  "targets": [[0.2, 0.9], [0.1, 0.4]]}}, "network.inputs", "one sample"),
    ({"network": NETWORK, "learning_rate": 0.1}, "learning_rate", "given network"),
    ({"network": NETWORK, "layers": [2, 2]}, "layers", "given network"),
    ({"tolerance": 0.01}, "tolerance", "must be an object"),
    ({"tolerance": {"mode": "exact"}}, "tolerance.mode", "relabs, sigfig, decimals"),
    ({"tolerance": {"rtol": -0.1}}, "tolerance.rtol", "[0, 1)"),
    ({"tolerance": {"tol": 0.1}}, "tolerance.tol", "unknown key"),
    ({"tolerance": {"mode": "sigfig"}}, "tolerance.digits", "1 to 12"),
    ({"tolerance": {"mode": "decimals", "digits": 2, "atol": 0.1}}, "tolerance.atol",
     "does not apply"),
    ({"tolerance": {"mode": "relabs", "digits": 3}}, "tolerance.digits", "does not apply"),
    ({"attempts": 0}, "attempts", "positive integer"),
    ({"attempts": 2.5}, "attempts", "positive integer"),
    ({"ecf_credit": 1.5}, "ecf_credit", "from 0 to 1"),
    ({"feedback": 1}, "feedback", "true or false"),
    ({"reveal": "sometimes"}, "reveal", "after_correct"),
    ({"title": 3}, "title", "string"),
]


@pytest.mark.parametrize("knobs, key, message", INVALID)
def test_invalid_knobs_are_rejected_naming_the_knob(knobs, key, message):
    with pytest.raises(TemplateError) as raised:
        Template.from_dict(knobs)
    assert raised.value.key == key
    assert message in raised.value.message
    assert str(raised.value).startswith(f"{key}: ")


@pytest.mark.parametrize("knobs, key, mentioned", [
    ({"loss": "bce", "activations": "tanh"}, "loss", "bce"),
    ({"loss": "cross_entropy"}, "loss", "cross_entropy"),
    ({"activations": ["softmax", "sigmoid"]}, "activations[0]", "softmax"),
    ({"optimizer": "rmsprop"}, "optimizer", "adam"),
    ({"optimizer": {"name": "momentum", "momentum": 1.5}}, "optimizer.momentum", "[0, 1)"),
])
def test_network_mismatches_are_rejected_by_the_engine_and_named(knobs, key, mentioned):
    with pytest.raises(TemplateError) as raised:
        Template.from_dict(knobs)
    assert raised.value.key == key
    assert mentioned in raised.value.message


def test_a_non_dict_is_not_a_template():
    with pytest.raises(TemplateError, match="JSON object"):
        Template.from_dict(["layers"])


def test_tolerance_is_written_out_with_all_four_keys():
    template = Template.from_dict({"tolerance": {"mode": "sigfig", "digits": 3}})
    assert template.tolerance == {"mode": "sigfig", "rtol": None, "atol": None, "digits": 3}
    assert Template.from_dict({"tolerance": {"rtol": 0.05}}).tolerance == {
        "mode": "relabs", "rtol": 0.05, "atol": 0.0, "digits": None}


ROUND_TRIP = [
    *BUILTIN_TEMPLATES.values(),
    Template.from_dict({"layers": [3, 4, 4, 2], "activations": ["tanh", "leaky_relu", "sigmoid"],
                        "bias": "shared", "optimizer": {"name": "momentum", "momentum": 0.8},
                        "ask": ["z", "loss", "dL_dw"], "attempts": 3, "ecf_credit": 0.5,
                        "feedback": False, "reveal": "after_due", "targets": "one_hot",
                        "tolerance": {"mode": "decimals", "digits": 3}, "answer_digits": 5,
                        "delta_convention": "negative"}),
    Template.from_dict({"network": NETWORK, "answer_digits": 6, "ask": ["delta"]}),
]


@pytest.mark.parametrize("template", ROUND_TRIP)
def test_to_dict_round_trips_through_json(template):
    knobs = json.loads(json.dumps(template.to_dict()))
    assert Template.from_dict(knobs) == template
    assert Template.from_dict(knobs).to_dict() == knobs


def test_templates_are_immutable():
    template = Template()
    with pytest.raises(dataclasses.FrozenInstanceError):
        template.layers = (3, 3, 3)


def test_overrides_make_a_new_template_and_leave_the_original():
    base = BUILTIN_TEMPLATES["seed-2-2-2"]
    changed = base.with_overrides({"attempts": 3, "reveal": "after_due", "learning_rate": 0.1,
                                   "update_biases": False})
    assert (changed.attempts, changed.reveal, changed.learning_rate) == (3, "after_due", 0.1)
    assert changed.asked_quantities() == ("delta", "w_new")
    assert (changed.layers, changed.naming, changed.title) == (base.layers, "seed", base.title)
    assert (base.attempts, base.reveal, base.learning_rate) == (None, "always", 0.5)


def test_an_invalid_override_is_rejected_like_any_knob():
    with pytest.raises(TemplateError) as raised:
        BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides({"layers": [2, 2, 2, 2]})
    assert raised.value.key == "naming"
