"""Fields of an exercise: keys, symbols, labels and the order a student computes them in."""

import pytest

from exercises.generation import BUILTIN_TEMPLATES, Template, fields_for, generate, parse_field_key
from exercises.generation.spec_builder import placeholder_spec
from tracer import normalize
from tracer.keys import split_key

EVERYTHING = ("z", "a", "loss", "dL_da", "da_dz", "delta", "dL_dw", "dL_db", "w_new", "b_new")


def spec_of(**knobs):
    """The normalized network of a template (placeholder values; fields depend on shape only)."""
    template = Template.from_dict(knobs)
    return normalize(placeholder_spec(template)), template


def test_seed_fields_are_the_posts_deltas_and_updates_in_the_posts_order():
    spec, template = spec_of(**BUILTIN_TEMPLATES["seed-2-2-2"].to_dict())
    fields = fields_for(spec, template.asked_quantities())
    assert [f.symbol for f in fields] == [
        "δ_ŷ1", "δ_ŷ2", "w5⁺", "w6⁺", "w7⁺", "w8⁺", "b3⁺", "b4⁺",
        "δ_h1", "δ_h2", "w1⁺", "w2⁺", "w3⁺", "w4⁺", "b1⁺", "b2⁺"]
    # w5: h1→ŷ1 is W⁽²⁾[1][1], w6: h1→ŷ2 is W⁽²⁾[2][1], w7: h2→ŷ1 is W⁽²⁾[1][2] (SPEC §2, §3).
    assert [f.key for f in fields] == [
        "delta:2:1", "delta:2:2", "w_new:2:1:1", "w_new:2:2:1", "w_new:2:1:2", "w_new:2:2:2",
        "b_new:2:1", "b_new:2:2", "delta:1:1", "delta:1:2", "w_new:1:1:1", "w_new:1:1:2",
        "w_new:1:2:1", "w_new:1:2:2", "b_new:1:1", "b_new:1:2"]


def test_labels_name_the_unit_and_the_connection_for_people():
    spec, template = spec_of(**BUILTIN_TEMPLATES["seed-2-2-2"].to_dict())
    labels = {f.key: f.label for f in fields_for(spec, EVERYTHING)}
    assert labels["delta:2:1"] == "error signal of output unit ŷ1"
    assert labels["delta:1:2"] == "error signal of hidden unit h2"
    assert labels["w_new:2:1:1"] == "updated weight w5 (h1→ŷ1)"
    assert labels["w_new:1:1:2"] == "updated weight w2 (x2→h1)"
    assert labels["dL_dw:2:2:1"] == "gradient of weight w6 (h1→ŷ2)"
    assert labels["b_new:2:2"] == "updated bias b4 (output unit ŷ2)"
    assert labels["z:1:1"] == "pre-activation of hidden unit h1"
    assert labels["loss"] == "loss"


def test_asking_everything_puts_forward_values_then_loss_then_each_layer_backward():
    spec, _ = spec_of(layers=[1, 1, 1], naming="sequential")
    assert [f.key for f in fields_for(spec, EVERYTHING)] == [
        "z:1:1", "a:1:1", "z:2:1", "a:2:1", "loss",
        "dL_da:2:1", "da_dz:2:1", "delta:2:1", "dL_dw:2:1:1", "dL_db:2:1",
        "w_new:2:1:1", "b_new:2:1",
        "dL_da:1:1", "da_dz:1:1", "delta:1:1", "dL_dw:1:1:1", "dL_db:1:1",
        "w_new:1:1:1", "b_new:1:1"]


def test_deeper_networks_go_back_layer_by_layer_weights_by_destination_unit():
    spec, template = spec_of(layers=[2, 2, 1, 1], bias="none")
    assert spec["naming"] == "matrix"
    fields = fields_for(spec, template.asked_quantities())
    assert [f.key for f in fields] == [
        "delta:3:1", "w_new:3:1:1",
        "delta:2:1", "w_new:2:1:1", "w_new:2:1:2",
        "delta:1:1", "delta:1:2", "w_new:1:1:1", "w_new:1:1:2", "w_new:1:2:1", "w_new:1:2:2"]
    assert fields[0].symbol == "δ⁽³⁾_1"
    assert fields[4].symbol == "w⁽²⁾_{1,2}⁺"


def test_fused_softmax_output_has_no_dL_da_and_no_da_dz():
    spec, _ = spec_of(layers=[2, 2, 2], activations=["sigmoid", "softmax"], loss="cross_entropy")
    keys = [f.key for f in fields_for(spec, ("dL_da", "da_dz", "delta"))]
    assert keys == ["delta:2:1", "delta:2:2", "dL_da:1:1", "da_dz:1:1", "delta:1:1",
                    "dL_da:1:2", "da_dz:1:2", "delta:1:2"]


def test_constant_activation_derivatives_are_never_asked():
    spec, _ = spec_of(layers=[2, 2, 1], activations=["relu", "linear"], loss="half_sse")
    assert fields_for(spec, ("da_dz",)) == ()
    spec, _ = spec_of(layers=[2, 2, 1], activations=["tanh", "linear"])
    assert [f.key for f in fields_for(spec, ("da_dz",))] == ["da_dz:1:1", "da_dz:1:2"]


def test_shared_biases_have_one_field_per_layer():
    spec, template = spec_of(bias="shared", naming="matrix")
    keys = [f.key for f in fields_for(spec, ("dL_db", "b_new"))]
    assert keys == ["dL_db:2", "b_new:2", "dL_db:1", "b_new:1"]
    fields = {f.key: f for f in fields_for(spec, ("b_new",))}
    assert fields["b_new:1"].symbol == "b⁽¹⁾⁺"
    assert fields["b_new:1"].label == "updated shared bias b⁽¹⁾ of layer 1"


@pytest.mark.parametrize("template_id", sorted(BUILTIN_TEMPLATES))
def test_every_field_key_is_unique_and_parses_back(template_id):
    spec, _ = spec_of(**BUILTIN_TEMPLATES[template_id].to_dict())
    fields = fields_for(spec, EVERYTHING)
    assert len({f.key for f in fields}) == len(fields)
    for field in fields:
        quantity = parse_field_key(field.key, spec)[0]
        assert split_key(field.key)[0].split(":")[0] == quantity


@pytest.mark.parametrize("key, why", [
    ("delta:2:1", None), ("w_new:2:2:1", None), ("loss", None), ("b_new:1:2", None),
    ("delta:3:1", "names no value"),
    ("delta:2:3", "names no value"),
    ("w_new:2:1:3", "names no value"),
    ("b_new:1", "names no value"),            # per-unit biases have a unit
    ("w:1:1:1", "given value"),
    ("velocity:1:1:1", "names no value"),     # sgd keeps no velocity
    ("delta:2:1@2", "names no value"),        # one sample
    ("w_new:2:1:1#2", "names no value"),      # one step
    ("delta:2", "malformed"),
    ("δ_ŷ1", "malformed"),
])
def test_parse_field_key_accepts_only_values_of_the_network(key, why):
    spec, _ = spec_of()
    if why is None:
        assert ":".join(str(p) for p in parse_field_key(key, spec) if p is not None) == key
    else:
        with pytest.raises(ValueError, match=why):
            parse_field_key(key, spec)


def test_parse_field_key_knows_shared_biases_and_constant_derivatives():
    spec, _ = spec_of(bias="shared", activations=["relu", "linear"], loss="half_sse",
                      layers=[2, 2, 1])
    assert parse_field_key("b_new:1", spec) == ("b_new", 1, None, None)
    for key in ("b_new:1:1", "da_dz:1:1"):
        with pytest.raises(ValueError, match="names no value"):
            parse_field_key(key, spec)


def test_a_generated_seed_exercise_asks_the_posts_sixteen_values():
    exercise = generate(BUILTIN_TEMPLATES["seed-2-2-2"], 3)
    assert " ".join(f.symbol for f in exercise.fields) == (
        "δ_ŷ1 δ_ŷ2 w5⁺ w6⁺ w7⁺ w8⁺ b3⁺ b4⁺ δ_h1 δ_h2 w1⁺ w2⁺ w3⁺ w4⁺ b1⁺ b2⁺")
