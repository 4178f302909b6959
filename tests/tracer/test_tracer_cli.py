"""``python -m tracer``: formats, standard input, --output and exit codes."""

import csv
import io
import json
import subprocess
import sys

from tracer.cli import main

HEADER = ["step", "iteration", "sample", "phase", "layer", "unit", "source", "quantity", "symbol",
          "formula", "substituted", "value"]


def write_spec(ref, tmp_path, **changes):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(ref.seed_spec(**changes)), encoding="utf-8")
    return str(path)


def test_csv_to_stdout_parses_with_the_csv_module(ref, tmp_path, capsys):
    assert main([write_spec(ref, tmp_path), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert rows[0] == HEADER
    assert len(rows) == 62 and all(len(row) == 12 for row in rows)


def test_json_output_file(ref, tmp_path, capsys):
    out = tmp_path / "trace.json"
    assert main([write_spec(ref, tmp_path, optimizer="adam"), "--format", "json", "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["spec"]["optimizer"]["name"] == "adam"
    assert document["steps"][0]["symbol"] == "x1"


def test_text_walks_through_in_the_seed_posts_order(ref, tmp_path, capsys):
    assert main([write_spec(ref, tmp_path), "--format", "text"]) == 0
    text = capsys.readouterr().out
    titles = ["1. Feedforward", "2. Loss", "3. Error signals, output layer", "4. Gradients and updates, output layer",
              "5. Error signals, hidden layer", "6. Gradients and updates, hidden layer"]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)
    assert r"h1 = \sigma(a_{h_1}) = \sigma(0.21) = 0.5523079096" in text
    assert text.index("δ_ŷ1 =") < text.index("w5⁺ =") < text.index("δ_h1 =") < text.index("w1⁺ =")


def test_invalid_spec_exits_2_with_the_message(ref, tmp_path, capsys):
    assert main([write_spec(ref, tmp_path, loss="hinge")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "loss" in captured.err and "hinge" in captured.err


def test_unreadable_input_exits_2(tmp_path, capsys):
    assert main([str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main([str(bad)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_module_reads_standard_input(ref):
    spec = json.dumps(ref.seed_spec())
    done = subprocess.run([sys.executable, "-m", "tracer", "-", "--format", "json"], input=spec,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["steps"]) == 61
    failed = subprocess.run([sys.executable, "-m", "tracer", "-"], input="{}", capture_output=True,
                            text=True, check=False)
    assert failed.returncode == 2
    assert "is required" in failed.stderr
