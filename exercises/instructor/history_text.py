"""A set's history events as sentences a person reads (in their language), from the details
each event keeps. Events stored before a detail existed read with what they have."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from exercises.instructor.policy import shown
from exercises.models import AuditEvent


def _number(value) -> str:
    return "—" if value is None else f"{float(value):.4g}"


def tolerance_text(tolerance: dict | None) -> str:
    """A tolerance setting as the set page writes it."""
    if not tolerance:
        return "—"
    if tolerance.get("mode") == "relabs":
        return f"relabs rtol {_number(tolerance.get('rtol'))}, atol {_number(tolerance.get('atol'))}"
    return f"{tolerance.get('mode')} {tolerance.get('digits')}"


def _when(stamp: str | None) -> str:
    return shown(datetime.fromisoformat(stamp)) if stamp else _("the set's due date")


def _grading(old: dict, new: dict) -> str:
    parts = []
    if old.get("tolerance") != new.get("tolerance"):
        parts.append(_("tolerance %(old)s → %(new)s", old=tolerance_text(old.get("tolerance")),
                       new=tolerance_text(new.get("tolerance"))))
    if old.get("ecf_credit") != new.get("ecf_credit"):
        parts.append(_("ECF credit %(old)s → %(new)s", old=_number(old.get("ecf_credit")),
                       new=_number(new.get("ecf_credit"))))
    return "; ".join(parts) or _("the same grading settings")


def _regrade(d: dict) -> str:
    head = _("Regraded with %(what)s.", what=_grading(d.get("old") or {}, d.get("new") or {}))
    if "students" not in d:  # stored before totals per student were kept
        return head + " " + _("%(changed)d of %(n)d graded attempts changed.",
                              changed=len(d.get("changes", [])), n=d.get("submissions", 0))
    students = ", ".join(f"{s['student']} {float(s['old']):g} → {float(s['new']):g}"
                         for s in d["students"][:20])
    more = len(d["students"]) - 20
    return " ".join(filter(None, [
        head,
        _("%(changed)d of %(n)d students' totals changed", changed=len(d["students"]),
          n=d.get("students_graded", 0)) + (f": {students}" if students else "")
        + (f" {_('and %(n)d more', n=more)}" if more > 0 else "") + ".",
        _("%(changed)d of %(n)d graded attempts changed.", changed=d.get("attempts_changed", 0),
          n=d.get("submissions", 0))]))


def _points(d: dict) -> str:
    own = d.get("new", {}).get("field_points") or {}
    text = _("%(item)s is worth %(old)s → %(new)s points.", item=d.get("item", ""),
             old=_number(d.get("old", {}).get("points")), new=_number(d.get("new", {}).get("points")))
    if own:
        text += " " + _("%(n)d fields have their own points.", n=len(own))
    return text


def role_name(role: str | None) -> str:
    """A role in a set, as people read it."""
    names = {"owner": _("owner"), "co_instructor": _("co-instructor"),
             "ta": _("teaching assistant")}
    return names.get(role or "", role or "")


def action_name(action: str) -> str:
    """What kind of change an event records, as a word or two."""
    names = {"regrade": _("regrade"), "extension": _("extension"), "override": _("override"),
             "override_removed": _("override removed"), "points": _("points"),
             "password_reset": _("password reset"), "settings": _("settings"),
             "member_added": _("staff added"), "member_role": _("staff role"),
             "member_removed": _("staff removed"), "transferred": _("owner changed"),
             "copied_from": _("copied"), "copied_to": _("copied"),
             "item_added": _("exercise added"), "item_retired": _("exercise retired"),
             "item_restored": _("exercise restored")}
    return names.get(action, action.replace("_", " "))


def _setting(key: str, old, new) -> str:
    names = {"title": _("title"), "attempts": _("attempts per exercise"),
             "due_at": _("due date"), "reveal": _("worked solutions shown"),
             "feedback": _("misconception feedback"), "pool_size": _("expected class size"),
             "exam_mode": _("exam mode"), "lock_trace_tool": _("trace tool locked"),
             "instructions": _("instructions (characters)"), "starts_at": _("opens at"),
             "time_limit": _("time limit (minutes)"), "late_per_day": _("late penalty per day (%)"),
             "late_cap": _("late penalty cap (%)"), "time_zone": _("time zone")}

    def value(v):
        if key in ("due_at", "starts_at"):
            return _when(v) if v else _("none")
        if key in ("time_limit", "late_per_day", "late_cap") and v is None:
            return _("none")
        if key == "attempts" and v is None:
            return _("unlimited")
        if isinstance(v, bool):
            return _("on") if v else _("off")
        return str(v).replace("_", " ")
    return f"{names.get(key, key)} {value(old)} → {value(new)}"


def describe(event: AuditEvent) -> str:
    """One event as a sentence."""
    d = event.details or {}
    if event.action == "regrade":
        return _regrade(d)
    if event.action == "extension":
        return _("Due date %(old)s → %(new)s.", old=_when(d.get("old")), new=_when(d.get("new")))
    if event.action == "override":
        return _("Score on %(exercise)s set to %(score)s: %(reason)s", exercise=d.get("exercise"),
                 score=_number(d.get("score")), reason=d.get("reason", ""))
    if event.action == "override_removed":
        return _("Score set by hand on %(exercise)s (%(score)s) removed: the best attempt "
                 "counts again.", exercise=d.get("exercise"), score=_number(d.get("score")))
    if event.action == "settings":
        return _("Settings changed: %(what)s.", what="; ".join(
            _setting(key, old, new) for key, (old, new) in d.get("changes", {}).items()))
    if event.action == "points":
        return _points(d)
    if event.action == "password_reset":
        return _("Password reset for %(email)s.", email=d.get("email", ""))
    return _course(event.action, d) or ", ".join(f"{key}: {value}" for key, value in d.items())


def _course(action: str, d: dict) -> str | None:
    """The sentence of a course-tools event (``course.py``), None for another kind."""
    if action == "member_added":
        return _("%(name)s (%(email)s) added to the staff as %(role)s.", name=d.get("name"),
                 email=d.get("email"), role=role_name(d.get("role")))
    if action == "member_role":
        return _("%(name)s (%(email)s) is now %(new)s instead of %(old)s.", name=d.get("name"),
                 email=d.get("email"), new=role_name(d.get("new")), old=role_name(d.get("old")))
    if action == "member_removed":
        return _("%(name)s (%(email)s, %(role)s) removed from the staff.", name=d.get("name"),
                 email=d.get("email"), role=role_name(d.get("role")))
    if action == "transferred":
        return _("The set was handed from %(old)s to %(new)s.", old=d.get("old"),
                 new=d.get("new"))
    if action == "copied_from":
        return _("Made as a copy of %(title)s, with its %(n)d exercises.", title=d.get("title"),
                 n=d.get("items", 0))
    if action == "copied_to":
        return _("Copied into a new draft, %(title)s.", title=d.get("title"))
    if action == "item_added":
        return _("Exercise %(item)s added after publishing; every student who had joined got a "
                 "variant of it.", item=d.get("item"))
    if action == "item_retired":
        return _("Exercise %(item)s retired: it no longer counts in totals; its attempts stay.",
                 item=d.get("item"))
    if action == "item_restored":
        return _("Exercise %(item)s restored: it counts in totals again.", item=d.get("item"))
    return None
