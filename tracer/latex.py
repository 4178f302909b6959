"""Small LaTeX helpers shared by the formula builders: numbers, products and elided sums."""

ELIDE_ABOVE = 8
KEEP_HEAD, KEEP_TAIL = 3, 2


def num(value: float) -> str:
    """Format a number for the substituted column: 6 significant figures, LaTeX exponents."""
    if value == 0:
        return "0"
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def factor(value: float) -> str:
    """A number as a factor of a product: parenthesised when negative or in scientific form."""
    text = num(value)
    return f"({text})" if text.startswith("-") or "\\times" in text else text


def indices(count: int) -> list:
    """The indices 0..count−1 to show in a sum, with None where the middle is elided."""
    if count <= ELIDE_ABOVE:
        return list(range(count))
    return [*range(KEEP_HEAD), None, *range(count - KEEP_TAIL, count)]


def total(count: int, term, separator: str = " + ") -> str:
    """Join ``term(i)`` for i in 0..count−1, eliding the middle of sums of more than 8 terms."""
    return separator.join("\\cdots" if i is None else term(i) for i in indices(count))
