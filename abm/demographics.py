"""Household sizes and composition of arriving households.

Ages and sexes come from ``data/afghan_demographics.csv`` (UNHCR 2025
Afghan-origin demographics; columns ``scope, age_band, sex, persons, share``),
read through ``importlib.resources`` (package data ``abm/data/``) or
from a planner's own table of the same shape. Household size, pregnancy and
chronic-illness rates are config values cited in ``data/abm_standards.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from abm.config import ABMConfig
from abm.errors import InputError

AGE_BANDS = ("0-4", "5-11", "12-17", "18-59", "60+")
SEXES = ("female", "male")
#: the ten (age band, sex) categories, in the order used by the draws
CATEGORIES = tuple((a, s) for a in AGE_BANDS for s in SEXES)
_ADULT = np.array([a in ("18-59", "60+") for a, _ in CATEGORIES])
_IDX = {c: i for i, c in enumerate(CATEGORIES)}
_BAND = {b: i for i, b in enumerate(AGE_BANDS)}


def read_demographics(path: str | Path | None = None) -> pd.DataFrame:
    """The demographics table (bundled ``afghan_demographics.csv`` unless ``path``).

    Columns: ``scope`` (str), ``age_band`` (0-4, 5-11, 12-17, 18-59, 60+),
    ``sex`` (female, male), ``persons`` (count), ``share`` (of the scope's total).
    """
    source = str(path) if path is not None else "data/afghan_demographics.csv"
    try:
        if path is None:
            with files("abm").joinpath("data", "afghan_demographics.csv").open("r") as fh:
                frame = pd.read_csv(fh)
        else:
            frame = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(f"{source}: demographics table not found") from None
    missing = [c for c in ("scope", "age_band", "sex", "persons") if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}")
    frame.attrs["source"] = source
    return frame


def category_shares(demographics: pd.DataFrame, scope: str) -> np.ndarray:
    """Shares of the ten (age band, sex) categories of ``scope`` [share, sums to 1].

    Computed from ``persons`` (not the rounded ``share`` column). A missing
    category or an NA count is an error: NA is not zero.
    """
    source = demographics.attrs.get("source", "demographics table")
    rows = demographics[demographics["scope"].astype(str) == scope]
    if rows.empty:
        scopes = ", ".join(sorted(demographics["scope"].astype(str).unique()))
        raise InputError(f"{source}: no rows for scope {scope!r} (scopes: {scopes})")
    counts = np.empty(len(CATEGORIES))
    # (band, sex) -> the scope's persons values, in row order (one pass, not one filter each)
    found: dict[tuple[str, str], list] = {}
    for band, sex, persons in zip(rows["age_band"].astype(str).tolist(),
                                  rows["sex"].astype(str).tolist(), rows["persons"].tolist(),
                                  strict=True):
        found.setdefault((band, sex), []).append(persons)
    for i, (band, sex) in enumerate(CATEGORIES):
        hit = found.get((band, sex), [])
        if len(hit) != 1 or pd.isna(hit[0]):
            raise InputError(
                f"{source}: scope {scope!r} needs exactly one non-NA 'persons' value for "
                f"age_band {band!r}, sex {sex!r}"
            )
        counts[i] = float(hit[0])
    if (counts < 0).any() or counts.sum() <= 0:
        raise InputError(f"{source}: scope {scope!r} has negative or all-zero 'persons'")
    return counts / counts.sum()


@dataclass(frozen=True)
class Households:
    """Arriving households, one row per household, sorted by arrival day.

    arrival_day: day index of arrival (0 = first day of the first month).
    exit_day: first day no longer present (arrival_day + stay) [day index].
    size, school_age, pregnant, chronic: persons per household [persons].
    route: exit route index into ``abm.config.EXIT_ROUTES``.
    """

    arrival_day: np.ndarray
    exit_day: np.ndarray
    size: np.ndarray
    school_age: np.ndarray
    pregnant: np.ndarray
    chronic: np.ndarray
    route: np.ndarray

    def __len__(self) -> int:
        return int(self.size.shape[0])


def member_shares(shares: np.ndarray, mean_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Category shares for the household head and the other members.

    Every household has an adult head (assumption, documented): the head is
    drawn among adult categories in proportion to ``shares``; the other
    members are drawn from shares adjusted so that the overall composition
    still matches ``shares`` on average (clipped at zero if impossible).
    """
    head = np.where(_ADULT, shares, 0.0)
    head = head / head.sum()
    if mean_size <= 1:
        return head, head
    w = 1.0 / mean_size
    rest = (shares - w * head) / (1.0 - w)
    rest = np.clip(rest, 0.0, None)
    return head, rest / rest.sum()


@dataclass(frozen=True)
class HouseholdDraws:
    """What the household draws of one (shares, config) share across runs, computed once.

    mean: household size mean [persons]; head_p, rest_p: member category shares
    (:func:`member_shares`); head_cdf, rest_cdf, route_cdf: the cumulative shares
    ``Generator.choice`` would compute from them (``p.cumsum() / p.cumsum()[-1]``),
    None when ``choice`` refuses them (then ``choice`` is called and raises as before);
    route_p: ``exit_shares``; p_preg: pregnancy probability per woman 18-59 [share].
    Arrays are read-only: every run of a Monte Carlo reads the same ones.
    """

    mean: float
    head_p: np.ndarray
    rest_p: np.ndarray
    route_p: np.ndarray
    head_cdf: np.ndarray | None
    rest_cdf: np.ndarray | None
    route_cdf: np.ndarray | None
    p_preg: float

    @classmethod
    def build(cls, shares: np.ndarray, config: ABMConfig) -> HouseholdDraws:
        """The draws' constants for ``shares`` (:func:`category_shares`) and ``config``."""
        mean = config.household_size_mean
        head_p, rest_p = member_shares(shares, mean)
        route_p = np.asarray(config.exit_shares)
        women_share = shares[_IDX[("18-59", "female")]]
        p_preg = (min(1.0, config.pregnant_share_of_population / women_share)
                  if women_share > 0 else 0.0)
        return cls(mean, _frozen(head_p), _frozen(rest_p), _frozen(route_p), _choice_cdf(head_p),
                   _choice_cdf(rest_p), _choice_cdf(route_p), p_preg)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _choice_cdf(p: np.ndarray) -> np.ndarray | None:
    """The cdf ``Generator.choice(len(p), p=p)`` samples from (numpy's own steps: ``p`` as
    C-contiguous float64, ``cumsum``, divided by its last value), or None if ``choice``
    refuses ``p`` (NaN, negative, not summing to 1): checked by ``choice`` itself on a
    throw-away generator, so the run's own stream is untouched."""
    p = np.ascontiguousarray(p, dtype=np.float64)
    try:
        np.random.Generator(np.random.PCG64(0)).choice(len(p), size=0, p=p)
    except ValueError:
        return None
    cdf = p.cumsum()
    cdf /= cdf[-1]
    cdf.setflags(write=False)
    return cdf


def _choice(rng: np.random.Generator, cdf: np.ndarray | None, p: np.ndarray,
            n: int) -> np.ndarray:
    """``rng.choice(len(p), size=n, p=p)``: the same uniforms (``rng.random(n)``) and the same
    search (``searchsorted(..., side="right")``) on the precomputed cdf, without ``choice``'s
    per-call checks; when ``cdf`` is None, ``choice`` itself (which raises)."""
    if cdf is None:
        return rng.choice(len(p), size=n, p=p)
    return cdf.searchsorted(rng.random(n), side="right")


def draw_households(
    persons_per_month: np.ndarray,
    month_days: np.ndarray,
    shares: np.ndarray,
    config: ABMConfig,
    rng: np.random.Generator,
    draws: HouseholdDraws | None = None,
) -> Households:
    """Draw the households arriving over the horizon, all randomness from ``rng``.

    persons_per_month: integer persons arriving per month (already rounded).
    month_days: days in each month. Each month's persons are split into
    households of size 1 + Poisson(mean - 1); the month's last household is cut
    so the month's persons match exactly. Arrival days are uniform within the
    month. Members get an (age band, sex) category; school age = the 12-17 band
    plus a ``school_age_share_5_11`` share of the 5-11 band; pregnancies are
    drawn among women 18-59 at the rate that gives ``pregnant_share_of_population``;
    chronic conditions at the per-band shares; stays from the stay distribution;
    exit routes from ``exit_shares``.
    draws: ``HouseholdDraws.build(shares, config)``, shared by the runs of a Monte
    Carlo (built here if None); the draws, their order and the results are the same.
    """
    if draws is None:
        draws = HouseholdDraws.build(shares, config)
    mean = draws.mean
    lam = mean - 1
    starts = np.concatenate([[0], np.cumsum(month_days)[:-1]]).tolist()
    days_in = np.asarray(month_days).tolist()
    sizes_parts, day_parts = [], []
    for m, persons in enumerate(np.asarray(persons_per_month, dtype=np.int64).tolist()):
        if persons <= 0:
            continue
        n = int(persons / mean * 1.2) + 8
        sizes = 1 + rng.poisson(lam, size=n)
        cs = sizes.cumsum()
        while cs[-1] < persons:
            more = 1 + rng.poisson(lam, size=n)
            sizes = np.concatenate([sizes, more])
            cs = sizes.cumsum()
        k = int(cs.searchsorted(persons, side="left"))
        sizes = sizes[: k + 1].copy()
        sizes[k] = persons - (int(cs[k - 1]) if k > 0 else 0)
        days = rng.integers(0, days_in[m], size=k + 1)
        days += starts[m]
        sizes_parts.append(sizes)
        day_parts.append(days)
    if not sizes_parts:
        empty = np.zeros(0, dtype=np.int64)
        return Households(empty, empty, empty, empty, empty, empty, empty)
    size = np.concatenate(sizes_parts).astype(np.int64, copy=False)
    arrival = np.concatenate(day_parts).astype(np.int64, copy=False)
    order = np.argsort(arrival, kind="stable")
    size, arrival = size[order], arrival[order]
    n_hh = size.shape[0]

    # composition: one category per person; head first, then the rest
    n_cat = len(CATEGORIES)
    ends = size.cumsum()
    total = int(ends[-1])
    heads = ends - size  # index of each household's first person
    first = np.zeros(total, dtype=bool)
    first[heads] = True
    cats = np.empty(total, dtype=np.int64)
    cats[first] = _choice(rng, draws.head_cdf, draws.head_p, n_hh)
    cats[~first] = _choice(rng, draws.rest_cdf, draws.rest_p, total - n_hh)
    hh_of_person = np.repeat(np.arange(n_hh), size)
    counts = np.bincount(hh_of_person * n_cat + cats,
                         minlength=n_hh * n_cat).reshape(n_hh, n_cat)
    band = counts[:, 0::2] + counts[:, 1::2]  # (female + male) per age band, AGE_BANDS order
    school_age = band[:, _BAND["12-17"]] + rng.binomial(band[:, _BAND["5-11"]],
                                                       config.school_age_share_5_11)
    women = counts[:, _IDX[("18-59", "female")]]
    pregnant = rng.binomial(women, draws.p_preg)
    chronic = (rng.binomial(band[:, _BAND["18-59"]], config.chronic_share_18_59)
               + rng.binomial(band[:, _BAND["60+"]], config.chronic_share_60plus))
    stay = draw_stays(n_hh, config, rng)
    route = _choice(rng, draws.route_cdf, draws.route_p, n_hh)
    return Households(
        arrival_day=arrival, exit_day=arrival + stay, size=size,
        school_age=school_age.astype(np.int64), pregnant=pregnant.astype(np.int64),
        chronic=chronic.astype(np.int64), route=route.astype(np.int64),
    )


def draw_stays(n: int, config: ABMConfig, rng: np.random.Generator) -> np.ndarray:
    """Whole-day stays [days, >= 1] with mean ``mean_stay_days`` (before rounding up).

    exponential: Exp(mean); gamma and lognormal: given mean and ``stay_cv``;
    fixed: every stay equals the mean. Continuous draws are rounded up to
    whole days, so the realised mean is up to half a day longer.
    """
    mean, cv = config.mean_stay_days, config.stay_cv
    kind = config.stay_distribution
    if kind == "exponential":
        x = rng.exponential(mean, size=n)
    elif kind == "gamma":
        shape = 1.0 / cv**2
        x = rng.gamma(shape, mean / shape, size=n)
    elif kind == "lognormal":
        sigma2 = np.log1p(cv**2)
        x = rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), size=n)
    else:
        x = np.full(n, float(mean))
    return np.maximum(1, np.ceil(x)).astype(np.int64)
