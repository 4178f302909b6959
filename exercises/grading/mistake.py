"""What a misconception is: the base class of every mistake in the registry
(:mod:`exercises.grading.misconceptions`), and the layers and keys its subclasses look at.

A :class:`Misconception` bundles everything grading asks of a mistake: where it can occur in a
network (:meth:`~Misconception.variants`, :meth:`~Misconception.targets` — the keys whose own
formula it changes), how it changes the student model at a target (:meth:`~Misconception.alter`,
called by :mod:`exercises.grading.model` with the correct value and the run's context), and how
it is explained (a title, an explanation and a message template with its parameters, all
English marked for translation with ``N_``).

Values of the ``delta`` group are in the exercise's δ convention (``net.delta_sign``), so an
alteration of δ returns that convention too.
"""
from tracer import activations
from tracer.keys import parse_key


class Misconception:
    """One mistake of SPEC §6's table; subclasses fill in where it occurs and what it does."""

    id: str = ""
    title: str = ""
    explanation: str = ""
    message: str = ""
    #: Whether the mistake can sit at one layer or one unit, or only everywhere at once.
    local: bool = True

    def variants(self, net) -> list:
        """The parameters to try in ``net`` ([None] for a mistake without one); empty where the
        mistake cannot occur."""
        return [None] if self.occurs(net) else []

    def occurs(self, net) -> bool:
        """Whether the mistake can occur in ``net`` (for mistakes without a parameter)."""
        return True

    def targets(self, net, param) -> frozenset:
        """The keys whose own formula the mistake changes."""
        raise NotImplementedError

    def also_changes(self, net, param) -> frozenset:
        """Keys the mistake changes besides its targets when made throughout, to stay
        consistent with itself (their values end up right)."""
        return frozenset()

    def groups(self, net, param, targets) -> list[frozenset]:
        """The targets split into the "one layer" sites: by the layer of each key."""
        layers = {}
        for key in targets:
            layers.setdefault(parse_key(key)[1], set()).add(key)
        return [frozenset(keys) for keys in layers.values()]

    def alter(self, run, group, layer, value, param):
        """Return the array of ``group`` in ``layer`` as the mistake computes it, given the
        correct ``value`` and the run's state (``run.z``, ``run.a``, ``run.gradient``,
        ``run.delta``, ``run.new_weights``)."""
        raise NotImplementedError

    def params(self, fb, target, param, key) -> dict:
        """The message's parameters for field ``key`` where the mistake sits at ``target``;
        ``fb`` is the submission's :class:`~exercises.grading.feedback.Feedback`."""
        return {}


def step_keys(net, group, layers) -> list[str]:
    """The keys of ``group`` in ``layers``, of every iteration: a mistake a student makes, they
    make at every step."""
    return [key for l in layers for key in net.keys_all(group, l)]


def activation_of(net, layer):
    """The registry's :class:`~tracer.activations.Activation` of ``layer``."""
    return activations.get(net.activations[layer])


def all_layers(net) -> range:
    """The layers with parameters, 1 to the output layer."""
    return range(1, net.depth + 1)


def hidden_layers(net) -> range:
    """The hidden layers, 1 to the one below the output."""
    return range(1, net.depth)
