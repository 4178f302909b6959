"""Build steps that pyproject.toml cannot declare: every install path serves Korean and can migrate.

``build_py`` compiles the translation catalogs (``.po`` → ``.mo``, with Babel) and, for a wheel,
copies the top-level ``migrations/`` (the only source of the schema) into the package as
``exercises/migrations``, where ``exercises.migrate`` finds it with importlib.resources. An
editable install compiles the catalogs in the checkout and leaves ``migrations/`` where it is
(``exercises.migrate`` falls back to the checkout's folder).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogs(translations: Path) -> None:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``translations`` next to itself."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(translations.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


class BuildWithCatalogs(build_py):
    """``build_py`` plus compiled catalogs and, outside editable mode, the migrations."""

    def run(self) -> None:
        if getattr(self, "editable_mode", False):
            compile_catalogs(ROOT / "exercises" / "translations")
            super().run()
            return
        super().run()
        package = Path(self.build_lib) / "exercises"
        compile_catalogs(package / "translations")
        target = package / "migrations"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "migrations", target,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithCatalogs})
