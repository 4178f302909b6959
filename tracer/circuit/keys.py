"""Field keys of circuits (SPEC §10): ``value:NAME``, ``grad:NAME``, ``local_grad:NAME:ARG``."""

from tracer.circuit.spec import NAME

QUANTITIES = ("value", "grad", "local_grad")


def circuit_key(quantity: str, node: str, arg: str | None = None) -> str:
    """The field key of a circuit value, e.g. ``circuit_key("local_grad", "f", "q") == "local_grad:f:q"``."""
    return f"{quantity}:{node}" if arg is None else f"{quantity}:{node}:{arg}"


def parse_circuit_key(key: str) -> tuple[str, str, str | None]:
    """Split a circuit field key into ``(quantity, node, arg)``; ValueError when malformed."""
    parts = key.split(":") if isinstance(key, str) else []
    if not parts or parts[0] not in QUANTITIES or len(parts) != (3 if parts[0] == "local_grad" else 2) \
            or not all(NAME.match(part) for part in parts[1:]):
        raise ValueError(f"malformed circuit key {key!r}: value:NAME, grad:NAME or local_grad:NAME:ARG")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None
