"""Error scores of simulated camp counts against observed (UNHCR) counts.

- **ARD**, the averaged relative difference of the Flee papers (Suleimenova
  et al. 2017, Sci. Rep. 7:13377, eq. for "averaged relative difference";
  Flee 3 papers), camps-sum definition: for each day, sum over camps
  |simulated - observed| / sum over camps observed (floored at 1 person, as
  Flee's ``plot_flee_output``); then the mean over days. Days with an NA
  observation are left out (not treated as zero error).
- **ARD, Flee's out.csv definition** (``ard_total``): each day, sum over camps
  |simulated - observed| / the cumulative registered total of ``refugees.csv``
  (Flee 3.1 ``runscripts/run.py`` column "Total error", whose mean over days
  is the figure Flee users quote); a day whose total is 0 scores 0, as Flee
  writes it. Smaller than the camps-sum ARD whenever refugees.csv counts more
  people than the camps hold.
- **Rescaled ARD**, the second figure of Flee's validation plots
  (``flee.postprocessing.plot_flee_output``, "Averaged error ... rescaled"):
  the ARD after scaling each day's simulated camp counts so that they add up
  to that day's observed camp total. It scores only how people are spread
  over the camps, not how many reach them.
- **MASE** (Hyndman & Koehler 2006, Int. J. Forecasting 22:679): mean absolute
  error of the simulation divided by that of the naive forecast "the count
  ``lag`` days ago", both pooled over camps and days.
"""

from __future__ import annotations

import numpy as np

from abm.errors import InputError


def _check(sim: np.ndarray, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sim = np.asarray(sim, dtype="float64")
    obs = np.asarray(obs, dtype="float64")
    if sim.shape != obs.shape or sim.ndim != 2:
        raise InputError(f"scores need two days x camps arrays of one shape, got {sim.shape} and {obs.shape}")
    return sim, obs


def ard_daily(simulated: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Relative difference per day: sum_c |sim - obs| / max(sum_c obs, 1) (days,).

    The denominator is floored at 1 person, as Flee's ``plot_flee_output``
    does (``np.maximum(un_refs, 1)``), so a day with nobody observed in the
    camps is scored too (0 when nobody is simulated there either). NA where
    any observation of the day is NA (not reported: left out, never 0).
    """
    sim, obs = _check(simulated, observed)
    num = np.abs(sim - obs).sum(axis=1)
    den = np.maximum(obs.sum(axis=1), 1.0)
    out = np.full(len(den), np.nan)
    ok = np.isfinite(obs).all(axis=1) & np.isfinite(num)
    out[ok] = num[ok] / den[ok]
    return out


def ard(simulated: np.ndarray, observed: np.ndarray) -> float:
    """Averaged relative difference over days, camps-sum definition (dimensionless; 0 is perfect).

    Flee's ``plot_flee_output`` "Averaged error normal": see :func:`ard_daily`.
    """
    d = ard_daily(simulated, observed)
    if not np.isfinite(d).any():
        raise InputError("ARD undefined: observed camp counts are NA on every day")
    return float(np.nanmean(d))


def ard_total(simulated: np.ndarray, observed: np.ndarray, total: np.ndarray) -> float:
    """ARD as Flee 3.1's ``out.csv`` "Total error", averaged over days (dimensionless).

    ``total``: cumulative registered persons per day (refugees.csv,
    interpolated; days,). Days with ``total`` <= 0 count as 0, as Flee writes
    them; NA in ``total`` raises.
    """
    sim, obs = _check(simulated, observed)
    tot = np.asarray(total, dtype="float64")
    if tot.shape != (len(sim),) or np.isnan(tot).any():
        raise InputError(f"ard_total: total must be {len(sim)} counts without NA, got shape {tot.shape}")
    ok = tot > 0
    num = np.round(np.abs(sim - obs), 4).sum(axis=1)
    return float(np.mean(np.where(ok, num / np.where(ok, tot, 1.0), 0.0)))


def ard_rescaled(simulated: np.ndarray, observed: np.ndarray) -> float:
    """ARD after scaling each day's simulated camp counts to the observed camp total (dimensionless).

    A day whose simulated camps are all empty counts as simulating 0 in every
    camp (as in Flee's post-processing). 0 is a perfect split over camps
    whatever the simulated total.
    """
    sim, obs = _check(simulated, observed)
    sim_tot = sim.sum(axis=1, keepdims=True)
    obs_tot = obs.sum(axis=1, keepdims=True)
    scaled = np.where(sim_tot > 0, sim * obs_tot / np.where(sim_tot > 0, sim_tot, 1.0), 0.0)
    return ard(scaled, obs)


def mase(simulated: np.ndarray, observed: np.ndarray, lag: int = 1) -> float:
    """Mean absolute scaled error against the naive 'value ``lag`` days earlier' forecast.

    Below 1: better than the naive forecast (which, unlike the simulation, is
    handed the observed counts).
    """
    sim, obs = _check(simulated, observed)
    if lag < 1 or lag >= len(obs):
        raise InputError(f"MASE lag must be in [1, {len(obs) - 1}], got {lag}")
    mae = np.nanmean(np.abs(sim - obs))
    naive = np.nanmean(np.abs(obs[lag:] - obs[:-lag]))
    if not naive > 0:
        raise InputError("MASE undefined: the observed counts never change (naive error 0)")
    return float(mae / naive)
