"""ARD, rescaled ARD and MASE by hand."""

from __future__ import annotations

import numpy as np
import pytest

from abm.errors import InputError
from abm.network import ard, ard_daily, ard_rescaled, mase


def test_ard_by_hand():
    sim = np.array([[10, 0], [5, 5], [1, 1], [0, 0]])
    obs = np.array([[10, 10], [10, 0], [0, 0], [0, 0]])
    # day 0: 10 / 20; day 1: (5 + 5) / 10; days 2-3: nobody observed, denominator floored at 1
    # person as Flee's plot_flee_output: 2 / 1 and 0 / 1
    d = ard_daily(sim, obs)
    assert d.tolist() == [0.5, 1.0, 2.0, 0.0]
    assert ard(sim, obs) == pytest.approx(3.5 / 4)


def test_ard_perfect_is_zero_and_na_not_zero():
    obs = np.array([[3.0, 4.0], [np.nan, 1.0]])
    assert ard(obs, obs) == 0.0  # day 1 has NA: left out, not scored as zero error
    assert np.isnan(ard_daily(obs, obs)[1])


def test_ard_rescaled_by_hand():
    # day 0: sim (4, 4) scaled to the observed total 4 -> (2, 2); |2 - 1| + |2 - 3| = 2; 2 / 4 = 0.5
    #        (plain ARD: (3 + 1) / 4 = 1.0)
    # day 1: sim (0, 0) cannot be scaled -> stays (0, 0); (2 + 2) / 4 = 1.0
    sim = np.array([[4.0, 4.0], [0.0, 0.0]])
    obs = np.array([[1.0, 3.0], [2.0, 2.0]])
    assert ard(sim, obs) == pytest.approx(1.0)
    assert ard_rescaled(sim, obs) == pytest.approx(0.75)
    # right split, wrong total: plain ARD penalises, rescaled does not
    assert ard_rescaled(10 * obs[:1], obs[:1]) == 0.0
    assert ard(10 * obs[:1], obs[:1]) == pytest.approx(9.0)


def test_mase_by_hand():
    obs = np.array([[0.0], [2.0], [4.0], [6.0]])
    sim = np.array([[1.0], [3.0], [5.0], [7.0]])
    # MAE 1; naive lag-1 MAE 2 -> 0.5; lag 2 naive MAE 4 -> 0.25
    assert mase(sim, obs) == pytest.approx(0.5)
    assert mase(sim, obs, lag=2) == pytest.approx(0.25)


def test_scores_reject_bad_input():
    with pytest.raises(InputError, match="shape"):
        ard(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(InputError, match="undefined"):
        ard(np.zeros((2, 2)), np.full((2, 2), np.nan))
    assert ard(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0  # nobody observed, nobody simulated: perfect
    with pytest.raises(InputError, match="never change"):
        mase(np.zeros((3, 1)), np.ones((3, 1)))
    with pytest.raises(InputError, match="lag"):
        mase(np.zeros((3, 1)), np.ones((3, 1)), lag=5)
