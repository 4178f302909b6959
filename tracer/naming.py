"""Symbols of the three naming schemes of SPEC §2, as Unicode text and as LaTeX.

``seed`` follows the blog post (x1, h1, ŷ1, a_h1 for pre-activations, w1..w4 by destination then
w5..w8 by source); ``sequential`` numbers weights and biases across layers by destination unit
then source unit and calls pre-activations z; ``matrix`` writes layer superscripts
(a⁽ˡ⁾_j, w⁽ˡ⁾_{j,k}). Symbols depend only on the network's structure.
"""

import functools

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_GRADIENT = ("∂L/∂", "", "\\frac{\\partial L}{\\partial ", "}")
_UPDATED = ("", "⁺", "{", "}^{+}")
# Symbols made from a unit's or parameter's symbol: (text before, text after, latex before,
# latex after); optimizer state is v_w5 (velocity or Adam's second moment) and m_w5.
DERIVED = {
    "dL_da": _GRADIENT, "dL_dw": _GRADIENT, "dL_db": _GRADIENT, "w_new": _UPDATED, "b_new": _UPDATED,
    "velocity": ("v_", "", "v_{", "}"), "m": ("m_", "", "m_{", "}"), "v": ("v_", "", "v_{", "}"),
}


def _sub(index):
    """A LaTeX subscript, braced only when it is longer than one character (h_1, h_{12})."""
    index = str(index)
    return f"_{index}" if len(index) == 1 else f"_{{{index}}}"


def derived(quantity, texts, latexes):
    """The (texts, latexes) of ``quantity`` made from lists of base symbols (∂L/∂w5, w5⁺, m_w5)."""
    text_before, text_after, latex_before, latex_after = DERIVED[quantity]
    return ([text_before + text + text_after for text in texts],
            [latex_before + latex + latex_after for latex in latexes])


def _numbered(letter, numbers):
    """(texts, latexes) of running-numbered symbols: w5, w_5; w12, w_{12}."""
    return ([f"{letter}{n}" for n in numbers],
            [f"{letter}_{n}" if n < 10 else f"{letter}_{{{n}}}" for n in numbers])


@functools.lru_cache(maxsize=256)
def _layer_mark(layer):
    return f"⁽{str(layer).translate(SUPERSCRIPT)}⁾", f"^{{({layer})}}"


class Names:
    """The names of one network's values: ``text(...)`` and ``latex(...)`` of any quantity."""

    def __init__(self, sizes, naming):
        self.sizes, self.naming = tuple(sizes), naming
        self.depth = len(self.sizes) - 1
        # Formulas ask for the same few symbols again and again; a bounded cache per network.
        for name in ("unit", "pre", "delta", "param", "both", "weights", "biases"):
            setattr(self, name, functools.lru_cache(maxsize=4096)(getattr(self, name)))

    def unit(self, layer, unit):
        """The activation of a unit (x for layer 0): (text, latex)."""
        if layer == 0:
            return (f"x_{unit}" if self.naming == "matrix" else f"x{unit}"), f"x{_sub(unit)}"
        if self.naming == "matrix":
            text, latex = _layer_mark(layer)
            return f"a{text}_{unit}", f"a{latex}{_sub(unit)}"
        if layer == self.depth:
            return f"ŷ{unit}", f"\\hat{{y}}{_sub(unit)}"
        if self.depth == 2:
            return f"h{unit}", f"h{_sub(unit)}"
        text, latex = _layer_mark(layer)
        return f"h{text}{str(unit).translate(SUBSCRIPT)}", f"h{latex}{_sub(unit)}"

    def target(self, unit):
        """The target of output unit ``unit``: (text, latex)."""
        return (f"y_{unit}" if self.naming == "matrix" else f"y{unit}"), f"y{_sub(unit)}"

    def pre(self, layer, unit):
        """The pre-activation of a unit: a_h1 (seed), z_h1 (sequential), z⁽ˡ⁾_j (matrix)."""
        if self.naming == "matrix":
            text, latex = _layer_mark(layer)
            return f"z{text}_{unit}", f"z{latex}{_sub(unit)}"
        letter = "a" if self.naming == "seed" else "z"
        text, latex = self.unit(layer, unit)
        return f"{letter}_{text}", f"{letter}_{{{latex}}}"

    def mask(self, layer, unit):
        """A hidden unit's dropout mask r (Srivastava et al.'s letter): r_h1, r⁽ˡ⁾_j (matrix)."""
        if self.naming == "matrix":
            text, latex = _layer_mark(layer)
            return f"r{text}_{unit}", f"r{latex}{_sub(unit)}"
        text, latex = self.unit(layer, unit)
        return f"r_{text}", f"r_{{{latex}}}"

    def delta(self, layer, unit):
        """The error signal δ of a unit."""
        if self.naming == "matrix":
            text, latex = _layer_mark(layer)
            return f"δ{text}_{unit}", f"\\delta{latex}{_sub(unit)}"
        text, latex = self.unit(layer, unit)
        return f"δ_{text}", f"\\delta_{{{latex}}}"

    def param(self, layer, unit, source):
        """A weight (``source`` given) or a bias (``unit`` None for a shared bias)."""
        if unit is None:
            text, latex = _layer_mark(layer)
            return f"b{text}", f"b{latex}"
        if source is None:
            texts, latexes = self.biases(layer, unit - 1, unit)
        else:
            texts, latexes = self.weights(layer, unit, source - 1, source)
        return texts[0], latexes[0]

    def weights(self, layer, unit, start, stop):
        """The (texts, latexes) of the weights into ``unit`` from sources start+1..stop."""
        sizes = self.sizes
        if self.naming == "matrix":
            text, latex = _layer_mark(layer)
            text, latex = f"w{text}_{{{unit},", f"w{latex}_{{{unit},"
            sources = [f"{k}}}" for k in range(start + 1, stop + 1)]
            return [text + k for k in sources], [latex + k for k in sources]
        if self.naming == "seed" and layer == 2:
            # The seed post numbers its output layer by source unit, then destination unit.
            first = sizes[0] * sizes[1] + unit
            numbers = range(first + start * sizes[2], first + stop * sizes[2], sizes[2])
        else:
            first = sum(a * b for a, b in zip(sizes[:layer - 1], sizes[1:layer])) + (unit - 1) * sizes[layer - 1]
            numbers = range(first + start + 1, first + stop + 1)
        return _numbered("w", numbers)

    def biases(self, layer, start, stop):
        """The (texts, latexes) of the per-unit biases of units start+1..stop of ``layer``."""
        if self.naming == "matrix":
            text, latex = _layer_mark(layer)
            units = range(start + 1, stop + 1)
            return [f"b{text}_{j}" for j in units], [f"b{latex}{_sub(j)}" for j in units]
        first = sum(self.sizes[1:layer])
        return _numbered("b", range(first + start + 1, first + stop + 1))

    def both(self, quantity, layer=None, unit=None, source=None):
        """The (text, latex) symbol of any §4 quantity."""
        if quantity == "loss":
            return "L", "L"
        if quantity == "penalty":
            return "Ω", "\\Omega"
        if quantity == "mask":
            return self.mask(layer, unit)
        if quantity in ("x", "a"):
            return self.unit(0 if quantity == "x" else layer, unit)
        if quantity == "y":
            return self.target(unit)
        if quantity == "z":
            return self.pre(layer, unit)
        if quantity == "delta":
            return self.delta(layer, unit)
        if quantity == "da_dz":
            (a_text, a_latex), (z_text, z_latex) = self.unit(layer, unit), self.pre(layer, unit)
            return f"∂{a_text}/∂{z_text}", f"\\frac{{\\partial {a_latex}}}{{\\partial {z_latex}}}"
        if quantity in ("w", "b"):
            return self.param(layer, unit, source)
        if quantity not in DERIVED:
            raise ValueError(f"unknown quantity {quantity!r}")
        text, latex = self.unit(layer, unit) if quantity == "dL_da" else self.param(layer, unit, source)
        texts, latexes = derived(quantity, [text], [latex])
        return texts[0], latexes[0]

    def text(self, quantity, layer=None, unit=None, source=None):
        """The Unicode symbol of a quantity."""
        return self.both(quantity, layer, unit, source)[0]

    def latex(self, quantity, layer=None, unit=None, source=None):
        """The LaTeX symbol of a quantity."""
        return self.both(quantity, layer, unit, source)[1]


PER_SAMPLE = ("x", "y", "mask", "z", "a", "dL_da", "da_dz", "delta")


@functools.lru_cache(maxsize=256)
def names_of(sizes: tuple, naming: str) -> "Names":
    """The ``Names`` of a network's layer sizes and naming, made once (a ``Names`` sets up its
    own caches, which cost more than the symbol asked for)."""
    return Names(sizes, naming)


def symbol(spec: dict, quantity: str, layer: int | None = None, unit: int | None = None,
           source: int | None = None, sample: int = 1, iteration: int = 1) -> str:
    """Return the symbol of a value in a normalized spec's naming scheme.

    ``symbol(spec, "w", 2, 1, 2)`` is ``"w7"`` in seed naming, ``("delta", 2, 1)`` is ``"δ_ŷ1"``,
    and a shared bias's update ``("b_new", 1)`` is ``"b⁽¹⁾⁺"``. In a batch a per-sample value is
    marked with its sample, ``δ_ŷ1[2]``, and with several iterations every value with its step,
    ``w7⁺ (t=2)``.
    """
    text = names_of(tuple(spec["layers"]), spec["naming"]).text(quantity, layer, unit, source)
    if len(spec["inputs"]) > 1 and isinstance(spec["inputs"][0], list) and quantity in PER_SAMPLE:
        text += f"[{sample}]"
    if spec.get("iterations", 1) > 1:
        text += f" (t={iteration})"
    return text
