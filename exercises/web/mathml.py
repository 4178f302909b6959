"""LaTeX to MathML on the server, so formulas render as mathematics with no script and no CDN.

The engine's formulas are LaTeX built from a small vocabulary; latex2mathml converts them and
the result is cached per formula string, since the same formulas recur across pages.
"""
from __future__ import annotations

from functools import lru_cache

from latex2mathml.converter import convert
from markupsafe import Markup

CACHE_SIZE = 8192


# latex2mathml copies some characters through unescaped (inside \\text, and a bare &), so
# markup characters are turned into their LaTeX commands before converting.
_MARKUP = str.maketrans({"&": r"\&", "<": r"\lt ", ">": r"\gt "})


@lru_cache(maxsize=CACHE_SIZE)
def _convert(latex: str, display: str) -> str:
    return convert(latex.translate(_MARKUP), display=display)


def math(latex: str, display: str = "inline") -> Markup:
    """MathML for a LaTeX formula (``display`` is "inline" or "block"), safe to insert in HTML.

    The formulas come from the engine's structure (symbols and numbers), never from free text
    a user typed; markup characters are neutralised all the same.
    """
    return Markup(_convert(latex, display))


def equation(*parts: str, display: str = "inline") -> Markup:
    """MathML for ``parts[0] = parts[1] = …``, leaving out empty and repeated parts."""
    shown: list[str] = []
    for part in parts:
        if part and part not in shown:
            shown.append(part)
    return math(" = ".join(shown), display)
