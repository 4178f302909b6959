"""The comparison of SPEC §6 step 2: the rounding allowance u(t), the three modes, updates
graded by value and by step, and the settings' validation."""
import pytest

from exercises.grading import Comparison, GradingSettings, SettingsError, Tolerance


def four(tol=None):
    return Comparison(tol or Tolerance(), 4)


def test_rounding_allowance_is_half_a_unit_of_the_asked_figure():
    # t = 0.138498…: its 4th significant figure is 10⁻⁴, so u(t) = 0.51·10⁻⁴.
    assert four().rounding(0.138498) == pytest.approx(0.51e-4)
    assert four().rounding(-123.456) == pytest.approx(0.051)
    assert four().rounding(1e-07) == pytest.approx(0.51e-10)
    assert four().rounding(0.0) == 0.0
    assert Comparison(Tolerance(), 6).rounding(0.52) == pytest.approx(0.51e-6)


def test_relabs_default_is_one_percent_plus_the_rounding_allowance_and_no_atol():
    cmp = four()
    # r(1) = 0.01 + 0.51·10⁻³ = 0.01051
    assert cmp.within(1.0105, 1.0) and not cmp.within(1.0106, 1.0)
    assert cmp.within(-0.9895, -1.0) and not cmp.within(0.98, 1.0)
    assert Tolerance().atol == 0.0


def test_tiny_values_are_held_to_one_percent_not_to_an_absolute_floor():
    # The δ = −2.4e-5: ±42 % once passed an atol of 1e-5; now 1 % + u(t) is ±0.25e-6.
    cmp = four()
    true = -2.4e-5
    assert not cmp.within(true * 1.42, true) and not cmp.within(true * 0.58, true)
    assert cmp.within(-2.42e-5, true) and not cmp.within(-2.43e-5, true)


def test_an_exact_zero_takes_only_a_zero():
    cmp = four(Tolerance(atol=0.01))
    assert cmp.within(0.0, 0.0) and cmp.within(1e-13, 0.0)
    assert not cmp.within(1e-9, 0.0)


def test_an_instructors_atol_adds_to_the_allowance():
    cmp = four(Tolerance(rtol=0.0, atol=0.001))
    # r(5) = 0.001 + 0.51·10⁻³
    assert cmp.within(5.0015, 5.0) and not cmp.within(5.0016, 5.0)


@pytest.mark.parametrize("true, ok, bad", [
    (0.123456, 0.1235, 0.1236),        # 3 sig figs → unit 0.001 … 4 → 0.0001
    (123.456, 123.5, 123.6),
    (-0.00098765, -0.0009877, -0.0009881),
    (9.9996, 10.0, 10.001),            # rounding up across a decade
])
def test_sigfig_four_figures_accepts_half_a_unit_of_the_fourth(true, ok, bad):
    cmp = four(Tolerance(mode="sigfig", digits=4))
    assert cmp.within(ok, true)
    assert not cmp.within(bad, true)


def test_sigfig_below_the_answer_digits_is_never_stricter_than_the_asked_rounding():
    # sigfig 6 while the exercise asks 4 figures: the 4-figure answer must still pass.
    cmp = Comparison(Tolerance(mode="sigfig", digits=6), 4)
    assert cmp.within(0.1235, 0.123456)


def test_decimals_accepts_just_over_half_a_unit_of_the_last_decimal():
    cmp = four(Tolerance(mode="decimals", digits=3))
    assert cmp.within(0.1235, 0.12345)          # 0.00005 ≤ 0.00051
    assert cmp.within(0.123, 0.12350)           # 0.0005
    assert not cmp.within(0.123, 0.12352)
    assert four(Tolerance(mode="decimals", digits=0)).within(1235.0, 1235.4)


@pytest.mark.parametrize("digits", [1, 2, 4, 6, 8])
def test_the_true_value_rounded_to_the_answer_digits_passes_every_mode(digits):
    modes = [Tolerance(), Tolerance(mode="sigfig", digits=2), Tolerance(mode="decimals", digits=1)]
    for true in (0.0149999, 0.104999, -0.0105, 1.04999, 9.5e-6, 123.456, 0.517091):
        rounded = float(f"{true:.{digits - 1}e}")
        for tol in modes:
            assert Comparison(tol, digits).within(rounded, true), (true, digits, tol)


def test_seed_w5_steps_far_off_fail_though_their_values_are_within_one_percent():
    # The example: w5 = 0.52, true w5⁺ = 0.517091 (step −0.002909).
    cmp, before, true = four(), 0.52, 0.517091
    step = true - before
    assert cmp.within(0.5159, true) and cmp.within(0.5183, true)        # θ⁺'s 1 % is wide
    assert not cmp.matches(0.5159, true, before)                         # step ×1.4
    assert not cmp.matches(0.5183, true, before)                         # step ×0.6
    for factor in (1.1, 0.9):
        assert not cmp.matches(round(before + factor * step, 6), true, before)
    assert cmp.matches(0.5171, true, before)                             # rounded to 4 figures
    assert not cmp.matches(before, true, before)                         # unchanged
    assert not cmp.matches(before - step, true, before)                  # the wrong way


def test_step_allowance_is_rtol_of_the_step_plus_the_rounding_part():
    # Δ = −0.002909: allowed |Δs − Δ| ≤ 0.01·0.002909 + 0.51·10⁻⁴ = 0.00008009.
    cmp, before, true = four(), 0.52, 0.517091
    assert cmp.step_within(true + 0.00008, true, before)
    assert not cmp.step_within(true + 0.000081, true, before)


def test_a_zero_true_step_needs_the_parameter_unchanged():
    cmp = four()
    assert cmp.matches(0.5, 0.5, 0.5)
    assert not cmp.matches(0.5000001, 0.5, 0.5)


def test_an_unchanged_weight_with_a_small_learning_rate_is_incorrect():
    # η = 0.01 and ∂L/∂w = 0.3: the true w⁺ = 0.497 is within 1 % of the unchanged 0.5.
    cmp, before, true = four(), 0.5, 0.5 - 0.01 * 0.3
    assert cmp.within(before, true)
    assert not cmp.matches(before, true, before)
    assert cmp.matches(0.497, true, before)


@pytest.mark.parametrize("tol", [Tolerance(), Tolerance(mode="sigfig", digits=4),
                                 Tolerance(mode="decimals", digits=5), Tolerance(rtol=0.05)])
def test_the_step_rule_holds_in_every_mode(tol):
    cmp, before, true = four(tol), 0.5, 0.4985                 # a step of −0.0015
    assert cmp.within(before, true) or tol.mode != "relabs"
    assert not cmp.matches(before, true, before)                # unchanged
    assert not cmp.matches(0.5015, true, before)                # the wrong way
    assert not cmp.matches(0.4995, true, before)                # a third of the step
    assert not cmp.matches(0.4979, true, before)                # 1.4 times the step
    assert cmp.matches(0.4985, true, before)


def test_matches_without_a_parameter_is_the_value_alone():
    assert four().matches(1.005, 1.0) and not four().matches(1.05, 1.0)


def test_null_keys_count_as_absent_as_templates_store_them():
    stored = {"mode": "sigfig", "rtol": None, "atol": None, "digits": 3}
    assert Tolerance.from_dict(stored) == Tolerance(mode="sigfig", digits=3)
    assert Tolerance.from_dict({"mode": "relabs", "rtol": 0.05, "atol": None, "digits": None}) \
        == Tolerance(rtol=0.05, atol=0.0)


def test_tolerance_round_trips_and_describes_itself():
    for tol in (Tolerance(), Tolerance(mode="sigfig", digits=3), Tolerance(mode="decimals", digits=2)):
        assert Tolerance.from_dict(tol.to_dict()) == tol
    assert Tolerance().describe() == "|s − t| ≤ 0.01·|t| + 0"
    assert Tolerance().describe(4).endswith("+ 0.51 in t's 4th significant figure")
    assert Tolerance(mode="sigfig", digits=3).describe().startswith("3 significant figures")
    assert Tolerance(mode="decimals", digits=2).describe() == "2 decimals (±0.0051)"


@pytest.mark.parametrize("data, key", [
    ({"mode": "fuzzy"}, "tolerance.mode"),
    ({"rtol": -0.1}, "tolerance.rtol"),
    ({"atol": float("nan")}, "tolerance.atol"),
    ({"rtol": "0.1"}, "tolerance.rtol"),
    ({"rtol": True}, "tolerance.rtol"),
    ({"mode": "sigfig"}, "tolerance.digits"),
    ({"mode": "sigfig", "digits": 0}, "tolerance.digits"),
    ({"mode": "decimals", "digits": 2.5}, "tolerance.digits"),
    ({"mode": "relabs", "digits": 3}, "tolerance.digits"),
    ({"relative": 0.1}, "tolerance.relative"),
])
def test_bad_tolerances_name_the_key(data, key):
    with pytest.raises(SettingsError) as caught:
        Tolerance.from_dict(data)
    assert caught.value.key == key and key in str(caught.value)


@pytest.mark.parametrize("data, key", [
    ({"answer_digits": 0}, "answer_digits"),
    ({"answer_digits": 9}, "answer_digits"),
    ({"ecf_credit": 1.5}, "ecf_credit"),
    ({"ecf_credit": -0.1}, "ecf_credit"),
    ({"feedback": "yes"}, "feedback"),
    ({"tolerance": []}, "tolerance"),
    ({"tolerance": {"mode": "x"}}, "tolerance.mode"),
    ({"attempts": 3}, "attempts"),
])
def test_bad_settings_name_the_key(data, key):
    with pytest.raises(SettingsError) as caught:
        GradingSettings.from_dict(data)
    assert caught.value.key == key


def test_settings_round_trip_with_defaults():
    settings = GradingSettings.from_dict({"ecf_credit": 0.5, "tolerance": {"mode": "sigfig", "digits": 3}})
    assert settings.answer_digits == 4 and settings.feedback is True
    assert GradingSettings.from_dict(settings.to_dict()) == settings
    assert GradingSettings.from_dict({}) == GradingSettings()
    assert settings.comparison == Comparison(Tolerance(mode="sigfig", digits=3), 4)
