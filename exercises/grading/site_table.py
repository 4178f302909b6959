"""What every submission to one exercise shares for diagnosis (SPEC §6 step 4b–c): the
misconception sites as one batch, the value each site gives every asked field from the true
values, and each field's formula expanded through the unasked quantities it is computed from.

Both depend only on the network and the asked fields, so they are cached per exercise and read
by the :class:`~exercises.grading.diagnose.Evidence` of each of its submissions.
"""
from functools import lru_cache

import numpy as np

from exercises.grading.model import Batch, evaluate_rows
from exercises.grading.sites import sites


class SiteTable:
    """What every submission to one exercise shares for diagnosis: its sites as one batch, the
    values each site gives every asked field from the true values, which sites lie in each
    field's formula, and where each field's value sits in the arrays."""

    def __init__(self, net, asked):
        self.sites = sites(net)
        self.batch = Batch(net, self.sites)
        self.row = {site: row for row, site in enumerate(self.sites)}
        self.column = {key: column for column, key in enumerate(asked)}
        self._slots = [net.slot(key) for key in asked]
        self.before = np.array([np.nan if net.given(key) is None else net.given(key) for key in asked])
        cones = field_cones(net, asked)
        self.inside = np.array([[bool(site.scope & cones[key][0]) for key in asked]
                                for site in self.sites], dtype=bool).reshape(len(self.sites), len(asked))
        self.truth = self.gather(evaluate_rows(net, None, self.batch))

    def gather(self, flat):
        """Rows × asked fields from an evaluation's rows × elements arrays."""
        if not self._slots:
            return np.zeros((len(self.sites), 0))
        return np.stack([flat[group, layer][:, i] for group, layer, i in self._slots], axis=1)


@lru_cache(maxsize=256)
def site_table(net, asked) -> SiteTable:
    """The :class:`SiteTable` of ``net`` with the fields ``asked`` (a tuple), built once."""
    return SiteTable(net, asked)


@lru_cache(maxsize=256)
def field_cones(net, asked) -> dict:
    """Each asked field's formula expanded through unasked quantities (itself included), and
    the asked fields where the expansion stops."""
    asked_set, cones = frozenset(asked), {}
    for key in asked:
        seen, frontier, stack = {key}, [], [key]
        while stack:
            for parent in net.parents.get(stack.pop(), ()):
                if parent in seen:
                    continue
                seen.add(parent)
                if parent in asked_set:
                    frontier.append(parent)
                else:
                    stack.append(parent)
        cones[key] = (frozenset(seen) - set(frontier), tuple(sorted(frontier)))
    return cones
