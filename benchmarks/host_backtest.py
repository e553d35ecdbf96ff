"""Rolling-origin backtest of annual host arrivals (forecast.host_model) against baselines.

For every forecast year Y in 2010-2024: fit on data up to Y-1 (the origin), forecast
Y (h=1) and Y+1 (h=2, scored while Y+1 <= 2025). Two sets of pairs:

  (a) Afghanistan -> KAZ, KGZ, TJK, TKM, UZB, IRN, PAK wherever UNHCR reports;
  (b) every pair with a land border whose arrivals reached 100 in some year.

A pair-year is scored when UNHCR reports its arrivals and at least one of the three
years up to the origin is reported (so every baseline exists). Scores, all on
log1p(persons per year): mean |error| of the median; MASE = that / persistence's on
the same rows; CRPS from samples (scoringrules.crps_ensemble; a point forecast's CRPS
is its |error|); coverage of the central 50/80/90% intervals; for surge years
(arrivals >= 5 x the previous year's, both reported) the share at or below the upper
bound of the 90% interval (the 95th percentile).

Rows: persistence (last reported value), 3-year mean (of the reported values),
probabilistic persistence (last value + the empirical log changes of every pair in the
past, by level bin), the share method (forecast.hosts, set (a) only, given the *true*
Frontex total of the year), host_lgbm (forecast.host_model).

Usage::

    python benchmarks/host_backtest.py            # the table (2 worker processes)
    python benchmarks/host_backtest.py --glm      # the same with the NB GLM member
    python benchmarks/host_backtest.py --tune     # hyperparameter choice, years < 2010
    python benchmarks/host_backtest.py --speed    # fit once, scenario changes timed
    python benchmarks/host_backtest.py --present  # forecasts from 2025, responses, surges
    python benchmarks/host_backtest.py --bound    # how much signal the covariates carry
    python benchmarks/host_backtest.py --variants # changes tried after the combination
    python benchmarks/host_backtest.py --variants --pick "default,NB GLM"  # a subset
    python benchmarks/host_backtest.py --variants --idmc PATH  # + IDMC displacement rows

``--idmc PATH`` (an experiment, not shipped data): IDMC new internal displacements
by cause (the raw ``idmc_new_displacements_annual_by_cause_2008_2023.csv``, columns
``geo, t, cause, n``; licence unclear, see docs/model_card.md) as origin-year
features: log1p persons newly displaced inside the origin in the origin year by
conflict, by any disaster, by drought (NA where IDMC reports none, and before 2008).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecast import datasets  # noqa: E402
from forecast import host_model as hm  # noqa: E402

SET_A_HOSTS = ("KAZ", "KGZ", "TJK", "TKM", "UZB", "IRN", "PAK")
YEARS = range(2010, 2025)
N_PATHS = 400
SEED = 0
GLM_ALONE = "nb_glm alone"
IDMC_FEATURES = ("x_idmc_conflict", "x_idmc_disaster", "x_idmc_drought")
_IDMC_COLS = ("geo", "t", "cause", "n")


def read_idmc(path) -> pd.DataFrame:
    """IDMC new internal displacements (persons/year) per origin-year: columns
    ``origin_iso3, year`` and :data:`IDMC_FEATURES` (conflict; every disaster cause
    summed; drought alone). A cause IDMC does not report for a country-year stays NA
    (never zero); a reported 0 stays 0. Bad input raises SchemaError naming the file,
    the column and the line."""
    from forecast.errors import SchemaError

    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype={"geo": str, "cause": str}, keep_default_na=False,
                          na_values=[""])
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise SchemaError(f"{path}: cannot read the IDMC file ({e.__class__.__name__}: {e})") from e
    miss = [c for c in _IDMC_COLS if c not in raw.columns]
    if miss:
        raise SchemaError(f"{path}: missing column(s) {miss}; expected {list(_IDMC_COLS)}")
    for c, lo in (("t", 1900), ("n", 0)):
        v = pd.to_numeric(raw[c], errors="coerce")
        bad = np.flatnonzero(~np.isfinite(v.to_numpy(dtype=float)) | (v.to_numpy(dtype=float) < lo))
        if len(bad):
            raise SchemaError(f"{path}: column {c!r}: need a number >= {lo}, got "
                              f"{raw[c].iloc[bad[0]]!r} on line {bad[0] + 2}")
        raw[c] = v
    bad = np.flatnonzero(raw["geo"].isna() | raw["cause"].isna())
    if len(bad):
        col = "geo" if pd.isna(raw["geo"].iloc[bad[0]]) else "cause"
        raise SchemaError(f"{path}: column {col!r}: empty on line {bad[0] + 2}")
    raw = raw.assign(year=raw["t"].astype(int), origin_iso3=raw["geo"].str.strip())
    g = raw.groupby(["origin_iso3", "year"])
    out = pd.DataFrame({
        "x_idmc_conflict": raw[raw["cause"] == "conflict"].groupby(["origin_iso3", "year"])["n"].sum(),
        "x_idmc_disaster": raw[raw["cause"] != "conflict"].groupby(["origin_iso3", "year"])["n"].sum(),
        "x_idmc_drought": raw[raw["cause"] == "drought"].groupby(["origin_iso3", "year"])["n"].sum(),
    }, index=g.size().index)
    return out.reset_index()


def load_dyads(idmc=None) -> pd.DataFrame:
    """The shipped dyads panel, with the IDMC origin-year columns when ``idmc`` (a path)
    is given (joined on the origin and year; NA where IDMC has no row)."""
    d = datasets.load_dyads()
    if idmc is None:
        return d
    return d.merge(read_idmc(idmc), on=["origin_iso3", "year"], how="left")


# ----------------------------------------------------------------------------- fitting
def _fit_one(args):
    key, cfg, idmc = args
    from forecast import host_model as m

    if key[0] == "glm":
        _, cutoff, h, _, seed = key
    else:
        cutoff, h, _, seed = key
    p = m.make_panel(load_dyads(idmc), cutoff)
    X, y = m._train_rows(p, h, cutoff)
    if key[0] == "glm":
        return key, m.fit_glm(X, y, cfg, seed), None
    mem = m.fit_member(X, y, cfg, seed)
    return key, mem.booster.model_to_string(), mem.elasticity


def prefit(origins, cfg: hm.HostModelConfig, workers: int,
           cache: hm.FitCache | None = None, idmc=None) -> hm.FitCache:
    """Fit every booster (and, with ``combine_glm``, every NB GLM) the rolling origins
    need, in ``workers`` processes (those not already in ``cache``, which is filled and
    returned). ``idmc``: path of the IDMC file the panel is joined with, or None."""
    import lightgbm as lgb

    need = set()
    glm = cfg.combine and cfg.combine_glm
    for c in origins:
        for h in cfg.horizons:
            for cc in range(c - h - cfg.calib_years + 1, c + 1):
                need.add((cc, h, hm._booster_key(cfg), SEED))
                if glm:
                    need.add(("glm", cc, h, hm._glm_key(cfg), SEED))
    cache = cache if cache is not None else hm.FitCache()
    jobs = [(k, cfg, idmc) for k in sorted(need - set(cache.store),
                                           key=lambda k: (k[-4], k[-3], str(k[0])))]
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            done = list(ex.map(_fit_one, jobs))
    else:
        done = list(map(_fit_one, jobs))
    for key, txt, el in done:
        cache.store[key] = txt if key[0] == "glm" else hm.Member(lgb.Booster(model_str=txt), el)
    return cache


# ----------------------------------------------------------------------------- forecasts
def _sets(panel: hm.Panel) -> dict[str, np.ndarray]:
    pr = panel.pairs
    a = np.flatnonzero((pr["origin_iso3"] == "AFG") & pr["asylum_iso3"].isin(SET_A_HOSTS))
    reached = np.nanmax(np.where(np.isnan(panel.arr), -1, panel.arr), axis=1) >= 100
    b = np.flatnonzero((panel.border == 1) & reached)
    return {"a": a, "b": b}


def _persist_changes(p: hm.Panel, h: int, cutoff: int) -> pd.DataFrame:
    """Past log changes log1p(arr[t+h]) - zlast[t], every pair, target years <= cutoff."""
    out = []
    y0 = int(p.years[0])
    for t in range(hm.FIRST_TARGET_YEAR - h, cutoff - h + 1):
        j = t - y0
        F = hm.features_at(p, j)
        tgt = p.arr[:, j + h]
        ok = np.isfinite(tgt) & np.isfinite(F["zlast"].to_numpy())
        zl = F["zlast"].to_numpy()[ok]
        out.append(pd.DataFrame({"bin": hm._bin(zl, p.border[ok]), "d": np.log1p(tgt[ok]) - zl}))
    return pd.concat(out, ignore_index=True)


def forecasts(dyads: pd.DataFrame, origins, cfg: hm.HostModelConfig, cache: hm.FitCache,
              with_share: bool = True) -> pd.DataFrame:
    """One row per (model, set, pair, origin, h): ``actual``, ``point`` (log1p) and
    ``samples`` (an array of log1p samples, or None for a point forecast)."""
    full = hm.make_panel(dyads)
    sets = _sets(full)
    parts = []
    hosts_annual = datasets.load_hosts()
    history = datasets.load_history("frontex_afg_total")
    probs = (np.arange(N_PATHS) + 0.5) / N_PATHS
    H = max(cfg.horizons)
    for c in origins:
        model = hm.fit_host_model(dyads, c, SEED, cfg, cache)
        p = model.panel
        j = len(p.years) - 1
        F = hm.features_at(p, j)
        zlast = F["zlast"].to_numpy()
        zmean3 = F["zmean3"].to_numpy()
        pq = {}
        for h in cfg.horizons:
            ch = _persist_changes(p, h, c)
            pq[h] = {b: np.quantile(g["d"].to_numpy(), probs) for b, g in ch.groupby("bin")}
        pos = p._pos
        for set_name, idx_full in sets.items():
            keys = list(zip(full.pairs["origin_iso3"].iloc[idx_full],
                            full.pairs["asylum_iso3"].iloc[idx_full], strict=True))
            keys = [k for k in keys if k in pos]
            if not keys:
                continue
            idx = np.array([pos[k] for k in keys], dtype=int)
            fidx = np.array([full.index(*k) for k in keys], dtype=int)
            lv, z = hm.sample_pairs(model, idx, H, n_paths=N_PATHS, seed=SEED)
            for h in cfg.horizons:
                y = c + h
                if y > full.last_year:
                    continue
                col = y - int(full.years[0])
                act = full.arr[fidx, col]
                prev = full.arr[fidx, col - 1]
                zz = z[lv["h"].to_numpy() == h]
                ok = np.isfinite(act) & np.isfinite(zlast[idx]) & np.isfinite(zmean3[idx])
                if not ok.any():
                    continue
                i = idx[ok]
                base = pd.DataFrame({
                    "set": set_name, "origin": c, "h": h,
                    "pair": [f"{o}->{a}" for o, a in np.asarray(keys, dtype=object)[ok]],
                    "actual": np.log1p(act[ok]),
                    "surge": np.isfinite(prev[ok]) & (act[ok] >= 5 * np.nan_to_num(prev[ok], nan=np.inf)),
                })
                bins = hm._bin(zlast[i], p.border[i])
                Q = np.vstack([pq[h][int(b)] for b in bins])
                pp = np.maximum(zlast[i][:, None] + Q, 0)
                S = zz[ok]
                parts.append(base.assign(model="persistence", point=zlast[i], samples=None))
                parts.append(base.assign(model="3-year mean", point=zmean3[i], samples=None))
                parts.append(base.assign(model="prob. persistence", point=zlast[i] + Q[:, N_PATHS // 2],
                                         samples=list(pp)))
                parts.append(base.assign(model=hm.MODEL_NAME, point=np.median(S, axis=1),
                                         samples=list(S)))
                if model.glms is not None:
                    # the GLM on its own: NB predictive quantiles at the same probabilities
                    g = model.glms[h]
                    Sg = np.log1p(g.quantiles(F.iloc[i], probs))
                    parts.append(base.assign(model=GLM_ALONE,
                                             point=np.log1p(g.quantiles(F.iloc[i], 0.5)[:, 0]),
                                             samples=list(Sg)))
                if with_share and set_name == "a":
                    recs = []
                    for r, k in enumerate(np.asarray(keys, dtype=object)[ok]):
                        sh = _share(hosts_annual, history, k[1], c, y)
                        if sh is not None:
                            recs.append(dict(base.iloc[r], model="share method (true Frontex)",
                                             point=sh[0], samples=sh[1]))
                    if recs:
                        parts.append(pd.DataFrame(recs))
    return pd.concat(parts, ignore_index=True)


def _share(hosts_annual, history, host, origin, year):
    """The share method's forecast of ``host`` in ``year`` from data up to ``origin``,
    given the true Frontex total of ``year`` (log1p point and samples), or None."""
    from forecast import hosts as hmod

    ha = hosts_annual[hosts_annual["year"] <= origin]
    hist = history[history["ds"] <= pd.Timestamp(f"{origin}-12-01")]
    try:
        est = hmod.estimate_shares(ha, hist).set_index("host_iso3")
    except Exception:  # noqa: BLE001 - too little data at early origins
        return None
    mov = hmod.annual_movement(history, "frontex_afg_total")
    if host not in est.index or not bool(est.at[host, "estimable"]) or year not in mov.index:
        return None
    rng = np.random.default_rng([SEED, origin, year])
    draws = hmod._draw_shares(float(est.at[host, "share_mean"]), float(est.at[host, "share_sd"]),
                              N_PATHS, rng) * float(mov.loc[year])
    return float(np.log1p(est.at[host, "share_mean"] * mov.loc[year])), np.log1p(draws)


# ----------------------------------------------------------------------------- scores
def score(df: pd.DataFrame) -> pd.DataFrame:
    import scoringrules as sr

    out = []
    for (st, h, model), g in df.groupby(["set", "h", "model"], sort=False):
        pers = df[(df["set"] == st) & (df["h"] == h) & (df["model"] == "persistence")]
        keys = set(zip(g["pair"], g["origin"], strict=True))
        pers = pers[[k in keys for k in zip(pers["pair"], pers["origin"], strict=True)]]
        err = np.abs(g["point"] - g["actual"]).to_numpy()
        mae_p = np.abs(pers["point"] - pers["actual"]).mean()
        rec = {"set": st, "h": h, "model": model, "n": len(g), "mae_log1p": err.mean(),
               "mase": err.mean() / mae_p}
        if g["samples"].iloc[0] is None:
            rec.update(crps=err.mean(), cov50=np.nan, cov80=np.nan, cov90=np.nan)
            hi = g["point"].to_numpy()
        else:
            S = np.vstack(g["samples"].to_numpy())
            obs = g["actual"].to_numpy()
            rec["crps"] = float(np.mean(sr.crps_ensemble(obs, S)))
            for lvl in (50, 80, 90):
                lo, up = np.quantile(S, [(100 - lvl) / 200, 1 - (100 - lvl) / 200], axis=1)
                rec[f"cov{lvl}"] = float(np.mean((obs >= lo) & (obs <= up)))
            hi = np.quantile(S, 0.95, axis=1)
        s = g["surge"].to_numpy()
        rec["surges"] = int(s.sum())
        rec["surge_caught"] = float(np.mean(g["actual"].to_numpy()[s] <= hi[s])) if s.any() else np.nan
        out.append(rec)
    return pd.DataFrame(out)


def pooled(df: pd.DataFrame) -> pd.DataFrame:
    return score(df.assign(h="1+2"))


def print_table(t: pd.DataFrame) -> None:
    fmt = t.copy()
    for c in ("mae_log1p", "mase", "crps"):
        fmt[c] = fmt[c].map(lambda v: f"{v:.3f}")
    for c in ("cov50", "cov80", "cov90", "surge_caught"):
        fmt[c] = fmt[c].map(lambda v: "-" if pd.isna(v) else f"{100 * v:.0f}%")
    print(fmt.to_string(index=False))


def verdict(t: pd.DataFrame) -> list[str]:
    lines = []
    for st in ("a", "b"):
        g = t[(t["set"] == st) & (t["h"] == "1+2")].set_index("model")
        if hm.MODEL_NAME not in g.index:
            continue
        best = min(g.at["persistence", "mae_log1p"], g.at["3-year mean", "mae_log1p"])
        m = g.at[hm.MODEL_NAME, "mae_log1p"]
        gain = 1 - m / best
        lines.append(f"set ({st}) mean |log1p error|: {m:.3f} vs best simple baseline {best:.3f} "
                     f"-> {100 * gain:+.0f}% lower; target >= 15%: "
                     f"{'MET' if gain >= 0.15 else 'MISSED'}")
        pp = g.at["prob. persistence", "crps"]
        cg = 1 - g.at[hm.MODEL_NAME, "crps"] / pp
        lines.append(f"set ({st}) CRPS: {g.at[hm.MODEL_NAME, 'crps']:.3f} vs prob. persistence "
                     f"{pp:.3f} -> {100 * cg:+.0f}% lower; target >= 15%: "
                     f"{'MET' if cg >= 0.15 else 'MISSED'}")
        cov = g.at[hm.MODEL_NAME, "cov80"]
        if st == "b":
            lines.append(f"set (b) 80% coverage {100 * cov:.0f}%; target 75-85%: "
                         f"{'MET' if 0.75 <= cov <= 0.85 else 'MISSED'}")
        else:
            lines.append(f"set (a) 80% coverage {100 * cov:.0f}% (reported, no target)")
    return lines


# ----------------------------------------------------------------------------- modes
def run(workers: int, glm: bool = False) -> None:
    """The backtest table of the default configuration (``glm``: with the NB GLM
    member, off by default, which adds the row of the GLM alone)."""
    t0 = time.perf_counter()
    dyads = datasets.load_dyads()
    cfg = hm.HostModelConfig(combine_glm=glm)
    origins = [y - 1 for y in YEARS]
    cache = prefit(origins, cfg, workers)
    t1 = time.perf_counter()
    df = forecasts(dyads, origins, cfg, cache)
    t = pd.concat([score(df), pooled(df)], ignore_index=True)
    t = t.sort_values(["set", "h"], kind="mergesort")
    t2 = time.perf_counter()
    print(f"Rolling-origin backtest, forecast years {min(YEARS)}-{max(YEARS)} (h=2 to 2025), "
          f"{len(origins)} origins, {N_PATHS} paths; scores on log1p(persons/year)")
    print_table(t)
    print()
    for line in verdict(t):
        print(line)
    print(f"\nwall time: {t2 - t0:.1f} s (fits {t1 - t0:.1f} s in {workers} processes, "
          f"forecasts and scores {t2 - t1:.1f} s; {len(cache.store)} boosters"
          + (" and NB GLMs)" if glm else ")"))


def tune(workers: int) -> None:
    """Hyperparameters chosen on forecast years before 2010 only (origins 2002-2008):
    the configuration with the lowest sum of the mean |log1p error| on (a) and (b)."""
    dyads = datasets.load_dyads()
    origins = list(range(2002, 2009))
    base = hm.HostModelConfig()
    grid = [base,
            base.with_(huber_alpha=1.0),
            base.with_(huber_alpha=1.0, center_residuals=True),
            base.with_(huber_alpha=1.0, n_estimators=300, learning_rate=0.05),
            base.with_(objective="l2"),
            base.with_(target="change", huber_alpha=0.3),
            base.with_(target="change", huber_alpha=0.3, center_residuals=True),
            base.with_(calib_years=5)]
    global YEARS
    YEARS = range(2003, 2010)
    for cfg in grid:
        cache = prefit(origins, cfg, workers)
        df = forecasts(dyads, origins, cfg, cache, with_share=False)
        df = df[df["origin"] + df["h"] <= 2009]
        t = pooled(df)
        if cfg == grid[0]:
            print_table(t)
        g = t[t["model"] == hm.MODEL_NAME].set_index("set")
        diff = {k: v for k, v in dataclasses.asdict(cfg).items()
                if v != dataclasses.asdict(hm.HostModelConfig())[k] and k != "features"}
        print(f"{diff or 'default'}: sum {g.at['a', 'mae_log1p'] + g.at['b', 'mae_log1p']:.3f}"
              f" | (a) mae {g.at['a', 'mae_log1p']:.3f} crps "
              f"{g.at['a', 'crps']:.3f} | (b) mae {g.at['b', 'mae_log1p']:.3f} crps "
              f"{g.at['b', 'crps']:.3f} cov80 {g.at['b', 'cov80']:.2f}")


VARIANTS = (
    ("default: weights per origin x border", {}),
    ("weights per pair, 1 pseudo-row", {"combine_pair_shrink": 1.0}),
    ("weights per pair, 3 pseudo-rows", {"combine_pair_shrink": 3.0}),
    ("weights per pair, 10 pseudo-rows", {"combine_pair_shrink": 10.0}),
    ("+ 3-year mean in the combination", {"combine_mean3": True}),
    ("target log change (Huber 0.5)", {"target": "change"}),
    ("target log change (Huber 0.3)", {"target": "change", "huber_alpha": 0.3}),
    ("log change (0.3) + 3-year mean", {"target": "change", "huber_alpha": 0.3,
                                        "combine_mean3": True}),
    ("+ NB GLM member (NB median)", {"combine_glm": True}),
    ("+ NB GLM member (NB mean)", {"combine_glm": True, "glm_point": "mean"}),
    ("+ NB GLM + 3-year mean", {"combine_glm": True, "combine_mean3": True}),
    ("+ NB GLM per border class (NB median)", {"combine_glm": True, "glm_by_border": True}),
)
"""Changes tried on top of the combination with persistence (``--variants``). A
variant with the NB GLM also scores the GLM on its own (:data:`GLM_ALONE`, its NB
predictive distribution as the interval), once."""

IDMC_VARIANTS = (
    ("+ IDMC conflict, disaster, drought", {"features": hm.FEATURES + IDMC_FEATURES}),
    ("+ IDMC conflict only", {"features": hm.FEATURES + IDMC_FEATURES[:1]}),
)
"""Variants with the IDMC origin-year features (``--variants --idmc PATH`` only)."""


def variants(workers: int, pick: str | None = None, idmc=None) -> None:
    """Each of :data:`VARIANTS` (and :data:`IDMC_VARIANTS` when ``idmc`` is a path)
    scored on forecast years 2003-2009 (origins 2002-2008, where the choice is made:
    the lowest sum of the mean |log1p error| on (a) and (b)) and on 2010-2024
    (reported only). ``pick``: comma-separated parts of names; only variants whose
    name contains one of them (and the default) are run."""
    dyads = load_dyads(idmc)
    pre, test = list(range(2002, 2009)), [y - 1 for y in YEARS]
    cache = hm.FitCache()
    rows = []
    todo = list(VARIANTS) + (list(IDMC_VARIANTS) if idmc is not None else [])
    if pick:
        keys = [k.strip() for k in pick.split(",") if k.strip()]
        todo = [v for i, v in enumerate(todo) if i == 0 or any(k in v[0] for k in keys)]
    alone_done = set()
    for name, kw in todo:
        cfg = hm.HostModelConfig().with_(**kw)
        t0 = time.perf_counter()
        prefit(pre + test, cfg, workers, cache, idmc)
        for period, origins in (("2003-2009", pre), ("2010-2024", test)):
            df = forecasts(dyads, origins, cfg, cache, with_share=False)
            if period == "2003-2009":
                df = df[df["origin"] + df["h"] <= 2009]
            g0 = pooled(df)
            alone = "NB GLM alone" + (" per border class" if cfg.glm_by_border else "")
            for model, label in ((hm.MODEL_NAME, name), (GLM_ALONE, alone)):
                g = g0[g0["model"] == model].set_index("set")
                if g.empty or (model == GLM_ALONE and alone in alone_done):
                    continue
                rows.append({"variant": label, "years": period,
                             **{f"{k}_{st}": g.at[st, c] for st in ("a", "b")
                                for k, c in (("mae", "mae_log1p"), ("crps", "crps"),
                                             ("cov80", "cov80"))}})
        alone_done |= {r["variant"] for r in rows if r["variant"].startswith("NB GLM alone")}
        print(f"[{name}: {time.perf_counter() - t0:.0f} s]", file=sys.stderr, flush=True)
    t = pd.DataFrame(rows)
    t["sum_mae"] = t["mae_a"] + t["mae_b"]
    pre_t = t[t["years"] == "2003-2009"]
    best = pre_t.loc[pre_t["sum_mae"].idxmin(), "variant"]
    print("Variants on the combined host model; host_lgbm rows (and the NB GLM alone), h=1+2 pooled "
          "(mean |log1p error|, CRPS, 80% coverage)")
    fmt = t.copy()
    for c in fmt.columns:
        if c.startswith("cov"):
            fmt[c] = fmt[c].map(lambda v: f"{100 * v:.0f}%")
        elif c not in ("variant", "years"):
            fmt[c] = fmt[c].map(lambda v: f"{v:.3f}")
    print(fmt.sort_values(["years"], kind="mergesort").to_string(index=False))
    print(f"chosen by the pre-2010 rule (lowest sum of mean |log1p error|, 2003-2009): {best}")


def speed() -> None:
    """Fit once; then time scenario changes (conflict, temperature, surge) to monthly paths."""
    dyads = datasets.load_dyads()
    t0 = time.perf_counter()
    model = hm.fit_host_model(dyads, seed=SEED)
    t1 = time.perf_counter()
    cat = datasets.load_surge_catalogue()
    hosts = ["KAZ", "KGZ", "TJK", "UZB", "TKM", "IRN", "PAK"]
    times = []
    for k in (1.0, 2.0, 3.0, 5.0, 10.0):
        for dt in (0.0, 1.0):
            s = time.perf_counter()
            fc = hm.predict_annual(model, "AFG", hosts, 2, conflict_multiplier=k,
                                   temperature_delta=dt, n_paths=200)
            fc = hm.apply_surge(fc, cat, "Afghanistan->Tajikistan 2021")
            hm.monthly_split(fc.paths, "flat", scenario=fc.scenario)
            times.append(time.perf_counter() - s)
    print(f"fit once: {t1 - t0:.1f} s; scenario change -> 7 hosts x 24 months x 200 paths: "
          f"median {1000 * np.median(times):.0f} ms, max {1000 * max(times):.0f} ms "
          f"over {len(times)} changes (target < 200 ms)")


def present() -> None:
    """Fit on all data (to 2025): the next years per Central Asian host, the implied
    conflict and temperature responses, and surge scenarios."""
    dyads = datasets.load_dyads()
    model = hm.fit_host_model(dyads, seed=SEED)
    hosts = ["TJK", "KAZ", "KGZ", "UZB", "TKM", "IRN", "PAK"]
    fc = hm.predict_annual(model, "AFG", hosts, 2, n_paths=2000)
    q = fc.quantiles.pivot_table(index=["host", "year"], columns="quantile", values="arrivals")
    obs = dyads[(dyads["origin_iso3"] == "AFG") & dyads["asylum_iso3"].isin(hosts)]
    obs = obs.pivot_table(index="asylum_iso3", columns="year", values="arrivals")
    print(f"Afghanistan -> host, data to {model.up_to_year}; baseline (conflict and "
          "temperature persist); persons/year")
    print(f"{'host':5} {'2023':>7} {'2024':>7} {'2025':>7} | {'year':>5} {'median':>8} "
          f"{'80% range':>19}")
    for (host, year), r in q.iterrows():
        o = [obs.at[host, y] if host in obs.index and y in obs.columns else np.nan
             for y in (2023, 2024, 2025)]
        o = " ".join(f"{v:7,.0f}" if np.isfinite(v) else f"{'NA':>7}" for v in o)
        print(f"{host:5} {o} | {year:5d} {r[0.5]:8,.0f} {r[0.1]:8,.0f} - {r[0.9]:8,.0f}")
    for n in fc.notes:
        print("note:", n)

    el = hm.elasticities(model, 2.0)
    print("\nScenario layer (median regression on the trees' residuals, training rows to "
          f"{model.up_to_year}); response = arrivals change for fatalities x2, 80% interval:")
    for r in el.itertuples():
        print(f"  h={r.h} land_border={r.land_border}: b_fat {r.b_fat:.3f} (se {r.se_fat:.3f}) "
              f"-> x2: {100 * r.response:+.1f}% ({100 * r.lo:+.1f}% .. {100 * r.hi:+.1f}%); "
              f"b_temp {r.b_temp:+.3f}/degC (se {r.se_temp:.3f}); n = {r.n}")
    print("\nImplied response of the median (1 year ahead) to the origin's fatalities, "
          "every land-border pair with arrivals reported in 2025 and fatalities > 0:")
    pr = model.panel
    j = len(pr.years) - 1
    idx = np.flatnonzero((pr.border == 1) & np.isfinite(pr.arr[:, j]) & (pr.fat[:, j] > 0))
    base = hm.point_forecast_pairs(model, idx, 1)["level"].to_numpy()
    for k in (2.0, 5.0, 10.0):
        shock = hm.point_forecast_pairs(model, idx, 1, conflict_multiplier=k)["level"].to_numpy()
        ch = np.expm1(shock) / np.expm1(base) - 1
        lo, med, hi = np.quantile(ch, [0.1, 0.5, 0.9])
        print(f"  fatalities x{k:g}: median {100 * med:+.0f}%, 80% of pairs in "
              f"{100 * lo:+.0f}% .. {100 * hi:+.0f}% (n = {len(idx)}; min {100 * ch.min():+.1f}%)")
    for dt in (1.0, 2.0):
        shock = hm.point_forecast_pairs(model, idx, 1, temperature_delta=dt)["level"].to_numpy()
        ch = np.expm1(shock) / np.expm1(base) - 1
        lo, med, hi = np.quantile(ch, [0.1, 0.5, 0.9])
        print(f"  temperature anomaly +{dt:g} deg C: median {100 * med:+.0f}%, 80% of pairs in "
              f"{100 * lo:+.0f}% .. {100 * hi:+.0f}%")
    print("Afghanistan -> host, 1 year ahead, median change of the point forecast:")
    for k in (2.0, 10.0):
        r = hm.conflict_response(model, "AFG", hosts, k)
        print(f"  fatalities x{k:g}: " + ", ".join(
            f"{h} {100 * c:+.0f}%" for h, c in zip(r["host"], r["change"], strict=True)))

    cat = datasets.load_surge_catalogue()
    print("\nSurge scenarios on the baseline paths (median, 80% range; persons/year):")
    for name in ("Afghanistan->Tajikistan 2021", "Afghanistan->Pakistan 2022",
                 "Ukraine->Moldova 2023", hm.SURGE_P90):
        m = hm.surge_multipliers(cat, name, 2)
        s = hm.apply_surge(fc, cat, name).quantiles
        s = s[s["host"] == "TJK"].pivot_table(index="year", columns="quantile",
                                              values="arrivals")
        yrs = "; ".join(f"{y}: {r[0.5]:,.0f} ({r[0.1]:,.0f} - {r[0.9]:,.0f})"
                        for y, r in s.iterrows())
        print(f"  {name} (x{m[0]:.2f}, x{m[1]:.2f}): TJK {yrs}")
    nb = cat[cat["land_border"] == 1]
    print(f"catalogue: {len(cat)} surges 1990-2025, {len(nb)} across a land border")


BOUND_SETS = (
    ("lags", ["zlast", "zmean3", "zmean10"]),
    ("every covariate known at the origin",
     ["zlast", "zmean3", "zmean10", "gap_max10", "d01", "lout", "dout", "lin", "lfat", "dfat"]),
    ("+ the origin's ACTUAL outflow change to the target year", ["zlast", "zmean3", "zmean10",
                                                                  "fut_dout"]),
    ("+ the host's ACTUAL inflow change too", ["zlast", "zmean3", "zmean10", "fut_dout",
                                               "fut_din"]),
)


def bound() -> None:
    """An upper bound on what a pooled median regression can gain over persistence: fitted
    IN SAMPLE on the scored rows (2010-2025) themselves, so no out-of-sample model of the
    same covariates can be expected to do better. The last two rows add what nobody knows
    at the origin (the realised outflow of the origin and inflow of the host in the target
    year), to show where the signal is."""
    import warnings

    import statsmodels.api as sm

    full = hm.make_panel(datasets.load_dyads())
    sets = _sets(full)
    y0 = int(full.years[0])
    rows = []
    for c in [y - 1 for y in YEARS]:
        j = c - y0
        F = hm.features_at(full, j)
        for h in (1, 2):
            if c + h > full.last_year:
                continue
            tgt = full.arr[:, j + h]
            for st, idx in sets.items():
                ok = (np.isfinite(tgt[idx]) & np.isfinite(F["zlast"].to_numpy()[idx])
                      & np.isfinite(F["zmean3"].to_numpy()[idx]))
                i = idx[ok]
                G = F.iloc[i].assign(y=np.log1p(tgt[i]), set=st)
                G["fut_dout"] = hm._l(full.out[i, j + h]) - G["lout"]
                G["fut_din"] = hm._l(full.inn[i, j + h]) - G["lin"]
                rows.append(G)
    A = pd.concat(rows, ignore_index=True)
    print("In-sample median regression (statsmodels QuantReg, q=0.5) on the scored rows, "
          "forecast years 2010-2025, h=1 and 2 pooled; mean |log1p error| vs persistence on "
          "the same rows (complete cases):")
    for st in ("a", "b"):
        for name, cols in BOUND_SETS:
            g = A.loc[A["set"] == st, list(dict.fromkeys([*cols, "zlast", "y"]))].dropna()
            X = sm.add_constant(g[cols].to_numpy(dtype=float), has_constant="add")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = sm.QuantReg(g["y"].to_numpy(), X).fit(q=0.5, max_iter=3000)
            e = float(np.mean(np.abs(r.predict(X) - g["y"])))
            pe = float(np.mean(np.abs(g["zlast"] - g["y"])))
            print(f"  ({st}) n={len(g):5d}  {name:58s} {e:.3f} vs {pe:.3f}: "
                  f"{100 * (1 - e / pe):+.1f}%")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--present", action="store_true")
    ap.add_argument("--bound", action="store_true")
    ap.add_argument("--variants", action="store_true")
    ap.add_argument("--glm", action="store_true",
                    help="the table with the NB GLM member of the combination (off by default)")
    ap.add_argument("--pick", default=None,
                    help="with --variants: comma-separated parts of variant names to run")
    ap.add_argument("--idmc", default=None, metavar="PATH",
                    help="with --variants: IDMC displacement file (experiment, not shipped)")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    a = ap.parse_args(argv)
    if a.tune:
        tune(a.workers)
    elif a.speed:
        speed()
    elif a.present:
        present()
    elif a.bound:
        bound()
    elif a.variants:
        variants(a.workers, a.pick, a.idmc)
    else:
        run(a.workers, a.glm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
