"""An exercise's network as grading sees it: given values as arrays, field keys, dependencies.

Built once per submission from a normalized spec (SPEC §3) and shared by every evaluation, so
that the many evaluations diagnosis needs do no parsing or key formatting of their own.
"""
from functools import cached_property, lru_cache

import numpy as np

from tracer.keys import key_of, parse_key
from tracer.naming import symbol
from tracer.spec import normalize

# Groups of keys the evaluator fills, each one numpy array of one layer. Optimizer state is
# split into a weight and a bias group because the two have keys of different shapes.
_WEIGHT_GROUPS = {"dL_dw": "dL_dw", "w_new": "w_new", "velocity_w": "velocity", "m_w": "m", "v_w": "v"}
_BIAS_GROUPS = {"dL_db": "dL_db", "b_new": "b_new", "velocity_b": "velocity", "m_b": "m", "v_b": "v"}
_UNIT_GROUPS = ("z", "a", "dL_da", "da_dz", "delta")


class Patches(dict):
    """Overrides grouped by array, as :meth:`Network.patches` returns them."""


class Network:
    """One sample, one iteration of a normalized spec, read into float64 arrays."""

    def __init__(self, spec: dict):
        spec = normalize(spec)
        if len(spec["inputs"]) != 1 or spec["iterations"] != 1:
            raise ValueError("an exercise has one sample and one iteration")
        self.spec = spec
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
        self.x = np.array(spec["inputs"][0], dtype=np.float64)
        self.y = np.array(spec["targets"][0], dtype=np.float64)
        self.eta = float(spec["learning_rate"])
        self.optimizer = dict(spec["optimizer"])
        self.slope = float(spec["leaky_relu_slope"])
        self.fused = self.loss in ("bce", "cross_entropy")
        # δ as the exercise defines it: ∂L/∂z (+1) or −∂L/∂z (−1, SPEC §2 delta_convention).
        self.delta_sign = -1 if spec.get("delta_convention") == "negative" else 1
        self.layout = _layout(self.sizes, self.activations, self.fused, self.bias, self.update_biases,
                              self.optimizer["name"])

    def symbol(self, key: str) -> str:
        """The symbol of the value ``key`` names in this exercise's naming (cached: messages
        name the same few values again and again)."""
        symbols = self.__dict__.setdefault("_symbols", {})
        if key not in symbols:
            symbols[key] = symbol(self.spec, *parse_key(key))
        return symbols[key]

    def is_square(self, layer: int) -> bool:
        """Whether W⁽ˡ⁾ is square and bigger than 1×1, so that swapping its indices matters."""
        return self.sizes[layer] == self.sizes[layer - 1] >= 2

    def keys(self, group: str, layer: int | None = None) -> tuple[str, ...]:
        """Return the keys of a group's array for ``layer``, in the array's flattened order."""
        return self.layout.keys(group, layer)

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

    @cached_property
    def _before(self) -> dict[str, float]:
        before = {}
        for l in range(1, self.depth + 1):
            before.update(zip(self.keys("w_new", l), self.weights[l].ravel().tolist()))
            if self.update_biases:
                before.update(zip(self.keys("b_new", l), self.biases[l].tolist()))
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

    def __init__(self, sizes, activations, fused, bias, update_biases, optimizer):
        self.sizes, self.activations, self.fused = sizes, activations, fused
        self.bias, self.update_biases, self.optimizer = bias, update_biases, optimizer
        self.depth = len(sizes) - 1

    def keys(self, group: str, layer: int | None = None) -> tuple[str, ...]:
        """Return the keys of a group's array for ``layer``, in the array's flattened order."""
        return self._keys[group, layer]

    @cached_property
    def _keys(self) -> dict:
        keys = {("loss", None): ("loss",)}
        for l in range(1, self.depth + 1):
            units = range(1, self.sizes[l] + 1)
            for group in _UNIT_GROUPS:
                keys[group, l] = tuple(key_of(group, l, j) for j in units)
            for group, quantity in _WEIGHT_GROUPS.items():
                keys[group, l] = tuple(key_of(quantity, l, j, k) for j in units
                                       for k in range(1, self.sizes[l - 1] + 1))
            bias_units = units if self.bias == "per_unit" else (None,)
            for group, quantity in _BIAS_GROUPS.items():
                keys[group, l] = tuple(key_of(quantity, l, j) for j in bias_units)
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
        """Map each computed key to the computed keys its correct formula reads directly."""
        graph = {}
        optimizer = self.optimizer
        for l in range(1, self.depth + 1):
            name, units = self.activations[l], self.sizes[l]
            z, a = self.keys("z", l), self.keys("a", l)
            previous = self.keys("a", l - 1) if l > 1 else ()
            for j in range(units):
                graph[z[j]] = previous
                graph[a[j]] = z if name == "softmax" else (z[j],)
            dL_da, da_dz, delta = self.keys("dL_da", l), self.keys("da_dz", l), self.keys("delta", l)
            for j in range(units):
                if name != "softmax":
                    graph[da_dz[j]] = (z[j], a[j])
                if l == self.depth and self.fused:
                    graph[delta[j]] = (a[j],)
                    continue
                graph[dL_da[j]] = (a[j],) if l == self.depth else self.keys("delta", l + 1)
                graph[delta[j]] = (*dL_da, *a) if name == "softmax" else (dL_da[j], da_dz[j])
            for j, key in enumerate(self.keys("dL_dw", l)):
                unit, source = divmod(j, self.sizes[l - 1])
                graph[key] = (delta[unit], *previous[source:source + 1])
            groups = [("dL_dw", "velocity_w", "m_w", "v_w", "w_new")]
            if self.bias != "none":
                for j, key in enumerate(self.keys("dL_db", l)):
                    graph[key] = delta if self.bias == "shared" else (delta[j],)
                if self.update_biases:
                    groups.append(("dL_db", "velocity_b", "m_b", "v_b", "b_new"))
            for gradient, velocity, m, v, new in groups:
                for i, key in enumerate(self.keys(new, l)):
                    g = self.keys(gradient, l)[i]
                    state = {"sgd": (), "momentum": (velocity,), "adam": (m, v)}[optimizer]
                    for group in state:
                        graph[self.keys(group, l)[i]] = (g,)
                    graph[key] = tuple(self.keys(group, l)[i] for group in state) or (g,)
        graph["loss"] = self.keys("a", self.depth)
        return graph


@lru_cache(maxsize=256)
def _layout(*structure) -> Layout:
    return Layout(*structure)
