"""``python -m tracer SPEC.json [--format csv|json|text] [--output FILE]``.

Reads a network or circuit spec (``-`` for standard input), traces it and writes the trace. Exits 0 on
success and 2 with a message on standard error when the spec cannot be read or is invalid.
"""

import argparse
import json
import sys

from tracer import trace
from tracer.circuit import CircuitTrace, render_circuit_text
from tracer.spec import SpecError
from tracer.text import render_text


def _parser():
    parser = argparse.ArgumentParser(prog="python -m tracer", description=(
        "Trace a dense network's training step by step (forward pass, loss, backward pass, "
        "update), or a circuit of scalar operations (a spec with a graph key), and write every "
        "value with its symbol and formula."))
    parser.add_argument("spec", help="network spec (SPEC §3) or circuit spec (§10) JSON file, or - for standard input")
    parser.add_argument("--format", choices=("csv", "json", "text"), default="csv",
                        help="csv (default): one row per value; json: {spec, steps}; text: a walkthrough")
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    return parser


def _read(path):
    if path == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: json detects UTF-8/16/32 itself
        return json.loads(stream.read())
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _write(result, fmt, out):
    if fmt == "csv":
        result.write_csv(out)
    elif fmt == "json":
        out.write(result.to_json())
        out.write("\n")
    elif isinstance(result, CircuitTrace):
        out.write(render_circuit_text(result))
    else:
        out.write(render_text(result))


def main(argv=None) -> int:
    """Run the command line; return the exit status (0 success, 2 unreadable or invalid spec)."""
    args = _parser().parse_args(argv)
    try:
        spec = _read(args.spec)
    except (OSError, ValueError) as error:
        print(f"error: cannot read {args.spec}: {error}", file=sys.stderr)
        return 2
    try:
        result = trace(spec)
    except SpecError as error:
        print(f"error: invalid spec: {error}", file=sys.stderr)
        return 2
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            _write(result, args.format, out)
    else:
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8")  # symbols like ŷ whatever the locale says
        _write(result, args.format, sys.stdout)
    return 0
