"""Sites: where in a network a misconception is made (SPEC §6 step 4b).

A student rarely makes a mistake everywhere at once. A :class:`Site` is one misconception with
its parameter at a set of its target keys: all of them (throughout), one layer's (or, for a
swapped weight matrix, one use of it), or one key (one unit's own formula). The student model
applies the mistake only there, through per-array masks.
"""
from functools import lru_cache

import numpy as np

from exercises.grading.misconceptions import REGISTRY, get
from tracer.keys import parse_key


class Site:
    """A misconception with its parameter, acting at the keys of ``scope``."""

    __slots__ = ("mistake", "param", "scope", "kind", "_masks", "_hash")

    def __init__(self, net, mistake, param, scope, kind, extra=frozenset()):
        self.mistake, self.param, self.scope, self.kind = mistake, param, frozenset(scope), kind
        self._hash = hash((mistake.id, param, self.scope))
        grouped = {}
        for key in self.scope | extra:
            group, layer, i = net.slot(key)
            grouped.setdefault((group, layer), []).append(i)
        self._masks = {}
        for (group, layer), indices in grouped.items():
            mask = np.zeros(len(net.keys(group, layer)), dtype=bool)
            mask[indices] = True
            self._masks[group, layer] = mask

    @classmethod
    def of(cls, net, mistake_id: str, param=None, scope=None) -> "Site":
        """The site of ``mistake_id`` throughout ``net``, or at ``scope`` (some of its target
        keys). Raises ValueError when the mistake cannot occur there or ``param`` is not one of
        its variants in ``net``."""
        mistake = get(mistake_id)
        options = mistake.variants(net)
        if not options:
            raise ValueError(f"{mistake_id} cannot occur in this network")
        if param not in options:
            raise ValueError(f"{mistake_id} takes param from {options!r}, got {param!r}")
        targets = mistake.targets(net, param)
        if scope is None or frozenset(scope) == targets:
            return cls(net, mistake, param, targets, "throughout", mistake.also_changes(net, param))
        scope = frozenset(scope)
        if not scope or not scope <= targets:
            raise ValueError(f"scope must be some of {mistake_id}'s target keys")
        if not mistake.local:
            raise ValueError(f"{mistake_id} is made throughout or not at all")
        return cls(net, mistake, param, scope, "unit" if len(scope) == 1 else "layer")

    def masks(self):
        """((group, layer), boolean mask of the elements changed) for every array it touches."""
        return self._masks.items()

    def __eq__(self, other):
        return isinstance(other, Site) and (self.mistake.id, self.param, self.scope) == \
            (other.mistake.id, other.param, other.scope)

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return f"Site({self.mistake.id}, {self.param}, {self.kind}, {sorted(self.scope)})"


@lru_cache(maxsize=256)
def sites(net) -> tuple[Site, ...]:
    """Every site of every misconception that can occur in ``net``: throughout, each layer
    (when that is not the whole), and each target key (when that is not its layer)."""
    found = []
    for mistake in REGISTRY.values():
        for param in mistake.variants(net):
            targets = mistake.targets(net, param)
            if not targets:
                continue
            found.append(Site(net, mistake, param, targets, "throughout",
                              mistake.also_changes(net, param)))
            if not mistake.local:
                continue
            seen = {targets}
            for group in mistake.groups(net, param, targets):
                if group and group not in seen:
                    seen.add(group)
                    found.append(Site(net, mistake, param, group, "layer"))
            for key in sorted(targets, key=parse_key_order):
                if frozenset((key,)) not in seen:
                    found.append(Site(net, mistake, param, (key,), "unit"))
    return tuple(found)


def parse_key_order(key):
    """A sort key that orders field keys by layer, unit and source (None first)."""
    quantity, layer, unit, source = parse_key(key)
    return (quantity, layer or 0, unit or 0, source or 0)
