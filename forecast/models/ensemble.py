"""Ensemble: a weighted mixture of member models' predictive distributions.

Quantiles are those of the mixture of the members' (Student-t) marginals on
the log1p scale (exact, by bisection); path ``i`` is taken from member ``j`` with probability ``w_j``.
Weights default to equal; :func:`forecast.backtest.skill_weights` turns a
backtest table into inverse-CRPS weights (``w_j ∝ 1 / CRPS_j``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models.base import BaseModel, Predictive, model_rng


def combine(preds: Mapping[str, Predictive], weights: Mapping[str, float],
            rng: np.random.Generator) -> Predictive:
    """Mix member predictions (same horizon and path count) with the given weights."""
    names = [n for n in weights if n in preds]
    if not names:
        raise ModelError("ensemble: none of the weighted members was predicted: "
                         f"weights {sorted(weights)}, predicted {sorted(preds)}")
    w = np.array([weights[n] for n in names], dtype=float)
    if np.any(w < 0) or w.sum() <= 0:
        raise ModelError(f"ensemble: weights must be >= 0 and not all 0, got {dict(weights)}")
    w = w / w.sum()
    for n in names:
        if preds[n].components is not None:
            raise ModelError(f"ensemble: member {n!r} is itself a mixture")
    locs = np.stack([preds[n].loc for n in names])
    scales = np.stack([np.maximum(preds[n].scale, 1e-9) for n in names])
    nus = np.array([preds[n].nu for n in names], dtype=float)
    tscales = np.array([preds[n].tscale for n in names], dtype=float)
    loc = w @ locs
    sd = scales * tscales[:, None]
    scale = np.sqrt(w @ (sd**2 + locs**2) - loc**2)
    n_paths = preds[names[0]].paths.shape[0]
    pick = rng.choice(len(names), size=n_paths, p=w)
    stacked = np.stack([preds[n].paths for n in names])  # (k, n, h)
    paths = stacked[pick, np.arange(n_paths)]
    return Predictive(loc, scale, paths, components=(w, locs, scales, nus, tscales))


class Ensemble(BaseModel):
    """Weighted mixture of member models (default members: sarimax, ets, prophet).

    The one ensemble: :class:`forecast.fitting.ModelSet` fits each member once (shared
    with the same alias requested on its own) and calls :meth:`mix` on the members'
    predictions; used alone, :meth:`fit` and :meth:`predict` drive the members itself.
    """

    alias = "ensemble"
    title = "Ensemble (SARIMAX + ETS + Prophet, equal weights)"
    uses_drivers = True
    composite = True
    DEFAULT_MEMBERS: tuple[str, ...] = ("sarimax", "ets", "prophet")

    def __init__(self, members: tuple[str, ...] = DEFAULT_MEMBERS,
                 weights: Mapping[str, float] | None = None, **kw):
        super().__init__(**kw)
        members = tuple(members)
        if not members:
            raise ModelError("ensemble: needs at least one member model")
        self.members = members
        self.weights = dict(weights) if weights else {n: 1.0 for n in members}
        self.fitted_members_: dict[str, BaseModel] = {}

    def mix(self, preds: Mapping[str, Predictive], rng: np.random.Generator) -> Predictive:
        """The mixture of the members' predictions (module docstring)."""
        return combine(preds, self.weights, rng)

    def fit(self, z: pd.Series, X: pd.DataFrame | None) -> Ensemble:
        from forecast.models import make_model

        self.fitted_members_ = {n: make_model(n, seed=self.seed).fit(
            z, X if make_model(n).uses_drivers else None) for n in self.members}
        self._fitted = True
        return self

    def update(self, z: pd.Series, X: pd.DataFrame | None) -> Ensemble:
        for m in self.fitted_members_.values():
            m.update(z, X if m.uses_drivers else None)
        return self

    def predict(self, h, X_future=None, n_paths=200, rng=None) -> Predictive:
        self._check_fitted()
        seed = int(rng.integers(2**31)) if rng is not None else self.seed
        preds = {n: m.predict(h, X_future if m.uses_drivers else None, n_paths,
                              model_rng(seed, n))
                 for n, m in self.fitted_members_.items()}
        return self.mix(preds, model_rng(seed, self.alias))
