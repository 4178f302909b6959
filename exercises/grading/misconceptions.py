"""The misconceptions of SPEC §6, one class each, in a registry keyed by contract id.

Each is a :class:`~exercises.grading.mistake.Misconception` (where it occurs, how it changes the
student model, how it is explained): those of the backward pass in
:mod:`~exercises.grading.delta_mistakes`, those of the parameters and their update in
:mod:`~exercises.grading.parameter_mistakes`, those of batches, steps, weight decay and dropout
in :mod:`~exercises.grading.training_mistakes`. Adding a misconception is one class there, added
to ``REGISTRY`` here, and its tests; nothing else branches on its id.
"""
from exercises.grading.delta_mistakes import (
    DerivativeOfActivationOutput,
    LossScale,
    MissingActivationDerivative,
    OppositeDeltaConvention,
    PartialSum,
    TargetMinusOutput,
    UpdatedWeightsInBackprop,
)
from exercises.grading.messages import register
from exercises.grading.mistake import Misconception
from exercises.grading.parameter_mistakes import (
    BiasNotUpdated,
    GradientAscent,
    MissingBias,
    MissingLearningRate,
    PreActivationAsInput,
    SwappedWeightIndices,
)
from exercises.grading.training_mistakes import TRAINING_MISTAKES

REGISTRY: dict[str, Misconception] = {
    mistake.id: mistake for mistake in (
        UpdatedWeightsInBackprop(), MissingActivationDerivative(), DerivativeOfActivationOutput(),
        TargetMinusOutput(), GradientAscent(), MissingLearningRate(), LossScale(),
        PreActivationAsInput(), SwappedWeightIndices(), MissingBias(), PartialSum(),
        BiasNotUpdated(), OppositeDeltaConvention(), *TRAINING_MISTAKES,
    )
}
MISCONCEPTIONS = tuple(REGISTRY)
for _mistake in REGISTRY.values():
    register("misconception." + _mistake.id, _mistake.message)


def get(mistake_id: str) -> Misconception:
    """The registered misconception of ``mistake_id``; ValueError for an unknown id."""
    try:
        return REGISTRY[mistake_id]
    except KeyError:
        raise ValueError(f"unknown misconception {mistake_id!r}") from None


def variants(net, mistake_id: str) -> list:
    """The parameters to try for ``mistake_id`` in ``net``; empty where it cannot occur."""
    return get(mistake_id).variants(net)


def targets(net, mistake_id: str, param=None) -> frozenset:
    """The keys whose own formula ``mistake_id`` (with ``param``) changes in ``net``."""
    return get(mistake_id).targets(net, param)


# The circuit misconceptions (SPEC §10) join REGISTRY here, so labels, messages and statistics
# read them like the others; MISCONCEPTIONS above stays the network table of SPEC §6.
from exercises.grading import circuit_mistakes  # noqa: E402,F401  (imports REGISTRY from above)
