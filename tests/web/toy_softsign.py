"""A toy activation for the registry test, softsign f(z) = z/(1 + |z|), f'(z) = 1/(1 + |z|)².

Test-only: the registry's extension point is this one object; registering it (and removing it
afterwards) is all a test does, no other module changes.
"""
import numpy as np

from tracer.activations import Activation

SOFTSIGN = Activation(
    "softsign",
    forward=lambda z, slope: z / (1.0 + np.abs(z)),
    derivative=lambda z, a, slope: 1.0 / ((1.0 + np.abs(z)) * (1.0 + np.abs(z))),
    latex="\\frac{{{z}}}{{1 + |{z}|}}",
    derivative_latex="\\frac{{1}}{{(1 + |{z}|)^2}}",
    definition=r"\mathrm{softsign}(z) = \frac{z}{1 + |z|}",
    description="Softsign squashes z into (−1, 1), more gently than tanh.",
    derivative_text="softsign'({z}) = 1/(1 + |{z}|)²",
    range=(-1.0, 1.0))
