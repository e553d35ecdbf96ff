"""Forecasting models behind one protocol (see :mod:`forecast.models.base`).

Every model is a class with an ``alias``, a ``title``, ``uses_drivers`` and a
``fit_cost``, registered once in :data:`REGISTRY`; ``make_model(alias)`` builds an
unfitted instance. Adding a model is one module plus one registry line.

=========  ====================================================  =======
alias      model                                                 drivers
=========  ====================================================  =======
naive      random walk on log1p counts                           no
snaive     seasonal naive (same period last year)                no
drift      random walk with drift                                no
ets        ETS(A,Ad,A), statsmodels                              no
sarimax    regression on drivers with SARIMA(1,1,1)(1,0,0)m      yes
           errors, statsmodels (m = periods per year)
prophet    Prophet + driver regressors + AR(1) residuals         yes
ensemble   weighted mixture of sarimax, ets, prophet             yes
=========  ====================================================  =======
"""

from __future__ import annotations

from forecast.errors import ModelError
from forecast.models.base import SEASON, BaseModel, Model, Predictive, model_rng
from forecast.models.baselines import Drift, Naive, SeasonalNaive
from forecast.models.ensemble import Ensemble, combine
from forecast.models.prophet_model import ProphetX
from forecast.models.statsmodels_models import ETS, SarimaxX
from forecast.vocabulary import QUANTILES

REGISTRY: dict[str, type[BaseModel]] = {cls.alias: cls for cls in (
    Naive,
    SeasonalNaive,
    Drift,
    ETS,
    SarimaxX,
    ProphetX,
    Ensemble,
)}
"""Model classes by alias: the one place a model is registered."""

MODEL_NAMES: tuple[str, ...] = tuple(REGISTRY)
DEFAULT_MODELS: tuple[str, ...] = MODEL_NAMES
BASELINES: tuple[str, ...] = tuple(a for a, c in REGISTRY.items()
                                   if not c.uses_drivers and c.fit_cost == "cheap")
ENSEMBLE_MEMBERS: tuple[str, ...] = Ensemble.DEFAULT_MEMBERS
MODEL_TITLES: dict[str, str] = {a: c.title for a, c in REGISTRY.items()}
"""Words for each alias (menus, tables)."""


def model_class(alias: str) -> type[BaseModel]:
    """The registered class of ``alias``; :class:`ModelError` listing the choices."""
    try:
        return REGISTRY[alias]
    except KeyError:
        raise ModelError(f"unknown model {alias!r}; choose from {', '.join(MODEL_NAMES)}") from None


def make_model(alias: str, **params) -> BaseModel:
    """An unfitted model by alias (table above); ``params`` go to its constructor
    (every model takes ``seed``; ``ensemble`` also ``members`` and ``weights``)."""
    return model_class(alias)(**params)


def uses_drivers(alias: str) -> bool:
    """Whether the model ``alias`` uses driver features."""
    return model_class(alias).uses_drivers


__all__ = ["BASELINES", "DEFAULT_MODELS", "ENSEMBLE_MEMBERS", "MODEL_NAMES", "MODEL_TITLES",
           "QUANTILES", "REGISTRY", "SEASON", "BaseModel", "Model", "Predictive", "combine",
           "make_model", "model_class", "model_rng", "uses_drivers"]
