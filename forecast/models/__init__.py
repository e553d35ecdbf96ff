"""Forecasting models behind one protocol (see :mod:`forecast.models.base`).

``make_model(name)`` builds an unfitted model by its alias:

=========  ====================================================  =======
alias      model                                                 drivers
=========  ====================================================  =======
naive      random walk on log1p counts                           no
snaive     seasonal naive (same month last year)                 no
drift      random walk with drift                                no
ets        ETS(A,Ad,A), statsmodels                              no
sarimax    regression on drivers with SARIMA(1,1,1)(1,0,0)12     yes
           errors, statsmodels
prophet    Prophet + driver regressors + AR(1) residuals         yes
ensemble   weighted mixture of sarimax, ets, prophet             yes
=========  ====================================================  =======
"""

from __future__ import annotations

from forecast.errors import ModelError
from forecast.models.base import QUANTILES, SEASON, BaseModel, Model, Predictive, model_rng
from forecast.models.baselines import Drift, Naive, SeasonalNaive
from forecast.models.ensemble import Ensemble, combine
from forecast.models.prophet_model import ProphetX
from forecast.models.statsmodels_models import ETS, SarimaxX

BASELINES: tuple[str, ...] = ("naive", "snaive", "drift")
ENSEMBLE_MEMBERS: tuple[str, ...] = ("sarimax", "ets", "prophet")
MODEL_NAMES: tuple[str, ...] = (*BASELINES, "ets", "sarimax", "prophet", "ensemble")
DEFAULT_MODELS: tuple[str, ...] = MODEL_NAMES

_CLASSES = {"naive": Naive, "snaive": SeasonalNaive, "drift": Drift, "ets": ETS,
            "sarimax": SarimaxX, "prophet": ProphetX}


def make_model(name: str, **params) -> BaseModel:
    """An unfitted model by alias (table above); ``params`` go to its constructor.

    For ``ensemble``, ``params`` may hold ``members`` (aliases) and ``weights``
    (alias -> weight).
    """
    if name == "ensemble":
        members = params.get("members", ENSEMBLE_MEMBERS)
        return Ensemble({m: make_model(m) for m in members}, params.get("weights"))
    try:
        cls = _CLASSES[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}") from None
    return cls(**params)


__all__ = ["BASELINES", "DEFAULT_MODELS", "ENSEMBLE_MEMBERS", "MODEL_NAMES", "QUANTILES",
           "SEASON", "BaseModel", "Model", "Predictive", "combine", "make_model", "model_rng"]
