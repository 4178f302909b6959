"""Course tools as a service: a set's teaching staff, copying a set, and exercises added or
retired after publishing. Every change is recorded in the set's history (``history_text``).

- Staff: an existing instructor account, found by email, joins a set as a co-instructor or a
  teaching assistant (what each may do: ``access.ABILITIES``). The owner may hand the set to a
  co-instructor, who becomes the owner; the former owner stays a co-instructor.
- A copy holds the original's exercises that are not retired (template, knobs, title, points)
  and its settings, as a new draft: no students, no variants, no dates (they belong to the old
  term); it gets its own join code when it is published.
- An exercise added to a published set gets its answer digits and its pool at once, and every
  student who has joined gets a variant of it; the rest of their work is untouched. A retired
  exercise stops counting in totals and is handed to nobody new; its variants and attempts stay,
  and restoring it makes it count again.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from exercises import db
from exercises.generation import TemplateError
from exercises.instructor import enrollment, pool, problem_sets, variants
from exercises.instructor.problem_sets import SetError
from exercises.models import AuditEvent, Enrollment, ProblemSet, ProblemSetItem, SetMember, User, utcnow

STAFF_ROLES = ("co_instructor", "ta")


def _event(sess, set_id: str, actor_id: str | None, action: str, **details) -> None:
    sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, action=action,
                        details=details))


def staff(set_id: str) -> list[tuple[SetMember, User]]:
    """A set's co-instructors and teaching assistants, by name."""
    return db.session().execute(
        select(SetMember, User).join(User, User.id == SetMember.user_id)
        .where(SetMember.problem_set_id == set_id).order_by(User.name, User.email)).all()


def add_member(set_id: str, email: str, role: str, actor_id: str) -> User:
    """Add the instructor with ``email`` to the set's staff as ``role`` (or change their role)."""
    if role not in STAFF_ROLES:
        raise SetError(_("role: must be co_instructor or ta"))
    cleaned = email.strip().lower()
    with db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
        user = sess.scalar(select(User).where(func.lower(User.email) == cleaned))
        if user is None or user.role != "instructor":
            raise SetError(_("email: no instructor account has the email %(email)s", email=cleaned))
        if user.id == problem_set.owner_id:
            raise SetError(_("email: this instructor owns the set"))
        member = sess.scalar(select(SetMember).where(SetMember.problem_set_id == set_id,
                                                     SetMember.user_id == user.id))
        if member is None:
            sess.add(SetMember(problem_set_id=set_id, user_id=user.id, role=role))
            _event(sess, set_id, actor_id, "member_added", name=user.name, email=user.email,
                   role=role)
        elif member.role != role:
            _event(sess, set_id, actor_id, "member_role", name=user.name, email=user.email,
                   old=member.role, new=role)
            member.role = role
    return user


def remove_member(set_id: str, user_id: str, actor_id: str) -> None:
    """Take a co-instructor or teaching assistant off the set's staff."""
    with db.write_transaction() as sess:
        member = sess.scalar(select(SetMember).where(SetMember.problem_set_id == set_id,
                                                     SetMember.user_id == user_id))
        if member is None:
            raise SetError(_("this instructor is not on the set's staff"))
        user = sess.get(User, user_id)
        sess.delete(member)
        _event(sess, set_id, actor_id, "member_removed", name=user.name, email=user.email,
               role=member.role)


def transfer(set_id: str, user_id: str, actor_id: str) -> None:
    """Make a co-instructor the set's owner; the owner becomes a co-instructor."""
    with db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
        member = sess.scalar(select(SetMember).where(SetMember.problem_set_id == set_id,
                                                     SetMember.user_id == user_id))
        if member is None or member.role != "co_instructor":
            raise SetError(_("only a co-instructor can be given the set"))
        old_owner, new_owner = sess.get(User, problem_set.owner_id), sess.get(User, user_id)
        member.user_id, problem_set.owner_id = old_owner.id, new_owner.id
        _event(sess, set_id, actor_id, "transferred", old=old_owner.name, new=new_owner.name)


def copy_set(set_id: str, actor_id: str) -> ProblemSet:
    """A new draft with the set's exercises (those not retired) and settings, owned by
    ``actor_id``; both sets' histories say so."""
    with db.write_transaction() as sess:
        source = sess.get(ProblemSet, set_id)
        copy = ProblemSet(owner_id=actor_id, title=f"{source.title} (copy)"[:200],
                          instructions=source.instructions, settings=dict(source.settings),
                          pool_size=source.pool_size, exam_mode=source.exam_mode,
                          lock_trace_tool=source.lock_trace_tool, coaching=source.coaching,
                          time_limit=source.time_limit, late_per_day=source.late_per_day,
                          late_cap=source.late_cap, time_zone=source.time_zone)
        sess.add(copy)
        sess.flush()
        items = sess.scalars(select(ProblemSetItem).where(
            ProblemSetItem.problem_set_id == set_id, ProblemSetItem.retired_at.is_(None))
            .order_by(ProblemSetItem.position)).all()
        for position, item in enumerate(items):
            sess.add(ProblemSetItem(problem_set_id=copy.id, position=position,
                                    template_id=item.template_id, title=item.title,
                                    knobs=dict(item.knobs), points=item.points,
                                    field_points=dict(item.field_points)
                                    if item.field_points else None))
        _event(sess, copy.id, actor_id, "copied_from", title=source.title, items=len(items))
        _event(sess, set_id, actor_id, "copied_to", title=copy.title)
    return copy


def add_published_item(set_id: str, template_id: str, knobs: dict, title: str,
                       actor_id: str) -> ProblemSetItem:
    """Add an exercise to a published set: fix its digits, fill its pool and hand a variant of
    it to every student who has joined."""
    problem_set = db.session().get(ProblemSet, set_id)
    if problem_set.status != "published":
        raise SetError(_("only a published set takes exercises this way"))
    item = problem_sets.new_item(problem_set, template_id, knobs, title)
    try:
        digits = variants.item_digits(problem_set, item)
    except TemplateError as exc:
        raise SetError(str(exc)) from exc
    with db.write_transaction() as sess:
        last = sess.scalar(select(func.max(ProblemSetItem.position))
                           .where(ProblemSetItem.problem_set_id == set_id))
        item.position = 0 if last is None else last + 1
        item.answer_digits = digits
        sess.add(item)
        _event(sess, set_id, actor_id, "item_added", item=item.title, item_id=item.id)
    students = db.session().scalars(select(Enrollment.user_id).where(
        Enrollment.problem_set_id == set_id)).all()
    problem_set = db.session().get(ProblemSet, set_id)
    wanted = max(problem_set.pool_size, len(students) + pool.low_water(problem_set.pool_size))
    made = pool.generate_variants(problem_set, {item.id: (0, wanted)})
    with db.write_transaction() as sess:
        pool.store_variants(sess, made)
    for user_id in students:
        enrollment.assign_missing(problem_set, user_id)
    return item


def retire_item(set_id: str, item_id: str, actor_id: str, retire: bool = True) -> None:
    """Retire an exercise of a published set (or restore it, ``retire`` False)."""
    with db.write_transaction() as sess:
        item = sess.get(ProblemSetItem, item_id, with_for_update=True)
        if item is None or item.problem_set_id != set_id:
            raise SetError(_("no such exercise in this set"))
        if sess.get(ProblemSet, set_id).status != "published":
            raise SetError(_("a draft's exercises are removed, not retired"))
        if (item.retired_at is not None) == retire:
            return
        item.retired_at = utcnow() if retire else None
        _event(sess, set_id, actor_id, "item_retired" if retire else "item_restored",
               item=item.title, item_id=item.id)
    if not retire and enrollment.assign_waiting(set_id):
        pool.schedule_top_up(set_id)  # students who joined while it was retired get one
