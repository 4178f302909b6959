"""No query in a view (issue 11): a module that defines Flask routes builds no SQL. Its functions
(the route handlers and their helpers alike) ask a service named for what it answers
(``instructor/staff_queries``, ``web/student_queries``, ``lti/registrations``, ``jobs/records``…).

Read from the source with ``ast``, so the rule holds for every route module, new ones too. What
counts as a query: calling a name imported from ``sqlalchemy`` (``select``, ``func``, ``delete``,
``text``…), ``.execute``/``.scalar``/``.scalars``/``.query`` on anything, and ``.get`` on
``db.session()`` or on a name bound to a session. The health check's ping is the one query
allowed: reaching the database is that endpoint's answer.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
QUERY_METHODS = {"execute", "scalar", "scalars", "query"}
ALLOWED = {("exercises/health.py", "healthz")}  # the database ping is the point of /healthz


def _is_route(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_DECORATORS
            and isinstance(decorator.func.value, ast.Name)
            and isinstance(decorator.args[0] if decorator.args else None, ast.Constant)
            and str(decorator.args[0].value).startswith("/"))


def defines_routes(tree: ast.Module) -> bool:
    """Whether a module decorates a function with ``@<blueprint>.route/get/post…("/…")``."""
    return any(_is_route(d) for node in ast.walk(tree)
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
               for d in node.decorator_list)


def _sqlalchemy_names(tree: ast.Module) -> set[str]:
    """Names a module imports from ``sqlalchemy`` itself (not its exceptions)."""
    return {alias.asname or alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            and node.module.split(".")[0] == "sqlalchemy" and node.module != "sqlalchemy.exc"
            for alias in node.names}


def _is_session_call(node: ast.expr) -> bool:
    """``db.session()`` or ``db.write_transaction()``."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("session", "write_transaction"))


def _session_names(function: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_session_call(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.With):
            names |= {item.optional_vars.id for item in node.items
                      if _is_session_call(item.context_expr)
                      and isinstance(item.optional_vars, ast.Name)}
    return names


def queries_in(source: str, path: str = "<snippet>") -> list[str]:
    """Every query (see the module docstring) in the functions of a route-defining module, as
    ``path:line function: what``; nothing for a module without routes."""
    tree = ast.parse(source)
    if not defines_routes(tree):
        return []
    imported = _sqlalchemy_names(tree)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if (path, function.name) in ALLOWED:
            continue
        sessions = _session_names(function)
        for node in ast.walk(function):
            what = None
            if isinstance(node, ast.Name) and node.id in imported:
                what = f"{node.id} from sqlalchemy"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                attr, owner = node.func.attr, node.func.value
                if attr in QUERY_METHODS:
                    what = f".{attr}(...)"
                elif attr == "get" and (_is_session_call(owner) or (
                        isinstance(owner, ast.Name) and owner.id in sessions)):
                    what = "session .get(...)"
            elif isinstance(node, ast.Attribute) and node.attr == "query" \
                    and isinstance(node.ctx, ast.Load):
                what = ".query"
            if what:
                found.append(f"{path}:{node.lineno} {function.name}: {what}")
    return sorted(set(found))


def route_modules() -> list[Path]:
    """Every module under exercises/ that defines routes."""
    return [path for path in sorted((ROOT / "exercises").rglob("*.py"))
            if defines_routes(ast.parse(path.read_text(encoding="utf-8")))]


def test_route_modules_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in route_modules()}
    # a sample the rule must cover: student pages, instructor pages, the API, LTI, jobs
    assert {"exercises/web/sets.py", "exercises/instructor/set_views.py", "exercises/api.py",
            "exercises/lti/admin_views.py", "exercises/jobs/views.py",
            "exercises/health.py"} <= names
    assert "exercises/instructor/staff_queries.py" not in names


def test_no_view_builds_a_query():
    found = [hit for path in route_modules()
             for hit in queries_in(path.read_text(encoding="utf-8"),
                                   path.relative_to(ROOT).as_posix())]
    assert found == []


ROUTE = '''
from flask import Blueprint
from sqlalchemy import func, select
from exercises import db
from exercises.models import Exercise
bp = Blueprint("x", __name__)

@bp.get("/things/<id>")
def thing(id):
{body}
'''
BAD = {  # a route's body: what the check reports
    "    return db.session().scalars(select(Exercise)).all()": "thing: select from sqlalchemy",
    "    return db.session().get(Exercise, id)": "thing: session .get(...)",
    "    sess = db.session()\n    return sess.get(Exercise, id)": "thing: session .get(...)",
    "    with db.write_transaction() as tx:\n        return tx.get(Exercise, id)":
        "thing: session .get(...)",
    "    return something.execute(text)": "thing: .execute(...)",
    "    return sess.scalar(q)": "thing: .scalar(...)",
    "    return render_template('x.html', n=func.count())": "thing: func from sqlalchemy",
    "    return Exercise.query.all()": "thing: .query",
}


@pytest.mark.parametrize("body", sorted(BAD))
def test_the_check_catches_a_query_in_a_route(body):
    assert any(hit.endswith(BAD[body]) for hit in queries_in(ROUTE.format(body=body)))


def test_the_check_catches_a_query_in_a_route_modules_helper():
    source = ROUTE.format(body="    return _helper()") + \
        "\ndef _helper():\n    return db.session().get(Exercise, 1)\n"
    assert queries_in(source) == ["<snippet>:13 _helper: session .get(...)"]


def test_the_check_lets_a_view_call_services_and_read_the_request():
    body = ("    item = staff_queries.set_item(id, request.args.get('item', ''))\n"
            "    return render_template('x.html', item=item, rows=queries.rows(session.get('k')))")
    assert queries_in(ROUTE.format(body=body)) == []
    # a service module (no routes) is where queries belong
    assert queries_in("from sqlalchemy import select\ndef rows():\n    return select(1)\n") == []
