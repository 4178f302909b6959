"""Exercise templates: every knob of SPEC §5, validated when the template is built.

A template is immutable; ``Template.from_dict`` builds one from JSON knobs, ``to_dict`` writes it
back (``from_dict(t.to_dict()) == t``) and ``with_overrides`` applies a problem set's own
settings.

A template may instead hold a **given network** (knob ``network``, a full SPEC §3 spec of one
sample and one iteration): its exercise is exactly that network, with no seed. The network
knobs (layers, activations, loss, η, …) are then read from the spec and may not be set beside
it; the exercise knobs (ask, answer_digits, tolerance, attempts, …) apply as for any template.

Every check raises ``TemplateError`` naming the knob. Network-level consistency (names,
loss/activation fit, optimizer parameters, naming) is the engine's: the template's network is run
through ``tracer.normalize`` with placeholder values and a ``SpecError`` becomes a TemplateError.

A template may ask for a mini-batch (``batch``: 2 to 4 samples, each drawn like one sample,
``reduction`` mean or sum), for several training steps (``iterations``: 2 or 3, the same batch),
for L2 ``weight_decay`` λ and for ``dropout``: a keep probability per hidden layer (one number
serves every hidden layer), whose masks are drawn from the seed.

Targets default to the output activation's ``targets`` in the registry (``tracer.activations``):
[0.05, 0.95] for sigmoid (so bce targets are soft labels in that range), a one-hot vector for
softmax (required with cross_entropy), else [−1, 1], all with 2 decimals.
"""

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields

from exercises.generation import knobs
from exercises.generation.fields import positions
from exercises.generation.knobs import TemplateError, ValueRange
from exercises.generation.spec_builder import layer_activations, placeholder_spec
from exercises.generation.template_checks import (
    NETWORK_KNOBS,
    check_activations,
    check_layers,
    check_training,
    network_knobs,
    with_network,
)
from tracer import SpecError, losses, normalize
from tracer import activations as registry
from tracer.losses import LOSSES

UNIT_RANGE = ValueRange(-1.0, 1.0, 2)


@dataclass(frozen=True)
class Template:
    """The knobs from which exercises are generated (SPEC §5); see the module docstring."""

    title: str = ""
    description: str = ""
    layers: tuple[int, ...] = (2, 2, 2)
    activations: str | tuple[str, ...] = "sigmoid"
    loss: str = "mse"
    bias: str = "per_unit"
    update_biases: bool = True
    optimizer: str | dict = "sgd"
    learning_rate: float = 0.5
    naming: str | None = None
    weights: ValueRange = UNIT_RANGE
    biases: ValueRange = UNIT_RANGE
    inputs: ValueRange = UNIT_RANGE
    targets: ValueRange | str | None = None
    ask: tuple[str, ...] | None = None
    answer_digits: int | str = knobs.AUTO
    tolerance: dict = field(default_factory=lambda: dict(knobs.DEFAULT_TOLERANCE))
    attempts: int | None = None
    ecf_credit: float = 1.0
    feedback: bool = True
    reveal: str = "always"
    delta_convention: str = "gradient"
    batch: int = 1
    reduction: str = "mean"
    iterations: int = 1
    weight_decay: float = 0.0
    dropout: float | tuple[float, ...] | None = None
    network: dict | None = None

    def __post_init__(self):
        if self.network is not None:
            for name, value in network_knobs(self.network).items():
                object.__setattr__(self, name, value)
        for name, value in self._checked().items():
            object.__setattr__(self, name, value)
        self._check_network()

    def _checked(self) -> dict:
        """Every knob checked on its own and normalised (tuples, floats, ranges)."""
        checked = {}
        for name in ("title", "description"):
            if not isinstance(getattr(self, name), str):
                raise TemplateError(name, "must be a string")
        checked["layers"] = check_layers(self.layers)
        checked["activations"] = check_activations(self.activations, len(checked["layers"]) - 1)
        checked["loss"] = knobs.check_choice("loss", self.loss, LOSSES)
        checked["bias"] = knobs.check_choice("bias", self.bias, knobs.BIAS_MODES)
        checked["update_biases"] = knobs.check_bool("update_biases", self.update_biases)
        checked["optimizer"] = knobs.check_optimizer(self.optimizer)
        if self.network is None and (not knobs.is_number(self.learning_rate)
                                     or not 0 < self.learning_rate <= 10):
            raise TemplateError("learning_rate",
                                f"must be a number in (0, 10]; got {self.learning_rate!r}")
        checked["learning_rate"] = float(self.learning_rate)
        if self.naming is not None:
            knobs.check_choice("naming", self.naming, knobs.NAMINGS)
        for name in ("weights", "biases", "inputs"):
            checked[name] = knobs.check_range(name, getattr(self, name))
        if isinstance(self.targets, str) and self.targets != "one_hot":
            raise TemplateError("targets", 'must be a range object or "one_hot"')
        if self.targets is not None and self.targets != "one_hot":
            checked["targets"] = knobs.check_range("targets", self.targets)
        checked.update(check_training(self, len(checked["layers"]) - 2))
        checked["ask"] = knobs.check_ask(self.ask)
        checked["answer_digits"] = knobs.check_digits(self.answer_digits)
        checked["delta_convention"] = knobs.check_choice("delta_convention", self.delta_convention,
                                                         knobs.DELTA_CONVENTIONS)
        checked["tolerance"] = knobs.check_tolerance(self.tolerance)
        if self.attempts is not None and (not knobs.is_int(self.attempts)
                                          or not 1 <= self.attempts <= knobs.MAX_ATTEMPTS):
            raise TemplateError("attempts", f"must be a positive integer up to "
                                            f"{knobs.MAX_ATTEMPTS}, or null for unlimited")
        if not knobs.is_number(self.ecf_credit) or not 0 <= self.ecf_credit <= 1:
            raise TemplateError("ecf_credit", "must be a number from 0 to 1")
        checked["ecf_credit"] = float(self.ecf_credit)
        knobs.check_bool("feedback", self.feedback)
        knobs.check_choice("reveal", self.reveal, knobs.REVEALS)
        return checked

    def _check_network(self):
        """Checks across knobs, then the engine's own validation of the template's network."""
        outputs = self.layers[-1]
        output = self.activations if isinstance(self.activations, str) else self.activations[-1]
        across = not registry.get(output).elementwise  # softmax: one function of the whole layer
        loss = losses.get(self.loss)
        if across and outputs < 2:
            raise TemplateError("layers", f"a {output} output layer needs at least 2 units")
        if loss.distribution and self.targets not in (None, "one_hot"):
            raise TemplateError("targets", f"{self.loss} targets are one-hot; leave targets unset")
        if loss.probabilities and isinstance(self.targets, ValueRange) \
                and not 0 <= self.targets.low <= self.targets.high <= 1:
            # Checked here because the engine sees only the drawn targets, so a range that
            # reaches outside [0, 1] (a tanh preset's, say) would fail only for some seeds.
            raise TemplateError("targets", f"{self.loss} targets must lie in [0, 1]; this range is "
                                           f"[{self.targets.low:g}, {self.targets.high:g}]")
        if self.naming == "seed" and len(self.layers) != 3:
            raise TemplateError("naming", "the seed naming scheme needs exactly one hidden layer")
        try:
            spec = self.network or normalize(placeholder_spec(self))
        except SpecError as error:
            raise TemplateError(error.key or None, error.message,
                                ((error.template, error.params),)) from None
        asked = self.asked_quantities()
        if self.ask is not None and ("b_new" in asked or "dL_db" in asked) and self.bias == "none":
            raise TemplateError("ask", "asks for bias values but the network has no biases")
        if self.ask is not None and "b_new" in asked and not self.update_biases:
            raise TemplateError("ask", "asks for b_new but biases are not updated")
        if across and self.bias == "shared" and {"dL_db", "b_new"} & set(asked):
            raise TemplateError("bias", f"a shared bias before {output} has gradient 0 (the output "
                                        "δ sum to 0); use per_unit or none")
        state = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v")}[spec["optimizer"]["name"]]
        for quantity in ("velocity", "m", "v"):
            if quantity in asked and quantity not in state:
                raise TemplateError("ask", f"asks for {quantity} but the optimizer "
                                           f"{spec['optimizer']['name']} keeps no {quantity}")
        if not positions(spec, asked):
            raise TemplateError("ask", "asks for no value this network has")

    def output_activation(self) -> str:
        """The activation of the output layer."""
        return layer_activations({"layers": self.layers, "activations": self.activations})[-1]

    def asked_quantities(self) -> tuple[str, ...]:
        """The quantities asked: ``ask``, or every δ, w⁺ and (when biases are updated) b⁺."""
        if self.ask is not None:
            return self.ask
        updates_biases = self.bias != "none" and self.update_biases
        return ("delta", "w_new", "b_new") if updates_biases else ("delta", "w_new")

    def target_values(self) -> ValueRange | str:
        """The targets' range, or ``"one_hot"`` for a one-hot target vector."""
        if self.targets is not None:
            return self.targets
        output = registry.get(self.output_activation())
        if output.one_hot:
            return "one_hot"
        return UNIT_RANGE if output.targets is None else ValueRange(*output.targets, 2)

    def to_dict(self) -> dict:
        """The template as JSON knobs; ``Template.from_dict`` reads it back unchanged. A given
        network's template writes the network, not the knobs read from it."""
        result = {}
        read_from_network = NETWORK_KNOBS + ("delta_convention",)
        for spec_field in dataclass_fields(self):
            if self.network is not None and spec_field.name in read_from_network:
                continue
            value = getattr(self, spec_field.name)
            if isinstance(value, ValueRange):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            result[spec_field.name] = value
        return result

    @classmethod
    def from_dict(cls, knob_values: dict) -> "Template":
        """Build a template from JSON knobs (all optional); unknown knobs are rejected."""
        if not isinstance(knob_values, dict):
            raise TemplateError(None, "a template must be a JSON object of knobs")
        known = {spec_field.name for spec_field in dataclass_fields(cls)}
        for key in knob_values:
            if key not in known:
                raise TemplateError(key, "unknown template knob")
        if knob_values.get("network") is not None:
            knob_values = with_network(knob_values)
        return cls(**knob_values)

    def with_overrides(self, overrides: dict) -> "Template":
        """A new template with ``overrides`` (e.g. a problem set's settings) replacing knobs."""
        return Template.from_dict({**self.to_dict(), **overrides})

    def fixed_digits(self, digits: int) -> "Template":
        """This template asking for exactly ``digits`` significant figures."""
        return self.with_overrides({"answer_digits": digits})

