"""An exercise's network as grading sees it: given values as arrays, field keys, dependencies.

Built once per submission from a normalized spec (SPEC §3) and shared by every evaluation, so
that the many evaluations diagnosis needs do no parsing or key formatting of their own.

A batch's per-sample groups hold every sample (keys sample by sample, ``@SAMPLE``); each later
iteration has groups of its own, at the *place* ``(layer, t)`` where iteration 1 has ``layer``
(see :func:`place`), so iteration 1's keys and places are those of a one-step exercise.
"""
from functools import cached_property, lru_cache

import numpy as np

from tracer import activations, losses
from tracer.keys import key_of, parse_key, split_key
from tracer.naming import symbol
from tracer.spec import normalize

# Groups of keys the evaluator fills, each one numpy array of one layer. Optimizer state is
# split into a weight and a bias group because the two have keys of different shapes.
_WEIGHT_GROUPS = {"dL_dw": "dL_dw", "w_new": "w_new", "velocity_w": "velocity", "m_w": "m", "v_w": "v"}
_BIAS_GROUPS = {"dL_db": "dL_db", "b_new": "b_new", "velocity_b": "velocity", "m_b": "m", "v_b": "v"}
_UNIT_GROUPS = ("z", "a", "dL_da", "da_dz", "delta")


def place(layer, t=1):
    """Where the arrays of ``layer`` (None for the loss) in iteration ``t`` are kept."""
    return layer if t == 1 else (layer, t)


class Patches(dict):
    """Overrides grouped by array, as :meth:`GradingNetwork.patches` returns them."""


class GradingNetwork:
    """A normalized spec (a batch of samples, several iterations) read into float64 arrays."""

    def __init__(self, spec: dict):
        spec = normalize(spec)
        self.spec = spec
        self.samples, self.iterations = len(spec["inputs"]), spec["iterations"]
        self.reduction = spec["reduction"]
        self.decay = float(spec.get("weight_decay") or 0.0)
        keep = spec.get("dropout")
        self.keep = (None, *keep, None) if keep is not None else None
        self.masks = None if keep is None else (None, *(
            np.array([sample[l] for sample in spec["dropout_masks"]], dtype=np.float64)
            for l in range(len(keep))), None)
        self.sizes = tuple(spec["layers"])
        self.depth = len(self.sizes) - 1
        self.activations = (None, *spec["activations"])
        self.loss = spec["loss"]
        self.bias = spec["bias"]
        self.update_biases = spec["update_biases"] and self.bias != "none"
        self.weights = (None, *(np.array(w, dtype=np.float64) for w in spec["weights"]))
        if self.bias == "none":
            self.biases = (None,) * (self.depth + 1)
        else:
            # A shared bias is a length-1 array, which broadcasts over its layer's units.
            self.biases = (None, *(np.array(b, dtype=np.float64).reshape(-1) for b in spec["biases"]))
        self.x = np.array(spec["inputs"], dtype=np.float64)     # (samples, inputs)
        self.y = np.array(spec["targets"], dtype=np.float64)    # (samples, outputs)
        self.eta = float(spec["learning_rate"])
        self.optimizer = dict(spec["optimizer"])
        self.slope = float(spec["leaky_relu_slope"])
        self.fused = losses.get(self.loss).fused is not None  # spec validation: fused with the output
        # δ as the exercise defines it: ∂L/∂z (+1) or −∂L/∂z (−1, SPEC §2 delta_convention).
        self.delta_sign = -1 if spec.get("delta_convention") == "negative" else 1
        self.layout = _layout(self.sizes, self.activations, self.fused, self.bias, self.update_biases,
                              self.optimizer["name"], self.samples, self.iterations, bool(self.decay))

    def symbol(self, key: str) -> str:
        """The symbol of the value ``key`` names in this exercise's naming (cached: messages
        name the same few values again and again), marked with its sample and step when the
        exercise has several."""
        symbols = self.__dict__.setdefault("_symbols", {})
        if key not in symbols:
            base, sample, t = split_key(key)
            symbols[key] = symbol(self.spec, *parse_key(base), sample=sample, iteration=t)
        return symbols[key]

    def plain_symbol(self, key: str) -> str:
        """The symbol of the value a key without suffixes names, unmarked."""
        plain = self.__dict__.setdefault("_plain_symbols", {})
        if key not in plain:
            plain[key] = symbol({**self.spec, "inputs": self.spec["inputs"][:1], "iterations": 1}, *parse_key(key))
        return plain[key]

    def is_square(self, layer: int) -> bool:
        """Whether W⁽ˡ⁾ is square and bigger than 1×1, so that swapping its indices matters."""
        return self.sizes[layer] == self.sizes[layer - 1] >= 2

    def keys(self, group: str, layer=None) -> tuple[str, ...]:
        """Return the keys of a group's array at a place (a layer, or ``(layer, t)`` for
        iteration t > 1), in the array's flattened order."""
        return self.layout.keys(group, layer)

    def keys_all(self, group: str, layer: int | None = None) -> tuple[str, ...]:
        """The keys of a group's arrays of ``layer`` in every iteration."""
        return tuple(key for t in range(1, self.iterations + 1) for key in self.keys(group, place(layer, t)))

    def slot(self, key: str) -> tuple[str, int | None, int]:
        """Return (group, layer, flat index) of ``key``'s element, or raise KeyError."""
        return self.layout.slot(key)

    @property
    def parents(self) -> dict[str, tuple[str, ...]]:
        """Map each computed key to the computed keys its correct formula reads directly."""
        return self.layout.parents

    def given(self, key: str) -> float | None:
        """Return the value before the update of the parameter a ``w_new``/``b_new`` key updates;
        None for any other key."""
        return self._before.get(key)

    def previous(self, key: str) -> str | None:
        """The key of the update an update of step t > 1 starts from (its θ is step t − 1's
        θ⁺); None for any other key."""
        base, sample, t = split_key(key)
        if t == 1 or self.given(key) is None:
            return None
        return key_of(*parse_key(base), iteration=t - 1)

    @cached_property
    def _before(self) -> dict[str, float]:
        # Iteration t > 1 starts from the true updates of iteration t − 1.
        from exercises.grading.model import true_values

        before = {}
        for l in range(1, self.depth + 1):
            before.update(zip(self.keys("w_new", l), self.weights[l].ravel().tolist()))
            if self.update_biases:
                before.update(zip(self.keys("b_new", l), self.biases[l].tolist()))
        if self.iterations > 1:
            true = true_values(self)
            for t in range(2, self.iterations + 1):
                for l in range(1, self.depth + 1):
                    for group in ("w_new", "b_new") if self.update_biases else ("w_new",):
                        before.update((key, true[previous]) for key, previous in
                                      zip(self.keys(group, place(l, t)), self.keys(group, place(l, t - 1))))
        return before

    def patches(self, overrides) -> "Patches":
        """Group ``overrides`` (key → value) by array: (group, layer) → (indices, values).

        Returns ``overrides`` itself when it is already grouped, so callers that evaluate
        many times with the same overrides group them once.
        """
        if isinstance(overrides, Patches):
            return overrides
        grouped = {}
        for key, value in (overrides or {}).items():
            try:
                group, layer, i = self.layout.slot(key)
            except KeyError:
                raise ValueError(f"{key!r} is not a value of this exercise") from None
            indices, values = grouped.setdefault((group, layer), ([], []))
            indices.append(i)
            values.append(float(value))
        return Patches({slot: (np.array(i), np.array(v)) for slot, (i, v) in grouped.items()})


class Layout:
    """The structure of a network — its keys and their dependencies — without its numbers.

    Shared by every exercise of the same shape, so keys are formatted and the dependency graph
    is built once per shape rather than once per exercise.
    """

    def __init__(self, sizes, activations, fused, bias, update_biases, optimizer, samples=1,
                 iterations=1, decay=False):
        self.sizes, self.activations, self.fused = sizes, activations, fused
        self.bias, self.update_biases, self.optimizer = bias, update_biases, optimizer
        self.samples, self.iterations, self.decay = samples, iterations, decay
        self.depth = len(sizes) - 1

    def keys(self, group: str, layer: int | None = None) -> tuple[str, ...]:
        """Return the keys of a group's array for ``layer``, in the array's flattened order."""
        return self._keys[group, layer]

    @cached_property
    def _keys(self) -> dict:
        keys = {}
        samples = range(1, self.samples + 1)
        for t in range(1, self.iterations + 1):
            keys["loss", place(None, t)] = (key_of("loss", iteration=t),)
            for l in range(1, self.depth + 1):
                units, here = range(1, self.sizes[l] + 1), place(l, t)
                for group in _UNIT_GROUPS:
                    keys[group, here] = tuple(key_of(group, l, j, sample=s, iteration=t)
                                              for s in samples for j in units)
                for group, quantity in _WEIGHT_GROUPS.items():
                    keys[group, here] = tuple(key_of(quantity, l, j, k, iteration=t) for j in units
                                              for k in range(1, self.sizes[l - 1] + 1))
                bias_units = units if self.bias == "per_unit" else (None,)
                for group, quantity in _BIAS_GROUPS.items():
                    keys[group, here] = tuple(key_of(quantity, l, j, iteration=t) for j in bias_units)
        return keys

    @cached_property
    def _slots(self) -> dict:
        # key -> (group, layer, flat index), to find a key's element in its array.
        return {key: (group, layer, i) for (group, layer), keys in self._keys.items()
                for i, key in enumerate(keys)}

    def slot(self, key: str) -> tuple[str, int | None, int]:
        """Return (group, layer, flat index) of ``key``'s element, or raise KeyError."""
        return self._slots[key]

    @cached_property
    def parents(self) -> dict[str, tuple[str, ...]]:
        """Map each computed key to the computed keys its correct formula reads directly: within
        a sample its own values, a gradient every sample's, and from iteration 2 on the previous
        iteration's updates (the parameters it starts from) and optimizer state."""
        graph = {}
        for t in range(1, self.iterations + 1):
            self._iteration_parents(graph, t)
        return graph

    def _per_sample(self, group, l, t):
        """The keys of a per-sample group as one tuple per sample."""
        keys, n = self.keys(group, place(l, t)), self.sizes[l]
        return [keys[s * n:(s + 1) * n] for s in range(self.samples)]

    def _iteration_parents(self, graph, t):
        optimizer = self.optimizer
        before = (lambda group, l: self.keys(group, place(l, t - 1))) if t > 1 else (lambda group, l: ())
        for l in range(1, self.depth + 1):
            name, units, here = self.activations[l], self.sizes[l], place(l, t)
            sources = self.sizes[l - 1]
            z, a = self._per_sample("z", l, t), self._per_sample("a", l, t)
            previous = self._per_sample("a", l - 1, t) if l > 1 else [()] * self.samples
            dL_da, da_dz = self._per_sample("dL_da", l, t), self._per_sample("da_dz", l, t)
            delta = self._per_sample("delta", l, t)
            new_w, new_b = before("w_new", l), before("b_new", l)
            above = before("w_new", l + 1) if l < self.depth else ()
            for s in range(self.samples):
                for j in range(units):
                    row = new_w[j * sources:(j + 1) * sources]
                    bias = new_b[j:j + 1] if self.bias == "per_unit" else new_b
                    graph[z[s][j]] = (*previous[s], *row, *bias)
                    elementwise = activations.get(name).elementwise
                    graph[a[s][j]] = (z[s][j],) if elementwise else z[s]
                    if elementwise:
                        graph[da_dz[s][j]] = (z[s][j], a[s][j])
                    if l == self.depth and self.fused:
                        graph[delta[s][j]] = (a[s][j],)
                        continue
                    if l == self.depth:
                        graph[dL_da[s][j]] = (a[s][j],)
                    else:
                        graph[dL_da[s][j]] = (*self._per_sample("delta", l + 1, t)[s], *above[j::units])
                    graph[delta[s][j]] = (dL_da[s][j], da_dz[s][j]) if elementwise else (*dL_da[s], *a[s])
            for i, key in enumerate(self.keys("dL_dw", here)):
                unit, source = divmod(i, sources)
                decay = new_w[i:i + 1] if self.decay else ()
                graph[key] = (*(d[unit] for d in delta), *(p[source] for p in previous if p), *decay)
            groups = [("dL_dw", "velocity_w", "m_w", "v_w", "w_new")]
            if self.bias != "none":
                for j, key in enumerate(self.keys("dL_db", here)):
                    graph[key] = tuple(k for d in delta for k in (d if self.bias == "shared" else (d[j],)))
                if self.update_biases:
                    groups.append(("dL_db", "velocity_b", "m_b", "v_b", "b_new"))
            for gradient, velocity, m, v, new in groups:
                state = {"sgd": (), "momentum": (velocity,), "adam": (m, v)}[optimizer]
                for i, key in enumerate(self.keys(new, here)):
                    g = self.keys(gradient, here)[i]
                    for group in state:
                        graph[self.keys(group, here)[i]] = (g, *before(group, l)[i:i + 1])
                    theta = before(new, l)[i:i + 1]
                    graph[key] = (*(self.keys(group, here)[i] for group in state), *theta) if state \
                        else (g, *theta)
        graph[key_of("loss", iteration=t)] = self.keys("a", place(self.depth, t))


@lru_cache(maxsize=256)
def _layout(*structure) -> Layout:
    return Layout(*structure)
