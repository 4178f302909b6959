"""Problem sets as a service: create and edit drafts, order their exercises, delete a draft.

A set's settings (attempts, ECF credit, feedback, reveal policy, tolerance) override those of
every template it uses. An exercise is a built-in template with changed knobs, or a given
network (template id "network"), whose variants are all that network.

While a set is a draft its exercises can change freely; once publishing starts
(``publishing.py``) they are fixed. Changing the tolerance or the ECF credit of a published set
is a regrade (``set_regrade.py``); the other settings apply to every variant at once.
"""
from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from exercises import db
from exercises.generation import BUILTIN_TEMPLATES, TemplateError
from exercises.instructor import circuit_items, pool, variants
from exercises.instructor.policy import as_utc
from exercises.models import AuditEvent, Exercise, ProblemSet, ProblemSetItem, new_id
from exercises.practice import GIVEN_NETWORK

POLICY_KEYS = ("attempts", "feedback", "reveal")
GRADING_KEYS = ("ecf_credit", "tolerance")


class SetError(ValueError):
    """A problem set cannot be changed as asked; the message says why, for the instructor."""


def settings_from(data: dict[str, Any]) -> dict[str, Any]:
    """The set settings (template knobs) of a set or regrade form's data."""
    mode = data["tolerance_mode"]
    if mode == "relabs":
        tolerance = {"mode": mode, "rtol": 1e-2 if data.get("rtol") is None else data["rtol"],
                     "atol": 0.0 if data.get("atol") is None else data["atol"], "digits": None}
    else:
        if data.get("digits") is None:
            raise SetError(_("tolerance: mode %(mode)s needs a number of digits", mode=mode))
        tolerance = {"mode": mode, "rtol": None, "atol": None, "digits": data["digits"]}
    settings = {"ecf_credit": float(data["ecf_credit"]), "tolerance": tolerance}
    if "reveal" in data:
        settings.update(attempts=data.get("attempts"), feedback=bool(data["feedback"]),
                        reveal=data["reveal"])
    return settings


def coaching_from(data: dict[str, Any]) -> int | None:
    """The coaching ladder's highest rung a set form asks for (web.ladder), or None for the
    default."""
    return int(data["coaching"]) if data.get("coaching") not in (None, "") else None


def create_set(owner_id: str, data: dict[str, Any]) -> ProblemSet:
    """Create a draft set from a set form's data."""
    settings = settings_from(data)
    with db.write_transaction() as sess:
        problem_set = ProblemSet(owner_id=owner_id, title=data["title"].strip(),
                                 instructions=data.get("instructions") or "", settings=settings,
                                 due_at=as_utc(data.get("due_at")), pool_size=data["pool_size"],
                                 exam_mode=bool(data.get("exam_mode")),
                                 lock_trace_tool=bool(data.get("lock_trace_tool", True)),
                                 coaching=coaching_from(data))
        _course_settings(problem_set, data)
        sess.add(problem_set)
    return problem_set


def _course_settings(problem_set: ProblemSet, data: dict[str, Any]) -> None:
    """An exam's start and time limit, the late-penalty rule and the display time zone, from
    a set form's data (blank: none, UTC)."""
    problem_set.starts_at = as_utc(data.get("starts_at"))
    problem_set.time_limit = data.get("time_limit") or None
    problem_set.late_per_day = data.get("late_per_day") or None
    problem_set.late_cap = data.get("late_cap") if problem_set.late_per_day else None
    problem_set.time_zone = (data.get("time_zone") or "UTC").strip()


def update_set(set_id: str, data: dict[str, Any], actor_id: str | None = None) -> None:
    """Change a set's title, instructions and settings, recording what changed in its history.

    On a published set the policy settings are copied into every variant; its grading settings
    change only through a regrade, so the stored grades stay consistent with them: whatever
    the form sent for them is ignored (the form shows them read-only), and the other edits
    are saved.
    """
    settings = settings_from(data)
    if data.get("exam_mode") and circuit_items.has_circuits(set_id):
        raise SetError(circuit_items.exam_refusal())
    with db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
        published = problem_set.status == "published"
        if published:  # read-only on the form: they change through Regrade
            settings.update({k: problem_set.settings.get(k) for k in GRADING_KEYS})
        before = _tracked(problem_set)
        problem_set.title = data["title"].strip()
        problem_set.instructions = data.get("instructions") or ""
        problem_set.due_at = as_utc(data.get("due_at"))
        problem_set.pool_size = data["pool_size"]
        problem_set.exam_mode = bool(data.get("exam_mode"))
        problem_set.lock_trace_tool = bool(data.get("lock_trace_tool", True))
        problem_set.coaching = coaching_from(data)
        _course_settings(problem_set, data)
        problem_set.settings = settings
        if published:
            policy = {key: settings[key] for key in POLICY_KEYS}
            for variant in sess.scalars(select(Exercise).where(Exercise.problem_set_id == set_id)):
                variant.settings = {**variant.settings, **policy}
        after = _tracked(problem_set)
        changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
        if changes:
            sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, action="settings",
                                details={"changes": changes}))


def _tracked(problem_set: ProblemSet) -> dict[str, Any]:
    """The settings a history entry records a change of, as JSON values."""
    due, starts = as_utc(problem_set.due_at), as_utc(problem_set.starts_at)
    return {"title": problem_set.title, "attempts": problem_set.settings.get("attempts"),
            "due_at": due.isoformat() if due else None,
            "starts_at": starts.isoformat() if starts else None,
            "time_limit": problem_set.time_limit, "late_per_day": problem_set.late_per_day,
            "late_cap": problem_set.late_cap, "time_zone": problem_set.time_zone,
            "reveal": problem_set.settings.get("reveal"),
            "feedback": problem_set.settings.get("feedback"),
            "pool_size": problem_set.pool_size, "exam_mode": problem_set.exam_mode,
            "lock_trace_tool": problem_set.lock_trace_tool,
            "instructions": len(problem_set.instructions or "")}


def item_knobs(data: dict[str, Any]) -> dict[str, Any]:
    """The template knobs an item form changes (blank fields keep the template's). With a
    given network only the exercise's own knobs (what to ask, digits, δ convention) apply;
    a circuit's are read by ``circuit_items``."""
    knobs: dict[str, Any] = {}
    if circuit_items.is_circuit_form(data):
        try:
            return circuit_items.form_knobs(data)
        except TemplateError as exc:
            raise SetError(str(exc)) from None
    if (data.get("network") or "").strip():
        try:
            network = json.loads(data["network"])
        except ValueError as exc:
            raise SetError(_("network: not JSON (%(why)s)", why=exc)) from None
        if not isinstance(network, dict):
            raise SetError(_("network: must be a JSON object, a network spec with layers, "
                             "weights, inputs, targets and learning_rate"))
        knobs["network"] = network
        for key in ("answer_digits", "delta_convention"):
            if data.get(key):
                knobs[key] = data[key]
        if data.get("ask"):
            knobs["ask"] = list(data["ask"])
        return knobs
    if data.get("layers"):
        try:
            knobs["layers"] = [int(part) for part in data["layers"].replace(" ", "").split(",")]
        except ValueError:
            raise SetError(_("layers: write unit counts separated by commas, e.g. 2,2,2")) from None
        if "naming" not in knobs:
            knobs["naming"] = None  # the built-in's naming may not fit other layer counts
    if data.get("activations"):
        names = [part.strip() for part in data["activations"].split(",") if part.strip()]
        knobs["activations"] = names[0] if len(names) == 1 else names
    for key in ("loss", "bias", "naming", "delta_convention"):
        if data.get(key):
            knobs[key] = data[key]
    for key in ("learning_rate", "answer_digits"):
        if data.get(key) is not None:
            knobs[key] = data[key]
    if data.get("ask"):
        knobs["ask"] = list(data["ask"])
    return knobs


def new_item(problem_set: ProblemSet, template_id: str, knobs: dict[str, Any],
             title: str = "") -> ProblemSetItem:
    """An exercise for ``problem_set`` (not stored yet), after checking its template generates
    exercises (a given network's failed conditions do not stop it: its preview reports them).
    A circuit item (``circuit_items``) is refused in an exam-mode set."""
    if (circuit := circuit_items.circuit_knobs(template_id, knobs)) is not None:
        knobs = circuit
        if problem_set.exam_mode:
            raise SetError(circuit_items.exam_refusal())
        template_id, default_title = circuit_items.template_id_of(knobs), \
            circuit_items.default_title(knobs)
    elif "network" in knobs:
        template_id, default_title = GIVEN_NETWORK, "Exercise on a given network"
    elif template_id not in BUILTIN_TEMPLATES:
        raise SetError(_("template: no built-in template %(id)s", id=repr(template_id)))
    else:
        default_title = BUILTIN_TEMPLATES[template_id].title
    item = ProblemSetItem(id=new_id(), problem_set_id=problem_set.id, template_id=template_id,
                          knobs=knobs, title=title.strip() or default_title)
    try:
        template = variants.item_template(problem_set, item)
        variants.make(template, None if template.network is not None else 0)
    except TemplateError as exc:
        raise SetError(str(exc)) from exc
    return item


def add_item(set_id: str, template_id: str, knobs: dict[str, Any], title: str = "") -> None:
    """Append an exercise to a draft set (``new_item``)."""
    item = new_item(db.session().get(ProblemSet, set_id), template_id, knobs, title)
    with db.write_transaction() as sess:
        _require_draft(sess, set_id)
        last = sess.scalar(select(func.max(ProblemSetItem.position))
                           .where(ProblemSetItem.problem_set_id == set_id))
        item.position = 0 if last is None else last + 1
        sess.add(item)


def move_item(set_id: str, item_id: str, offset: int) -> None:
    """Move an exercise of a draft set up (−1) or down (+1)."""
    with db.write_transaction() as sess:
        _require_draft(sess, set_id)
        items = pool.set_items(set_id)
        index = next((i for i, item in enumerate(items) if item.id == item_id), None)
        if index is None:
            raise SetError(_("no such exercise in this set"))
        other = index + offset
        if 0 <= other < len(items):
            items[index].position, items[other].position = items[other].position, \
                items[index].position


def remove_item(set_id: str, item_id: str) -> None:
    """Remove an exercise from a draft set."""
    with db.write_transaction() as sess:
        _require_draft(sess, set_id)
        item = sess.get(ProblemSetItem, item_id)
        if item is None or item.problem_set_id != set_id:
            raise SetError(_("no such exercise in this set"))
        sess.delete(item)


def delete_set(set_id: str) -> None:
    """Delete a draft set (published sets hold students' work and are kept)."""
    with db.write_transaction() as sess:
        sess.delete(_require_draft(sess, set_id))


def _require_draft(sess, set_id: str) -> ProblemSet:
    problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
    if problem_set.status != "draft":
        raise SetError(_("a published set's exercises are fixed: its students hold variants"))
    return problem_set
