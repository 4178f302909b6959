"""Issue 18's table: every row's target beside what this machine measures now.

    python benchmarks/issue18.py [--quick] [--database-url PG_URL] [--skip NAME ...]

Runs the scripts that measure each row (the engine twice: as the app runs, with freed memory
kept for reuse, and with glibc's defaults), each in its own interpreter (so one's memory and
imports do not colour another's), and prints their figures in one table: ``engine.py`` (rows
a, b), ``exports.py`` (traces.csv of stored traces), ``submit.py`` (one submission),
``load.py`` (1,000 students create + submit) and ``join.py`` (300 students joining). With a
PostgreSQL URL (an existing database, empty or migrated) the database rows run on PostgreSQL
too. Names to skip: engine, exports, submit, load, join. The full output of every script is
printed after the table.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS_2_2_2 = 61  # rows of the (a) seed trace


def script(name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *args],
                          capture_output=True, text=True, cwd=HERE.parent)
    return done.stdout + (f"\n[exit {done.returncode}] {done.stderr[-2000:]}"
                          if done.returncode else "")


def find(pattern: str, text: str, group: int = 1) -> str | None:
    found = re.search(pattern, text, re.MULTILINE)
    return found.group(group) if found else None


def number(text: str | None) -> float | None:
    return None if text is None else float(text.replace(",", ""))


def engine_rows(out: str) -> list[tuple[str, str, str]]:
    traced = number(find(r"^\(b\) 784-256-128-10.*?traced\s+([\d.]+) ms", out))
    bare = number(find(r"^\(b\) same, bare numpy.*?\s([\d.]+) ms", out))
    lists = number(find(r"^\(b\) traced, spec given as JSON lists\s+([\d.]+) ms", out))
    torch = number(find(r"^\(b\) PyTorch autograd, same work\s+([\d.]+) ms", out))
    csv_rate = number(find(r"^\(a\) 2-2-2: trace and write the CSV\s+([\d,]+) traces/s", out))
    rows = []
    if traced and bare:
        rows.append(("(b) 784-256-128-10, batch 64, Adam: traced vs bare numpy",
                     f"{traced:.2f} vs {bare:.2f} ms/iteration ({traced / bare:.2f}x)",
                     "<= 1.15x"))
    rows.append(("(b) traced vs PyTorch autograd, same work, arrays given",
                 f"{traced:.2f} vs {torch:.2f} ms ({traced / torch:.2f}x)" if torch and traced
                 else "PyTorch not importable here", "<= 0.8x"))
    if lists and traced:
        rows.append(("(b) spec given as JSON lists",
                     f"{lists:.2f} ms/iteration ({lists / traced:.2f}x the arrays-given time)",
                     "<= 1.3x"))
    if csv_rate:
        rows.append(("(a) 2-2-2: trace and write the CSV",
                     f"{csv_rate:,.0f} traces/s ({csv_rate * ROWS_2_2_2:,.0f} rows/s)",
                     ">= 1,000,000 rows/s"))
    return rows


def export_rows(out: str, where: str) -> list[tuple[str, str, str]]:
    lines = re.findall(r"^\s*(\d+)\s+([\d,]+)\s+([\d.]+)\s+([\d,]+)\s+([\d.]+) MiB\s+([\d.-]+) MiB",
                       out, re.MULTILINE)
    if len(lines) < 2:
        return [(f"traces.csv export of stored traces ({where})", "see output", "")]
    (c1, r1, _s1, rate1, heap1, _g1), (c2, r2, _s2, rate2, heap2, _g2) = lines[:2]
    return [(f"traces.csv export of stored traces ({where})",
             f"{rate1} rows/s ({c1} students, {r1} rows), {rate2} rows/s ({c2} students, "
             f"{r2} rows); Python heap peak {heap1} vs {heap2} MiB",
             ">= 200,000 rows/s, flat memory")]


def submit_rows(out: str) -> list[tuple[str, str, str]]:
    wall = find(r"^submissions\.submit, in process\s+([\d.]+)", out)
    grading = find(r"^grading alone\s+([\d.]+)", out)
    return [("one submission, seed template, in-process",
             f"{wall} ms median ({grading} ms grading)" if wall else "see output", "<= 20 ms")]


def load_rows(out: str, where: str) -> list[tuple[str, str, str]]:
    rate = find(r"= (\d+)/s", out)
    p99 = find(r"^all\s+p50 \d+ ms\s+p99 (\d+) ms", out)
    return [(f"1,000 students create + submit, concurrency 50, 4 workers ({where})",
             f"{rate}/s; p99 {p99} ms" if rate else "see output", "p99 < 100 ms, >= 300/s")]


def join_rows(out: str, where: str) -> list[tuple[str, str, str]]:
    found = re.search(r"median / p95 / max\s+(\d+) / (\d+) / (\d+) ms", out)
    held = find(r"write transaction median / p95\s+([\d.]+)", out)
    return [(f"300 students joining at once, 32 threads ({where})",
             f"p50 {found[1]} / p95 {found[2]} / max {found[3]} ms; write transaction "
             f"{held} ms median" if found else "see output", "p95 < 300 ms")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, smaller classes")
    parser.add_argument("--database-url", help="a PostgreSQL URL for the database rows")
    parser.add_argument("--skip", nargs="*", default=[])
    args = parser.parse_args()
    quick = ["--quick"] if args.quick else []
    places = [("SQLite", [])] + ([("PostgreSQL", ["--database-url", args.database_url])]
                                 if args.database_url else [])
    table, outputs = [], []

    def ran(name, *extra):
        out = script(name, *extra)
        outputs.append((f"{name}.py {' '.join(extra)}", out))
        return out

    if "engine" not in args.skip:
        table += engine_rows(ran("engine", *quick))
        plain = engine_rows(ran("engine", "--quick", "--default-malloc"))[:1]
        table += [(work + " [glibc malloc defaults, --quick]", now, target)
                  for work, now, target in plain]
    for where, url in places:
        if "exports" not in args.skip:
            table += export_rows(ran("exports", *quick, *url), where)
    if "submit" not in args.skip:
        table += submit_rows(ran("submit", *quick))
    for where, url in places:
        if "load" not in args.skip:
            table += load_rows(ran("load", *quick, *url), where)
        if "join" not in args.skip:
            table += join_rows(ran("join", *quick, *url), where)
    widths = [max(len(row[i]) for row in table + [("work", "now", "target")]) for i in range(3)]
    print(" | ".join(h.ljust(w) for h, w in zip(("work", "now", "target"), widths)))
    print("-|-".join("-" * w for w in widths))
    for row in table:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    for title, out in outputs:
        print(f"\n## {title}\n{out.rstrip()}")


if __name__ == "__main__":
    main()
