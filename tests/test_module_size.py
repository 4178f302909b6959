"""No source module of the engine or the service is over 300 lines (issue 11's house rule)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("exercises", "tracer")
LIMIT = 300


def line_count(path: Path) -> int:
    """The lines of ``path`` as ``wc -l`` counts them: its newline characters."""
    return path.read_bytes().count(b"\n")


def oversized(root: Path, limit: int = LIMIT) -> list[tuple[str, int]]:
    """(path relative to ``root``, lines) of every .py file under the packages over ``limit``."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            count = line_count(path)
            if count > limit:
                found.append((path.relative_to(root).as_posix(), count))
    return found


def test_no_module_is_over_300_lines():
    offenders = oversized(ROOT)
    assert offenders == [], "over 300 lines: " + ", ".join(f"{path} ({count})" for path, count in offenders)


def test_the_count_is_wc_l_and_a_301_line_module_is_named(tmp_path):
    (tmp_path / "tracer").mkdir()
    (tmp_path / "exercises" / "deep").mkdir(parents=True)
    (tmp_path / "tracer" / "exact.py").write_text("x = 1\n" * 300)
    (tmp_path / "tracer" / "no_final_newline.py").write_text("x = 1\n" * 300 + "y = 2")
    (tmp_path / "exercises" / "deep" / "long.py").write_text("x = 1\n" * 301)
    (tmp_path / "exercises" / "deep" / "notes.txt").write_text("x\n" * 1000)
    assert oversized(tmp_path) == [("exercises/deep/long.py", 301)]
