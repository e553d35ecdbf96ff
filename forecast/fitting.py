"""The one fit/predict loop over a set of models, shared by :mod:`forecast.api` and
:mod:`forecast.backtest`.

A :class:`ModelSet` holds the requested aliases. Composite models (the ensemble)
are expanded into their members once: a member requested on its own and inside
the ensemble is fitted once and shared. Each model draws from its own Generator,
seeded by the run seed and its alias (:func:`forecast.models.model_rng`), so its
draws do not depend on which other models run beside it. Seconds are recorded per
alias; a composite's seconds include its members' fits and predictions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models import BaseModel, Predictive, make_model, model_class, model_rng


def _is_composite(alias: str) -> bool:
    return bool(getattr(model_class(alias), "composite", False))


@dataclass(eq=False)
class ModelSet:
    """Models requested by alias, fitted together on one series.

    ``models``: fitted non-composite models by alias (members included);
    ``composites``: composite models (the ensemble) by alias; ``own_seconds``: time
    spent per alias (fit + update + predict; :attr:`seconds` adds members to composites).
    """

    requested: tuple[str, ...]
    seed: int = 0
    weights: Mapping[str, float] | None = None
    models: dict[str, BaseModel] = field(default_factory=dict)
    composites: dict[str, BaseModel] = field(default_factory=dict)
    own_seconds: dict[str, float] = field(default_factory=dict)
    _memo: dict[tuple, Predictive] = field(default_factory=dict, repr=False)
    """Predictions of the driver-free models by ``(alias, h, n_paths, seed)``: they do not
    depend on the scenario, so a scenario change does not recompute them. Cleared by
    :meth:`fit`."""

    def __post_init__(self):
        self.requested = tuple(dict.fromkeys(self.requested))
        if not self.requested:
            raise ModelError("no models requested")
        for a in self.requested:
            model_class(a)  # unknown alias -> ModelError listing the choices
        for a in self.requested:
            if _is_composite(a):
                params = {"weights": dict(self.weights)} if self.weights else {}
                self.composites[a] = make_model(a, seed=self.seed, **params)
        self.own_seconds = dict.fromkeys([*self.base_aliases, *self.composites], 0.0)

    @property
    def seconds(self) -> dict[str, float]:
        """Seconds per alias; a composite's include its members' fits and predictions."""
        out = dict(self.own_seconds)
        for a, c in self.composites.items():
            out[a] += sum(self.own_seconds.get(m, 0.0) for m in c.members)
        return out

    @property
    def base_aliases(self) -> tuple[str, ...]:
        """Non-composite aliases to fit: the requested ones, then composite members."""
        out = [a for a in self.requested if not _is_composite(a)]
        for c in self.composites.values():
            out += [m for m in c.members if m not in out]
        return tuple(out)

    @property
    def uses_drivers(self) -> bool:
        """Whether any model of the set needs driver features."""
        return any(model_class(a).uses_drivers for a in self.base_aliases)

    def fit(self, z: pd.Series, X: pd.DataFrame | None,
            refit: Callable[[BaseModel], bool] | None = None,
            progress: Callable[[int, int, str, int], None] | None = None) -> ModelSet:
        """Fit every base model on ``z`` (log1p persons per period) and features ``X``.

        ``refit(model) -> bool``: for a model already fitted, True re-estimates it and
        False only re-conditions it on the longer history (``update``); None fits all.
        ``progress(done, total, alias, months)``: called before each model's fit
        (``done`` models fitted so far of ``total``; ``months`` of history in ``z``,
        its periods times ``z.attrs["step_months"]``) and once after the last
        (``alias`` empty).
        """
        self._memo.clear()
        aliases = self.base_aliases
        months = len(z) * int(z.attrs.get("step_months", 1))
        for i, a in enumerate(aliases):
            if progress is not None:
                progress(i, len(aliases), a, months)
            t0 = time.perf_counter()
            cls = model_class(a)
            xa = X if cls.uses_drivers else None
            if cls.uses_drivers and X is None:
                raise ModelError(f"model {a!r} uses drivers: pass a drivers frame (or choose "
                                 "driver-free models, e.g. naive, snaive, drift, ets)")
            m = self.models.get(a)
            if m is None or refit is None or refit(m):
                self.models[a] = make_model(a, seed=self.seed).fit(z, xa)
            else:
                m.update(z, xa)
            self.own_seconds[a] += time.perf_counter() - t0
        if progress is not None:
            progress(len(aliases), len(aliases), "", months)
        for c in self.composites.values():
            c.fitted_members_ = {m: self.models[m] for m in c.members}
            c._fitted = True
        return self

    def predict(self, h: int, X_future: pd.DataFrame | None, n_paths: int,
                seed: int | None = None) -> dict[str, Predictive]:
        """Predictive distributions by requested alias (log1p scale). A driver-free
        model's prediction is made once per ``(h, n_paths, seed)`` and kept (its arrays
        read-only): the features, so the scenario, do not reach it."""
        seed = self.seed if seed is None else int(seed)
        preds: dict[str, Predictive] = {}
        for a in self.base_aliases:
            t0 = time.perf_counter()
            m = self.models[a]
            if m.uses_drivers:
                preds[a] = m.predict(h, X_future, n_paths, model_rng(seed, a))
            else:
                key = (a, int(h), int(n_paths), seed)
                if key not in self._memo:
                    self._memo[key] = _read_only(m.predict(h, None, n_paths, model_rng(seed, a)))
                preds[a] = self._memo[key]
            self.own_seconds[a] += time.perf_counter() - t0
        for a, c in self.composites.items():
            t0 = time.perf_counter()
            preds[a] = c.mix(preds, model_rng(seed, a))
            self.own_seconds[a] += time.perf_counter() - t0
        return {a: preds[a] for a in self.requested}

    @property
    def warnings(self) -> dict[str, list[str]]:
        return {a: list(getattr(m, "warnings_", [])) for a, m in self.models.items()}


def _read_only(p: Predictive) -> Predictive:
    """``p`` with its arrays made read-only, so a kept prediction cannot be changed by a
    caller."""
    for v in (p.loc, p.scale, p.paths, *(p.components or ())):
        if isinstance(v, np.ndarray):
            v.setflags(write=False)
    return p


def check_paths_count(n_paths: int, horizon: int) -> None:
    """Common argument checks of a prediction."""
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ModelError(f"horizon must be an integer >= 1 period, got {horizon!r}")
    if isinstance(n_paths, bool) or not isinstance(n_paths, int | np.integer) or n_paths < 1:
        raise ModelError(f"n_paths must be an integer >= 1, got {n_paths!r}")
