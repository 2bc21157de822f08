"""The GAS T-score (Kiresuk and Sherman), checked against values worked out by hand.

T = 50 + 10·Σwx / √((1-ρ)Σw² + ρ(Σw)²), ρ = 0.3 unless told otherwise.
"""

from __future__ import annotations

from math import sqrt

import pytest

from outcomes.gas import DEFAULT_RHO, gas_t_score


def test_default_inter_goal_correlation_is_0_3() -> None:
    assert DEFAULT_RHO == 0.3


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_every_goal_at_the_expected_level_scores_50(n: int) -> None:
    assert gas_t_score([0] * n) == pytest.approx(50)


def test_two_goals_above_expected() -> None:
    # Σx = 3; denominator √(0.7·2 + 0.3·4) = √2.6; T = 50 + 30/√2.6 = 68.605
    t = gas_t_score([2, 1])
    assert t == pytest.approx(50 + 30 / sqrt(2.6))
    assert t == pytest.approx(68.605, abs=5e-4)


def test_three_goals_below_expected_with_rho_0_3() -> None:
    # Σx = -3; denominator √(0.7·3 + 0.3·9) = √4.8; T = 50 - 30/√4.8 = 36.307
    t = gas_t_score([-1, -1, -1], rho=0.3)
    assert t == pytest.approx(50 - 30 / sqrt(0.7 * 3 + 0.3 * 9))
    assert t == pytest.approx(36.307, abs=5e-4)


def test_a_single_goal_is_50_plus_10_times_its_score() -> None:
    # One goal: denominator √(0.7 + 0.3) = 1.
    assert [gas_t_score([x]) for x in (-2, -1, 0, 1, 2)] == pytest.approx([30, 40, 50, 60, 70])


def test_weights() -> None:
    # Weights 2 and 1, scores +1 and -1: Σwx = 1; Σw² = 5; (Σw)² = 9;
    # T = 50 + 10/√(0.7·5 + 0.3·9) = 50 + 10/√6.2 = 54.016
    t = gas_t_score([1, -1], weights=[2, 1])
    assert t == pytest.approx(50 + 10 / sqrt(6.2))
    assert t == pytest.approx(54.016, abs=5e-4)
    # Swapping the weights swaps the sign of the deviation from 50.
    assert gas_t_score([1, -1], weights=[1, 2]) == pytest.approx(50 - 10 / sqrt(6.2))


def test_equal_weights_give_the_unweighted_score() -> None:
    assert gas_t_score([2, -1, 0], weights=[3, 3, 3]) == pytest.approx(gas_t_score([2, -1, 0]))


def test_rho_zero_and_rho_one() -> None:
    # ρ = 0: √Σw² = √2; ρ = 1: Σw = 2.
    assert gas_t_score([1, 1], rho=0) == pytest.approx(50 + 20 / sqrt(2))
    assert gas_t_score([1, 1], rho=1) == pytest.approx(60)


def test_no_scores_give_none() -> None:
    assert gas_t_score([]) is None
    assert gas_t_score([], weights=[]) is None


@pytest.mark.parametrize("weights", [[1], [1, 1, 1]])
def test_one_weight_per_score(weights: list[int]) -> None:
    with pytest.raises(ValueError, match="one weight per score"):
        gas_t_score([1, 0], weights=weights)
