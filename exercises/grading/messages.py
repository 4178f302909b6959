"""Grader messages as ids with parameters (SPEC §6), rendered in the reader's language.

The grader stores what it means to say — a message id and its parameters (symbols, the
student's own answers, given values) — never a sentence and never an expected value. A page or
the API renders it with the reader's catalog (:func:`render` with Flask-Babel's ``gettext``);
without one, in English. The English texts are marked with ``N_``, a keyword Babel extracts by
default, so they reach the translation catalogs like every other string.
"""
from collections.abc import Callable, Iterable


def N_(text: str) -> str:
    """Mark ``text`` for extraction into the catalogs; return it unchanged."""
    return text


TEXTS = {
    "correct": N_("Correct."),
    "blank": N_("No answer."),
    "carried": N_("Your %(sources)s is wrong, and this answer follows correctly from it."),
    "carried_many": N_("Your %(sources)s are wrong, and this answer follows correctly from them."),
    "carried_inexact": N_("This answer follows correctly from your %(sources)s, within tolerance "
                          "but not exact; carry more digits from one step to the next."),
    "no_follow_through_zero": N_("With your %(sources)s this formula gives 0: there is no work "
                                 "to credit, so no follow-through credit is given."),
    "no_follow_through_unchanged": N_("%(symbol)s equals %(before)s = %(value)s: with your "
                                      "%(sources)s the step is 0, and no follow-through credit is "
                                      "given for a parameter copied unchanged."),
    "unchanged": N_("%(symbol)s equals %(before)s = %(value)s: the update must change it."),
    "step_off": N_("Close, but the step %(symbol)s − %(before)s is not the right size or sign: "
                   "compute the step η·∂L/∂θ carefully and give %(symbol)s to %(digits)s "
                   "significant figures."),
    "precision": N_("Close, but your answer carries too few digits: give %(digits)s significant "
                    "figures, and keep more than that in intermediate values."),
    "incorrect": N_("Not correct: check this value's formula and your arithmetic."),
    "ambiguous": N_("Not correct. More than one mistake could give this value, so none is named: "
                    "check this value's formula and your arithmetic."),
    "upstream": N_("This follows from a mistake upstream:"),
}


def register(message_id: str, text: str) -> None:
    """Add a message text (misconceptions register their own); an id is registered once."""
    if TEXTS.get(message_id, text) != text:
        raise ValueError(f"message {message_id!r} is registered twice")
    TEXTS[message_id] = text


Part = tuple[str, dict]


def shown(parts: Iterable[Part], misconceptions: bool = True) -> list[Part]:
    """The parts a student sees: without the misconception's own words when that feedback is
    off (the generic advice stands in for them)."""
    parts = [tuple(part) for part in parts]
    if misconceptions:
        return parts
    kept = [part for part in parts if not part[0].startswith(("misconception.", "upstream"))]
    return kept or [("incorrect", {})]


def render(parts: Iterable[Part], translate: Callable[[str], str] = str) -> str:
    """The parts' texts, translated by ``translate`` and filled in, joined by spaces. An id
    no catalog knows (from a later version) renders as the id itself. ``parts`` may also be
    their stored JSON form, ``[[id, params], …]``."""
    texts = []
    for message_id, params in parts:
        text = TEXTS.get(message_id)
        texts.append(message_id if text is None else translate(text) % params)
    return " ".join(texts)
