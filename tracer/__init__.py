"""Backprop Lab's engine: an exact, step-by-step trace of a dense network's training step."""

ENGINE_VERSION = "1.0.0"
