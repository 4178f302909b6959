"""Small LaTeX helpers shared by the formula builders: numbers, products and elided sums."""

ELIDE_ABOVE = 8
KEEP_HEAD, KEEP_TAIL = 3, 2
CDOTS = "\\cdots"


# " \times 10^{-5}" for the exponent "-05" of Python's "1.5e-05", for every float64 exponent.
POWERS = {f"{e:+03d}": f" \\times 10^{{{e}}}" for e in range(-330, 330)}


def _scientific(text: str) -> str:
    """LaTeX for a number Python formatted with an exponent: 1.5e-05 → 1.5 \\times 10^{-5}."""
    mantissa, _, exponent = text.partition("e")
    return mantissa + (POWERS.get(exponent) or f" \\times 10^{{{int(exponent)}}}")


def num(value: float) -> str:
    """Format a number for the substituted column: 6 significant figures, LaTeX exponents."""
    if value == 0:
        return "0"
    text = f"{value:.6g}"
    return _scientific(text) if "e" in text else text


def factor(value: float) -> str:
    """A number as a factor of a product: parenthesised when negative or in scientific form."""
    text = num(value)
    return f"({text})" if text.startswith("-") or "\\times" in text else text


# The list forms format a whole list in one comprehension instead of a Python call per value.

def nums(values) -> list:
    """``num`` of every float in ``values``."""
    return [_scientific(text) if "e" in (text := f"{v:.6g}") else "0" if text == "-0" else text for v in values]


def factors(values) -> list:
    """``factor`` of every float in ``values``."""
    return [f"({text})" if text[0] == "-" or "\\times" in text else text for text in nums(values)]


def indices(count: int) -> list:
    """The indices 0..count−1 to show in a sum, with None where the middle is elided."""
    if count <= ELIDE_ABOVE:
        return list(range(count))
    return [*range(KEEP_HEAD), None, *range(count - KEEP_TAIL, count)]


def total(count: int, term, separator: str = " + ") -> str:
    """Join ``term(i)`` for i in 0..count−1, eliding the middle of sums of more than 8 terms."""
    return separator.join(CDOTS if i is None else term(i) for i in indices(count))


def shown(values, format_list=factors) -> list:
    """The formatted entries of ``values`` a sum shows, ``\\cdots`` where it elides the middle."""
    if len(values) <= ELIDE_ABOVE:
        return format_list(values)
    texts = format_list([*values[:KEEP_HEAD], *values[-KEEP_TAIL:]])
    return [*texts[:KEEP_HEAD], CDOTS, *texts[KEEP_HEAD:]]
