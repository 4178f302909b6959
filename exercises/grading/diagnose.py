"""Error carried forward and misconception diagnosis for one submission (SPEC §6 steps 3–4).

:class:`Evidence` holds what one submission's grading shares between its fields: the true
values, the student's asked answers, the evaluation that carries them forward, and the
evaluations of misconception sites — each computed once, on first use, whichever field asks.

Diagnosis goes: precision (a value rounded too early is not a misconception); then every site
of every misconception whose keys lie in the field's formula (the field and the unasked values
it is computed from), evaluated from the true upstream values and from the student's; a site
is kept when it explains the field and nothing the student answered elsewhere contradicts it;
a field with explanations by more than one misconception keeps those that also explain another
wrong field, and is left unnamed when that still leaves several.
"""
import math
from dataclasses import dataclass

import numpy as np

from exercises.grading.early_rounding import ROUNDINGS, round_like, rounded_values
from exercises.grading.model import evaluate_lazily, evaluate_rows
from exercises.grading.site_table import field_cones, site_table
from exercises.grading.sites import Site
from exercises.grading.tolerance import figure_unit, matches_many, round_sig
from tracer.keys import parse_key

TRUTH, STUDENT = "truth", "student"
# Writing nothing computes 0 for these groups; for an update it keeps θ.
_ZERO_GROUPS = ("delta", "dL_da", "dL_dw", "dL_db")
# Two floats that are one decimal number written by the student and by round_sig.
_SAME_NUMBER = 1e-9


@dataclass(frozen=True)
class Finding:
    """A misconception site that explains a submitted answer; ``target`` is the key in the
    field's formula where the mistake sits (the field itself or an unasked value upstream of
    it), which the message explains."""

    site: Site
    target: str
    mode: str

    @property
    def mistake(self) -> str:
        """The misconception id."""
        return self.site.mistake.id


class Evidence:
    """Evaluations shared by the fields of one submission, computed lazily and cached."""

    def __init__(self, net, asked, true, answers, comparison):
        """``asked`` are the field keys in order, ``true`` the correct values, ``answers`` the
        parsed answers (None for blank) and ``comparison`` the :class:`Comparison`."""
        self.net, self.asked, self.true, self.cmp = net, tuple(asked), true, comparison
        self.answers = answers
        # Blank answers carry the true value forward, so a skipped field costs nothing downstream.
        self.student = {key: true[key] if value is None else value for key, value in answers.items()}
        self._patches = net.patches(self.student)
        self._ecf = None
        self._explained = {}
        self._table = None

    # -- comparison and ECF ------------------------------------------------------------------
    def correct(self, key, value, target) -> bool:
        """Whether ``value`` grades as ``target`` for field ``key`` (an update's step included)."""
        return self.cmp.matches(value, target, self.net.given(key))

    def ecf_given(self, key) -> float | None:
        """θ of an update as the student's own work has it: in step t > 1 their θ⁺ of step
        t − 1 (the true one when not asked or blank); else the given value."""
        previous = self.net.previous(key)
        return self.student[previous] if previous in self.student else self.net.given(key)

    def theta_rounding(self, key) -> float:
        """How far the θ a later step's update starts from, as the student wrote it (rounded),
        may lie from the θ they computed with: the rounding u of their θ⁺ of the step before;
        0 for any other field."""
        previous = self.net.previous(key)
        if previous is None or self.answers.get(previous) is None:
            return 0.0
        return self.cmp.rounding(self.answers[previous])

    def carries(self, key, value) -> bool:
        """Whether ``value`` grades as the field's ECF value, an update's step measured from the
        student's own θ, allowing for the rounding of that θ as written."""
        target, own = self.ecf[key], self.ecf_given(key)
        slack = min(self.theta_rounding(key), abs(value - target))
        return self.cmp.matches(value, target) and \
            self.cmp.matches(value - math.copysign(slack, value - target), target, own)

    @property
    def ecf(self):
        """Values computed with the student's asked answers in place of the true ones.

        A key's own value is computed from the values upstream of it, so this one evaluation
        gives every field its ECF value: its formula applied to the student's other answers."""
        if self._ecf is None:
            self._ecf = evaluate_lazily(self.net, self._patches)
        return self._ecf

    def cone(self, key):
        """Return (keys, frontier): the field's formula expanded through unasked quantities,
        itself included, and the asked fields where the expansion stops."""
        return field_cones(self.net, self.asked)[key]

    def carried_from(self, key) -> tuple[tuple[str, ...], bool]:
        """Return (sources, wrong): the asked fields upstream of ``key`` whose answers are not
        correct (wrong = True), or else those answered at all (wrong = False) — an answer within
        tolerance can still move a value downstream beyond it, say one close to 0."""
        answered = [p for p in self.cone(key)[1] if self.answers.get(p) is not None]
        wrong = tuple(p for p in answered if not self.correct(p, self.answers[p], self.true[p]))
        return (wrong, True) if wrong else (tuple(answered), False)

    def nothing(self, key) -> float | None:
        """What writing nothing computes for ``key``: 0 for δ, ∂L/∂a and gradients, θ itself
        for an update, None for other quantities."""
        group = self.net.slot(key)[0]
        if group in _ZERO_GROUPS:
            return 0.0
        return self.net.given(key)

    def shows_work(self, key) -> bool:
        """Whether the field's ECF value differs, beyond the tolerance, from what writing
        nothing computes — or the true value is that too (SPEC §6 step 3)."""
        nothing = self.nothing(key)
        if nothing is None:
            return True
        own = self.ecf_given(key) if self.net.given(key) is not None else nothing
        # Copying one's own θ is compared without the rounding slack carries() allows.
        return not self.cmp.matches(own, self.ecf[key], own) or self.correct(key, nothing, self.true[key])

    # -- precision ----------------------------------------------------------------------------
    def imprecise(self, key, value) -> bool:
        """Whether ``value`` is the true value rounded to fewer figures than asked, or what
        rounding every intermediate value to a few decimals or figures gives (SPEC §6 step 4a).
        Never for the value writing nothing gives: a copied θ or a 0 is no rounding."""
        true, nothing = self.true[key], self.nothing(key)
        if nothing is not None and self.correct(key, value, nothing) \
                and not self.correct(key, nothing, true):
            return False
        if true != 0 and any(abs(value - round_sig(true, k)) <= _SAME_NUMBER * abs(true)
                             for k in range(1, self.cmp.digits)):
            return True
        before = self.net.given(key)
        for kind, k in ROUNDINGS:
            # The student rounds every value, the answer included: it lies on the rounding's
            # grid, within half a unit of the trace's.
            if value == 0 or round_like(value, kind, k) != value:
                continue
            rounded = rounded_values(self.net, kind, k)[key]
            unit = 10.0 ** -k if kind == "decimals" else figure_unit(value, k)
            if before is not None:
                # An update's step must survive the rounding, and the answer must take it.
                step = rounded - before
                if step == 0 or unit > abs(true - before) / 5 or (value - before) * step <= 0:
                    continue
            elif nothing is not None and rounded == nothing:
                continue
            if abs(value - rounded) <= 0.51 * unit:
                return True
        return False

    # -- sites ----------------------------------------------------------------------------------
    def _analysis(self):
        """Every site against every asked field at once (rows × fields): which sites explain
        each answer, from the true values and from the student's, and which of the student's
        other answers contradict each site."""
        if self._table is None:
            net, cmp = self.net, self.cmp
            table = site_table(net, self.asked)
            answers = np.array([np.nan if self.answers[key] is None else self.answers[key]
                                for key in self.asked])
            before = table.before
            own = np.array([np.nan if self.ecf_given(key) is None else self.ecf_given(key)
                            for key in self.asked])   # θ as the student's work has it
            true = np.array([self.true[key] for key in self.asked])
            ecf = np.array([self.ecf[key] for key in self.asked])
            answered = ~np.isnan(answers)
            is_true = matches_many(cmp, answers, true, before)
            slack = np.array([self.theta_rounding(key) for key in self.asked])
            closer = answers - np.clip(answers - ecf, -slack, slack)   # see carries()
            is_ecf = matches_many(cmp, answers, ecf, np.full(len(ecf), np.nan)) & \
                matches_many(cmp, closer, ecf, own)
            student = table.gather(evaluate_rows(net, self._patches, table.batch))
            explains, contradicts = [], np.zeros(student.shape, dtype=bool)
            for predicted, base, follows, theta in ((table.truth, true, is_true, before),
                                                    (student, ecf, is_true | is_ecf, own)):
                with np.errstate(invalid="ignore"):
                    changed = ~matches_many(cmp, predicted, base, theta)
                    agrees = matches_many(cmp, answers, predicted, theta)
                explains.append(agrees & changed & table.inside & np.isfinite(predicted))
                contradicts |= changed & ~agrees & answered & follows
            self._table = (table, student, explains, contradicts, contradicts.sum(axis=1))
        return self._table

    def explanations(self, key) -> list[Finding]:
        """The sites that explain field ``key``'s answer and survive the consistency check: no
        other answer of the student's shows they did not make the mistake there — the site
        would change a field they answered, whose answer is instead the true value (or, from
        their own upstream values, the value that follows from them)."""
        if key in self._explained:
            return self._explained[key]
        table, _, explains, contradicts, count = self._analysis()
        column = table.column[key]
        elsewhere = count - contradicts[:, column]
        # From the student's own values, an answer that is what writing nothing gives (a θ
        # copied, a 0) shows no work: a mistake that "explains" it from their zeros is none.
        nothing = self.nothing(key)
        student_mode = explains[1][:, column]
        if nothing is not None and self.answers[key] is not None \
                and self.correct(key, self.answers[key], self.ecf_given(key) if self.net.given(key)
                                 is not None else nothing):
            student_mode = np.zeros_like(student_mode)
        found = []
        for row in np.flatnonzero((explains[0][:, column] | student_mode) & (elsewhere == 0)):
            site = table.sites[row]
            mode = TRUTH if explains[0][row, column] else STUDENT
            found.append(Finding(site, _nearest(key, site.scope & self.cone(key)[0]), mode))
        self._explained[key] = found
        return found

    def predicted(self, finding, key) -> float:
        """The value ``finding``'s site gives field ``key``."""
        table, student, *_ = self._analysis()
        row, column = table.row[finding.site], table.column[key]
        return float((table.truth if finding.mode == TRUTH else student)[row, column])

    def diagnose(self, key, wrong) -> tuple[list[Finding], bool]:
        """Return (findings, ambiguous) for field ``key``: the findings of the one misconception
        that explains it, preferring those that also explain another field of ``wrong`` (the
        fields still incorrect); ambiguous when several misconceptions remain.

        Where several still remain, the student's own digits may settle it: a misconception
        whose value agrees with the answer to within its rounding, when no other does, is the
        one the student made (the others only come within the wider tolerance)."""
        found = self.explanations(key)
        ids = list(dict.fromkeys(finding.mistake for finding in found))
        if len(ids) > 1:
            elsewhere = {finding.mistake for other in wrong if other != key
                         for finding in self.explanations(other)}
            ids = [mistake for mistake in ids if mistake in elsewhere]
            if len(ids) > 1:
                ids = self._closest(key, [f for f in found if f.mistake in ids])
            if len(ids) != 1:
                return [], True
        if not ids:
            return [], False
        chosen = [finding for finding in found if finding.mistake == ids[0]]
        # The most local site is the one the message explains.
        chosen.sort(key=lambda finding: (len(finding.site.scope), finding.target != key))
        return chosen[:1], False

    def _closest(self, key, found) -> list[str]:
        """The ids among ``found`` whose value is within twice the answer's rounding of it."""
        value = self.answers[key]
        tight = 2 * self.cmp.rounding(value)
        return list(dict.fromkeys(f.mistake for f in found
                                  if abs(self.predicted(f, key) - value) <= tight))


def _nearest(key, changed):
    # The changed key to explain: the field itself, else one of its own unit, else the latest layer.
    if key in changed:
        return key
    _, layer, unit, _ = parse_key(key)

    def remoteness(candidate):
        _, l, u, source = parse_key(candidate)
        return (l != layer or u != unit, -(l or 0), u or 0, source or 0)
    return min(changed, key=remoteness)
