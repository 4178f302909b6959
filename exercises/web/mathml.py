"""LaTeX to MathML on the server, so formulas render as mathematics with no script and no CDN.

The engine's formulas are LaTeX built from a small vocabulary; latex2mathml converts them and
the result is cached per formula string, since the same formulas recur across pages.
"""
from __future__ import annotations

import re
from functools import lru_cache

from latex2mathml.converter import convert
from markupsafe import Markup

CACHE_SIZE = 8192


# latex2mathml copies some characters through unescaped (inside \\text, and a bare &), so
# markup characters are turned into their LaTeX commands before converting.
_MARKUP = str.maketrans({"&": r"\&", "<": r"\lt ", ">": r"\gt "})


# A minus sign right after "=", an opening bracket, a comma or another operator is a number's
# sign, not a subtraction; bracing it makes MathML set it tight against the number ("−0.5").
_SIGNED = re.compile(r"(^|[=(\[{,+\-]|\\cdot|\\times)(\s*)-(\d+(?:\.\d+)?)")


@lru_cache(maxsize=CACHE_SIZE)
def _convert(latex: str, display: str) -> str:
    signed = _SIGNED.sub(r"\1\2{-\3}", latex.translate(_MARKUP))
    return convert(signed, display=display)


def math(latex: str, display: str = "inline") -> Markup:
    """MathML for a LaTeX formula (``display`` is "inline" or "block"), safe to insert in HTML.

    The formulas come from the engine's structure (symbols and numbers), never from free text
    a user typed; markup characters are neutralised all the same.
    """
    return Markup(_convert(latex, display))


def equation(*parts: str) -> Markup:
    """``parts[0] = parts[1] = …`` (empty and repeated parts left out) as a row of MathML
    pieces, one per "= part", which wrap onto new lines when the screen is narrow."""
    shown: list[str] = []
    for part in parts:
        if part and part not in shown:
            shown.append(part)
    pieces = [math(shown[0])] + [math("= " + part) for part in shown[1:]]
    inner = Markup("").join(Markup('<span class="eq-part">%s</span>') % piece for piece in pieces)
    return Markup('<span class="eq">%s</span>') % inner
