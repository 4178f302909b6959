"""Pages where their audience is (issue 11): every blueprint is named after the module that
defines it, so an endpoint in a template (``url_for("record.student", …)``) leads to its file.
The name is the module's stem without a ``_views`` suffix (``record_views.py`` → ``record``,
``sets.py`` → ``sets``), a package's ``views.py`` takes the package's name (``lti/views.py`` →
``lti``), and a module may put its package's name in front (``lti/admin_views.py`` →
``lti_admin``). Read from the source with ``ast``, so a new blueprint is held to it too."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def blueprints(source: str) -> list[str]:
    """The names of the blueprints a module's source defines (``Blueprint("name", …)``)."""
    return [node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Blueprint"
            and node.args and isinstance(node.args[0], ast.Constant)]


def allowed(path: Path) -> set[str]:
    """The names a blueprint of the module at ``path`` may have."""
    stem, package = path.stem, path.parent.name
    base = package if stem == "views" else stem.removesuffix("_views")
    return {base, f"{package}_{base}"}


def test_every_blueprint_is_named_after_its_module():
    found, wrong = 0, []
    for path in sorted((ROOT / "exercises").rglob("*.py")):
        for name in blueprints(path.read_text(encoding="utf-8")):
            found += 1
            if name not in allowed(path):
                wrong.append(f"{path.relative_to(ROOT)}: Blueprint({name!r})")
    assert found >= 20  # the app's blueprints were all read
    assert not wrong, wrong


def test_the_rule_refuses_a_blueprint_named_elsewhere():
    assert blueprints('bp = Blueprint("instructor", __name__)') == ["instructor"]
    assert "instructor" not in allowed(Path("exercises/instructor/auth.py"))
    assert allowed(Path("exercises/instructor/record_views.py")) >= {"record"}
    assert "lti" in allowed(Path("exercises/lti/views.py"))
    assert "lti_admin" in allowed(Path("exercises/lti/admin_views.py"))
