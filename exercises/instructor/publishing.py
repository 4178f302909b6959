"""Publishing a problem set, and finding a published one by its join code.

Publishing fixes each exercise's answer digits, so every variant of it asks for the same, fills
the variant pools (``pool.fill``; a job does this for a large class, "publishing" meanwhile) and
opens the set with a join code, after which its exercises are fixed; an unfinished publish can
be undone (``back_to_draft``).
"""
from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from exercises import db
from exercises.generation import TemplateError
from exercises.instructor import pool, variants
from exercises.instructor.problem_sets import SetError
from exercises.models import Exercise, ProblemSet, ProblemSetItem, utcnow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud
CODE_LENGTH = 8


def publish(set_id: str) -> int:
    """Publish a draft at once, in this process (``begin_publish`` then
    ``complete_publish``); returns the number of variants."""
    begin_publish(set_id)
    return complete_publish(set_id)


def begin_publish(set_id: str) -> None:
    """Check that a draft can be published and mark it "publishing": its exercises are fixed
    from now on, and nobody can join until ``complete_publish`` opens it."""
    with db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
        if problem_set.status != "draft":
            raise SetError(_("this set is already published"))
        if not sess.scalar(select(func.count(ProblemSetItem.id))
                           .where(ProblemSetItem.problem_set_id == set_id)):
            raise SetError(_("add at least one exercise before publishing"))
        problem_set.status = "publishing"


def complete_publish(set_id: str, progress=None) -> int:
    """Fix every exercise's answer digits, fill its variant pool at them (``pool.fill``,
    ``progress`` as there) and open the set with a join code; returns the number of variants.

    Idempotent, so a job can run it again after a crash: digits already fixed stay, the pools
    are filled only where they lack variants, an open set stays as it is. When a template
    makes no good exercise the set goes back to being a draft, without variants.
    """
    problem_set = db.session().get(ProblemSet, set_id, populate_existing=True)
    items = pool.set_items(set_id)
    if problem_set.status == "publishing":
        try:
            # item_template asks for these same digits (resolve_digits is deterministic)
            digits = {item.id: variants.item_digits(problem_set, item) for item in items}
            with db.write_transaction() as sess:
                for item in items:
                    sess.get(ProblemSetItem, item.id).answer_digits = digits[item.id]
            pool.fill(problem_set, progress)
        except TemplateError as exc:
            back_to_draft(set_id)
            raise SetError(str(exc)) from exc
        with db.write_transaction() as sess:
            locked = sess.get(ProblemSet, set_id, with_for_update=True)
            if locked.status == "publishing":
                locked.status, locked.published_at = "published", utcnow()
                locked.join_code = _new_code(sess)
    return db.session().scalar(select(func.count(Exercise.id))
                               .where(Exercise.problem_set_id == set_id))


def back_to_draft(set_id: str) -> None:
    """Undo an unfinished publish: delete the variants made so far (nobody holds one, as
    nobody could join) and make the set a draft again."""
    with db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
        if problem_set is None or problem_set.status != "publishing":
            return
        sess.execute(delete(Exercise).where(Exercise.problem_set_id == set_id))
        for item in sess.scalars(select(ProblemSetItem)
                                 .where(ProblemSetItem.problem_set_id == set_id)):
            item.answer_digits = None
        problem_set.status = "draft"


def _new_code(sess) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if sess.scalar(select(ProblemSet.id).where(ProblemSet.join_code == code)) is None:
            return code


def find_by_code(code: str) -> ProblemSet | None:
    """The published set with this join code (case and spaces ignored), or None."""
    cleaned = "".join(code.split()).upper()
    if not 0 < len(cleaned) <= CODE_LENGTH or not cleaned.isascii() or not cleaned.isalnum():
        return None  # no code of ours; some (a NUL byte) the database would not even take
    return db.session().scalar(select(ProblemSet).where(ProblemSet.join_code == cleaned,
                                                        ProblemSet.status == "published"))
