"""Engine benchmark: prints a table of the tracer's speed and memory (run by hand or in CI).

(a) the seed's 2-2-2 network, one iteration: traces per second with numbers only (the Trace
    computed, values readable) and with the CSV written;
(b) a [784, 256, 128, 10] network, sigmoid hidden layers, softmax + cross_entropy, batch 64,
    3 iterations of Adam: seconds per traced iteration, the same computation in bare numpy with
    nothing recorded, their ratio, and peak memory.
When torch is importable (it is no dependency of the project: run this script with an
interpreter that has it, e.g. a separate venv with numpy and torch; the repository is put on
sys.path), PyTorch autograd does the same work, and its gradients and updated parameters are
compared with the trace's.
Times are given as CPU time of this process (what the work costs, whatever else the machine
runs) and wall clock; BLAS and torch use one thread so that both mean the same.

    python benchmarks/engine.py [--quick]
"""

import argparse
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

# One BLAS thread: on a busy machine, BLAS worker threads make timings vary several-fold and
# would measure thread scheduling rather than the cost of recording.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracer import trace  # noqa: E402  (after making the repository importable)

SEED = {
    "layers": [2, 2, 2], "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30], "targets": [0.20, 0.90],
    "learning_rate": 0.5,
}
SIZES, BATCH, ITERATIONS = [784, 256, 128, 10], 64, 3
ADAM = {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def rate(fn, seconds):
    """Calls per second of ``fn`` as (CPU time, wall clock), each the best of three runs."""
    best_cpu = best_wall = 0.0
    for _ in range(3):
        count, cpu, wall = 0, time.process_time(), time.perf_counter()
        while time.perf_counter() - wall < seconds:
            for _ in range(100):
                fn()
            count += 100
        best_cpu = max(best_cpu, count / (time.process_time() - cpu))
        best_wall = max(best_wall, count / (time.perf_counter() - wall))
    return best_cpu, best_wall


def best_time(fn, repeat):
    """The fastest of ``repeat`` runs of ``fn`` in seconds, as (CPU time, wall clock)."""
    cpu_times, wall_times = [], []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        cpu_times.append(time.process_time() - cpu)
        wall_times.append(time.perf_counter() - wall)
    return min(cpu_times), min(wall_times)


def large_spec(rng):
    """The (b) network with numpy arrays (as a notebook would pass them) and one-hot targets."""
    weights = [rng.normal(0, 1 / np.sqrt(m), (n, m)) for m, n in zip(SIZES, SIZES[1:])]
    targets = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], BATCH)]
    return {
        "layers": SIZES, "activations": ["sigmoid", "sigmoid", "softmax"], "loss": "cross_entropy",
        "weights": weights, "biases": [rng.normal(0, 0.1, n) for n in SIZES[1:]],
        "inputs": rng.uniform(0, 1, (BATCH, SIZES[0])), "targets": targets, "learning_rate": 1e-3,
        "optimizer": ADAM, "iterations": ITERATIONS,
    }


def bare_numpy(spec):
    """The same training in plain numpy, nothing recorded; returns the first iteration's
    gradients and the parameters after the last update (weights of layers 1..L, then biases)."""
    weights = [np.array(w) for w in spec["weights"]]
    biases = [np.array(b) for b in spec["biases"]]
    x, y, lr = spec["inputs"], spec["targets"], spec["learning_rate"]
    params = weights + biases
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    first = None
    for t in range(1, ITERATIONS + 1):
        activations = [x]
        for l, (w, b) in enumerate(zip(weights, biases)):
            z = activations[-1] @ w.T + b
            if l < len(weights) - 1:
                activations.append(1.0 / (1.0 + np.exp(-np.maximum(z, -709.0))))
            else:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                activations.append(e / e.sum(axis=1, keepdims=True))
        _ = -(y * np.log(np.clip(activations[-1], 1e-12, 1 - 1e-12))).sum(axis=1).mean()
        delta = activations[-1] - y
        grads_w, grads_b = [None] * len(weights), [None] * len(weights)
        for l in range(len(weights) - 1, -1, -1):
            grads_w[l] = delta.T @ activations[l] / len(x)
            grads_b[l] = delta.sum(axis=0) / len(x)
            if l:
                a = activations[l]
                delta = (delta @ weights[l]) * a * (1.0 - a)
        grads = grads_w + grads_b
        first = first or grads
        for i, (p, g) in enumerate(zip(params, grads)):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            params[i] = p - lr * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
        weights, biases = params[:len(weights)], params[len(weights):]
    return first, params


def torch_autograd(spec):
    """The same training with PyTorch autograd and torch.optim.Adam, float64 throughout.

    Returns the first iteration's gradients and the parameters after the last update, weights
    of layers 1..L then biases.
    """
    import torch

    params = [torch.tensor(np.asarray(p), requires_grad=True) for p in (*spec["weights"], *spec["biases"])]
    depth = len(spec["weights"])
    x, y = torch.tensor(spec["inputs"]), torch.tensor(spec["targets"])
    optimizer = torch.optim.Adam(params, lr=spec["learning_rate"], betas=(0.9, 0.999), eps=1e-8)
    first = None
    for _ in range(ITERATIONS):
        optimizer.zero_grad()
        a = x
        for l in range(depth):
            z = a @ params[l].T + params[depth + l]
            a = torch.sigmoid(z) if l < depth - 1 else torch.softmax(z, dim=1)
        loss = -(y * torch.log(torch.clamp(a, 1e-12, 1 - 1e-12))).sum(dim=1).mean()
        loss.backward()
        first = first or [p.grad.detach().numpy().copy() for p in params]
        optimizer.step()
    return first, [p.detach().numpy() for p in params]


def autograd_seed():
    """The (a) step with PyTorch autograd: forward, MSE, backward, one SGD update, float64.

    Returns the parameters (w⁽¹⁾, w⁽²⁾, b⁽¹⁾, b⁽²⁾) after the update, their ``grad`` filled in.
    """
    import torch

    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (*SEED["weights"], *SEED["biases"])]
    w1, w2, b1, b2 = params
    h = torch.sigmoid(torch.tensor(SEED["inputs"], dtype=torch.float64) @ w1.T + b1)
    out = torch.sigmoid(h @ w2.T + b2)
    ((out - torch.tensor(SEED["targets"], dtype=torch.float64)) ** 2).mean().backward()
    with torch.no_grad():
        for p in params:
            p -= SEED["learning_rate"] * p.grad
    return params


def difference(result, grads, params, iteration=1):
    """Max |difference| between a trace and another computation: the first iteration's
    gradients, and the parameters after ``iteration``'s update (weights, then biases)."""
    depth = len(result.spec["layers"]) - 1
    ours = [result.array(q, l, it) for q, it in (("dL_dw", 1), ("dL_db", 1), ("w_new", iteration), ("b_new", iteration))
            for l in range(1, depth + 1)]
    theirs = [*grads[:depth], *grads[depth:], *params[:depth], *params[depth:]]
    return max(float(np.max(np.abs(a - np.asarray(b)))) for a, b in zip(ours, theirs))


def _verdict(difference):
    return f"{'agree' if difference <= 1e-10 else 'DISAGREE'} ({difference:.1e})"


def per_second(pair, unit):
    return tuple(f"{value:,.0f} {unit}" for value in pair)


def per_iteration(pair):
    return tuple(f"{value / ITERATIONS * 1e3:.2f} ms/iteration" for value in pair)


def seed_table(quick):
    seconds = 0.2 if quick else 1.0
    rows = [("(a) 2-2-2, 1 iteration: trace, numbers only",
             *per_second(rate(lambda: trace(SEED), seconds), "traces/s")),
            ("(a) 2-2-2: trace and read every value",
             *per_second(rate(lambda: list(trace(SEED).numeric_rows()), seconds), "traces/s")),
            ("(a) 2-2-2: trace and write the CSV",
             *per_second(rate(lambda: trace(SEED).write_csv(io.StringIO()), seconds), "traces/s"))]
    try:
        import torch
    except ImportError:
        return rows + [("(a) PyTorch autograd, same work", "torch not importable: skipped", "")]
    torch.set_num_threads(1)
    params = autograd_seed()
    agree = difference(trace(SEED), [p.grad.numpy() for p in params], [p.detach().numpy() for p in params])
    return rows + [("(a) 2-2-2: PyTorch autograd, same work", *per_second(rate(autograd_seed, seconds), "steps/s")),
                   ("(a) gradients and update vs PyTorch, max |difference|", _verdict(agree), "")]


def large_table(quick):
    rng = np.random.default_rng(0)
    spec = large_spec(rng)
    repeat = 3 if quick else 15
    traced = best_time(lambda: trace(spec), repeat)
    bare = best_time(lambda: bare_numpy(spec), repeat)
    listed = {**spec, **{k: [np.asarray(v).tolist() for v in spec[k]] for k in ("weights", "biases")},
              "inputs": spec["inputs"].tolist(), "targets": spec["targets"].tolist()}
    from_lists = best_time(lambda: trace(listed), repeat)
    tracemalloc.start()
    result = trace(spec)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    agree = difference(result, *bare_numpy(spec), iteration=ITERATIONS)
    rows = [
        ("(b) 784-256-128-10, batch 64, adam: traced", *per_iteration(traced)),
        ("(b) same, bare numpy, nothing recorded", *per_iteration(bare)),
        ("(b) ratio traced / bare (target ≤ 1.15)", *(f"{t / b:.2f}×" for t, b in zip(traced, bare))),
        ("(b) traced, spec given as JSON lists", *per_iteration(from_lists)),
        ("(b) peak memory of one trace (tracemalloc)", f"{peak / 2**20:.1f} MiB", ""),
        ("(b) rows in the trace", f"{len(result):,}", ""),
        ("(b) gradients and 3 Adam updates vs bare numpy, max |difference|", _verdict(agree), ""),
    ]
    try:
        import torch
    except ImportError:
        return rows + [("(b) PyTorch autograd, same work", "torch not importable: skipped", "")]
    torch.set_num_threads(1)
    torch_time = best_time(lambda: torch_autograd(spec), repeat)
    torch_agree = difference(result, *torch_autograd(spec), iteration=ITERATIONS)
    return rows + [("(b) PyTorch autograd, same work", *per_iteration(torch_time)),
                   ("(b) gradients and 3 Adam updates vs PyTorch, max |difference|", _verdict(torch_agree), "")]


def main(argv=None):
    """Run both benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (CI)")
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's allocator as it is (the app tunes it: "
                             "exercises/allocator.py)")
    args = parser.parse_args(argv)
    if not args.default_malloc:
        from exercises.allocator import keep_freed_memory
        print(f"allocator: freed memory kept for reuse, as the app runs "
              f"({'applied' if keep_freed_memory() else 'not glibc: unchanged'})")
    else:
        print("allocator: glibc's defaults (each large array on fresh pages)")
    rows = [("benchmark", "CPU time", "wall clock")] + seed_table(args.quick) + large_table(args.quick)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    main()
