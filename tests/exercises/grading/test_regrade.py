"""Regrading a stored submission under new settings, and the report of what changed."""
import json

from exercises.grading import GradingSettings, Tolerance, evaluate, grade_submission, regrade

SEED = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]], "inputs": [0.05, 0.10], "targets": [0.01, 0.99],
    "learning_rate": 0.5,
}
FIELDS = ["delta:2:1", "delta:2:2", "delta:1:1", "delta:1:2", "w_new:2:1:1", "b_new:2:1"]


def _record(answers, settings=None):
    result = grade_submission(SEED, FIELDS, answers, settings)
    return json.loads(json.dumps(result.to_record()))


def test_tightening_the_tolerance_fails_answers_with_too_few_figures():
    true = evaluate(SEED)
    answers = {key: f"{true[key]:.3g}" for key in FIELDS}
    answers["delta:2:2"] = f"{true['delta:2:2']:.8g}"
    record = _record(answers)
    assert record["score"] == 6
    report = regrade(record, GradingSettings(tolerance=Tolerance(mode="sigfig", digits=6)))
    changed = {change.key for change in report.changes()}
    assert "delta:2:2" not in changed and report.fields["delta:2:2"].new_status == "correct"
    assert report.fields["delta:2:1"].new_status == "incorrect"  # three figures are not six
    for key in changed:
        change = report.fields[key]
        assert change.old_status == "correct" and change.new_status in ("incorrect", "carried")
        # Downstream of a now-wrong δ, an answer computed from it is carried (full ECF credit).
        assert change.new_credit == (0.0 if change.new_status == "incorrect" else 1.0)
    incorrect = sum(report.fields[key].new_status == "incorrect" for key in changed)
    assert report.score_changed and report.new.score == 6 - incorrect
    lines = report.explain().splitlines()
    assert lines[0] == f"score 6/6 → {6 - incorrect}/6"
    assert lines[1] == "tolerance: |s − t| ≤ 0.01·|t| + 0 → 6 significant figures " \
                       "(±0.51 in the last)"
    assert sorted(line.rsplit(": ", 1)[0] for line in lines[2:]) == sorted(changed)
    assert "delta:2:1: correct (1) → incorrect (0)" in lines


def test_loosening_the_tolerance_passes_answers_three_percent_off():
    true = evaluate(SEED)
    answers = {key: f"{true[key] * 1.03:.6g}" for key in FIELDS[:4]}
    record = _record(answers)
    # δ_h is 3 % off exactly as δ_ŷ makes it, so it is carried.
    assert [record["fields"][k]["status"] for k in FIELDS[:4]] == ["incorrect"] * 2 + ["carried"] * 2
    report = regrade(record, GradingSettings(tolerance=Tolerance(rtol=0.05)))
    assert [report.fields[k].new_status for k in FIELDS[:4]] == ["correct"] * 4
    assert report.new.score == 4 and report.old.score == 2
    assert report.fields["w_new:2:1:1"].new_status == "blank" and not report.fields["w_new:2:1:1"].changed


def test_changing_the_ecf_credit_changes_credit_not_status():
    true = evaluate(SEED)
    wrong = {"delta:2:1": true["delta:2:1"] * 2}
    consistent = {**evaluate(SEED, overrides=wrong), **wrong}
    record = _record({key: f"{consistent[key]:.6g}" for key in FIELDS})
    report = regrade(record, GradingSettings(ecf_credit=0.25))
    carried = [c for c in report.fields.values() if c.old_status == "carried"]
    assert carried and all(c.new_status == "carried" and c.new_credit == 0.25 for c in carried)
    assert report.new.score == report.old.score - 0.75 * len(carried)
    assert report.causes() == ["ECF credit: 1 → 0.25"]


def test_a_regrade_under_another_engine_says_so():
    record = _record({"delta:2:1": "0.1"})
    record["engine_version"] = "0.0.1"
    report = regrade(record)
    assert report.causes() == [f"engine: 0.0.1 → {report.new.engine_version}"]
    assert report.explain().splitlines()[1] == report.causes()[0]


def test_regrading_under_the_same_settings_changes_nothing():
    true = evaluate(SEED)
    record = _record({key: f"{true[key] * 1.5:.6g}" for key in FIELDS}, GradingSettings(feedback=False))
    report = regrade(record)
    assert report.changes() == [] and not report.score_changed
    assert report.new.settings == GradingSettings(feedback=False)
    assert report.explain() == f"score {report.old.score:g}/6 → {report.new.score:g}/6 (unchanged)"
    assert report.new.fields == report.old.fields


def test_a_regrade_keeps_the_symbols_the_messages_were_written_with():
    record = json.loads(json.dumps(grade_submission(SEED, FIELDS, {"w_new:2:1:1": "0.40"},
                                                    symbols={"w_new:2:1:1": "W⁺"}).to_record()))
    report = regrade(record, GradingSettings(ecf_credit=0.5))
    assert report.new.fields["w_new:2:1:1"].message.startswith("W⁺ equals w5 = 0.4")


def test_a_wave_one_record_keeps_its_grades_until_regraded_and_the_regrade_says_why():
    # A zero-effort submission as wave 1 stored it: hidden δ and updates carried at full
    # credit, messages as English text, no grader version (format 1).
    true = evaluate(SEED)
    answers = {key: "0" if key.startswith("delta") else
               ("0.40" if key == "w_new:2:1:1" else "0.60") for key in FIELDS}
    record = _record(answers)
    record.pop("grader_version")
    old_fields = {"delta:2:1": ("incorrect", 0.0), "delta:2:2": ("incorrect", 0.0),
                  "delta:1:1": ("carried", 1.0), "delta:1:2": ("carried", 1.0),
                  "w_new:2:1:1": ("carried", 1.0), "b_new:2:1": ("carried", 1.0)}
    for key, (status, credit) in old_fields.items():
        record["fields"][key].update(status=status, credit=credit, message="(wave 1 text)",
                                     misconceptions=[])
        record["fields"][key].pop("parts")
    record["format"], record["score"] = 1, 4.0
    report = regrade(record)
    assert report.old.score == 4 and report.new.score == 0
    assert report.old.fields["delta:1:1"].render() == "(wave 1 text)"
    lines = report.explain().splitlines()
    assert lines[0] == "score 4/6 → 0/6"
    assert any(line.startswith("grader: wave 1") and "wave 2" in line for line in lines)
    assert "delta:1:1: carried (1) → incorrect (0)" in lines
    assert true["w_new:2:1:1"] != 0.40
