"""Error carried forward and misconception diagnosis for one submission (SPEC §6 steps 3–4).

:class:`Evidence` holds what one submission's grading shares between its fields: the true
values, the student's asked answers, the evaluation that carries them forward, and every
evaluation under a misconception — each computed once, on first use, whichever field asks.
"""
from dataclasses import dataclass
from functools import lru_cache

from exercises.grading.misconceptions import UPDATE_MISTAKES, catalogue, mistaken_update
from exercises.grading.model import evaluate_lazily, true_values
from exercises.grading.tolerance import matches
from tracer.keys import parse_key


@dataclass(frozen=True)
class Finding:
    """A misconception whose value matches a submitted answer.

    ``target`` is the key, in the field's formula, that the mistake changes (the field itself
    or an unasked quantity upstream of it); messages explain the mistake there.
    """

    mistake: str
    param: float | None
    target: str


class Evidence:
    """Evaluations shared by the fields of one submission, computed lazily and cached."""

    def __init__(self, net, asked, true, answers, tol):
        """``asked`` are the field keys, ``true`` the correct values, ``answers`` the parsed
        answers (None for blank) and ``tol`` the Tolerance."""
        self.net, self.asked, self.true, self.tol = net, frozenset(asked), true, tol
        self.answers = answers
        # Blank answers carry the true value forward, so a skipped field costs nothing downstream.
        self.student = {key: true[key] if value is None else value for key, value in answers.items()}
        self._patches = net.patches(self.student)
        self._ecf = None
        self._pinned = None
        self._cones = {}
        self._runs = {}

    @property
    def ecf(self):
        """Values computed with the student's asked answers in place of the true ones.

        A key's own value is computed from the values upstream of it, so this one evaluation
        gives every field its ECF value: its formula applied to the student's other answers."""
        if self._ecf is None:
            self._ecf = dict(evaluate_lazily(self.net, self._patches))
        return self._ecf

    def cone(self, key):
        """Return (keys, frontier): the field's formula expanded through unasked quantities,
        itself included, and the asked fields where the expansion stops."""
        if key not in self._cones:
            seen, frontier, stack = {key}, [], [key]
            while stack:
                for parent in self.net.parents.get(stack.pop(), ()):
                    if parent in seen:
                        continue
                    seen.add(parent)
                    if parent in self.asked:
                        frontier.append(parent)
                    else:
                        stack.append(parent)
            self._cones[key] = (frozenset(seen) - set(frontier), tuple(sorted(frontier)))
        return self._cones[key]

    def correct(self, key, value, true_value):
        """Whether ``value`` grades as ``true_value`` for field ``key`` (step rule included)."""
        return matches(value, true_value, self.tol, self.net.given(key))

    def carried_from(self, key) -> tuple[tuple[str, ...], bool]:
        """Return (sources, wrong): the asked fields upstream of ``key`` whose answers are not
        correct (wrong = True), or else those answered at all (wrong = False) — an answer within
        tolerance can still move a value downstream beyond it, say one close to 0."""
        answered = [p for p in self.cone(key)[1] if self.answers.get(p) is not None]
        wrong = tuple(p for p in answered if not self.correct(p, self.answers[p], self.true[p]))
        return (wrong, True) if wrong else (tuple(answered), False)

    def findings(self, key, submitted) -> list[Finding]:
        """Every misconception that applies to field ``key``, changes it beyond tolerance, and
        whose value — from the true or the student's upstream values — matches ``submitted``."""
        cone = self.cone(key)[0]
        found = []
        for mistake, param, keys in catalogue(self.net):
            if found and found[-1].mistake == mistake:
                continue  # one variant of a mistake is enough
            changed = keys & cone
            if changed and self._matches(key, submitted, mistake, param, key in changed):
                found.append(Finding(mistake, param, _nearest(key, changed)))
        return found

    def _matches(self, key, submitted, mistake, param, own):
        # "Changes the field" counts the step rule's ends as a change: a mistake that halves a
        # step (c = ½ for c = 1) would otherwise be diagnosed or not by rounding noise.
        before = self.net.given(key)
        return any(self.correct(key, submitted, value)
                   and not matches(value, base, self.tol, before, strict=True)
                   for value, base in self._candidates(key, mistake, param, own))

    def _candidates(self, key, mistake, param, own):
        """Yield (value under the mistake, the same value without it) for each way of
        computing: whole trace or own formula only, from true or from the student's values."""
        if mistake in UPDATE_MISTAKES:
            # These change only updated parameters, which nothing downstream reads.
            theta = self.net.given(key)
            kind = "w" if key.startswith("w_new") else "b"
            for base in (self.true[key], self.ecf[key]):
                yield float(mistaken_update(mistake, kind, theta, base, self.net.eta)), base
            return
        yield _from_truth(self.net, mistake, param, False)[key], self.true[key]
        yield self._from_student(mistake, param, False)[key], self.ecf[key]
        if own:
            yield _from_truth(self.net, mistake, param, True)[key], self.true[key]
            yield self._from_student(mistake, param, True)[key], self.ecf[key]

    def _from_student(self, mistake, param, own):
        if (mistake, param, own) not in self._runs:
            overrides = self._patches
            if own:
                if self._pinned is None:
                    # Pinning every value lets the mistake act only where a key's own formula changes.
                    self._pinned = self.net.patches({**self.ecf, **self.student})
                overrides = self._pinned
            self._runs[mistake, param, own] = evaluate_lazily(self.net, overrides, mistake, param)
        return self._runs[mistake, param, own]


@lru_cache(maxsize=4096)
def _from_truth(net, mistake, param, own):
    # Evaluations from the true values are the same for every submission to an exercise.
    overrides = net.patches(true_values(net)) if own else None
    return evaluate_lazily(net, overrides, mistake, param)


def _nearest(key, changed):
    # The changed key to explain: the field itself, else one of its own unit, else the latest layer.
    if key in changed:
        return key
    _, layer, unit, _ = parse_key(key)

    def remoteness(candidate):
        _, l, u, source = parse_key(candidate)
        return (l != layer or u != unit, -(l or 0), u or 0, source or 0)
    return min(changed, key=remoteness)
