"""Scenario & forecast: fan charts of movement and of host arrivals under the sidebar scenario."""

import dataclasses

import pandas as pd
import streamlit as st

from app_pages import charts, labels, services
from app_pages.controls import host_label, spec_from_state
from app_pages.freshness import show_data_ends
from app_pages.text import _, bound, draw, keep, t
from forecast.errors import ForecastError
from forecast.vocabulary import CENTRAL_ASIA, DEFAULT_SERIES, HOSTS

s = st.session_state
spec = spec_from_state(s)
sc = spec.scenario
st.title(_("Scenario & forecast"))
st.caption(_("Scenario: {words}").format(words=labels.scenario_words(sc)))

sid, tok = s["series_id"], services.data_token()
data = services.plan_data(sid)
show_data_ends(data, sid)
fc, paths = services.forecast(spec, tok, data)
history = data.history
hist = history[history["series_id"] == sid]
hist = hist[hist["ds"] >= hist["ds"].max() - services.pd.DateOffset(years=6)]

model = s["model"]
for line in services.fitted(sid, spec.forecast.seed, tok, data).stale_drivers():
    st.warning(line)
st.subheader(_("{series}: {model}").format(series=labels.series_name(sid),
                                           model=labels.model_title(model)))
one = fc[fc["model"] == model]
band_src = services.paths_quantiles(paths[paths["model"] == model], ["ds"])
title = (_("Arrivals forecast: your series (persons per month)") if data.user_arrivals
         else _("Movement forecast (persons per month)"))
draw(charts.fan_chart(band_src, hist, title, tr=t()))

if not data.user_arrivals:
    hp = services.host_paths(spec, tok, data)
    hq = services.paths_quantiles(hp, ["series_id", "ds"])
    st.subheader(_("Arrivals by host country"))
    drawn = set(hp["series_id"].unique())  # once: the paths frame has ~10^5 rows
    missing = [h for h in HOSTS if h not in drawn]
    if spec.forecast.host_method == "dyadic":
        end = hp.attrs.get("data_end_year")
        today = t().date(pd.Timestamp.today().date())
        text = (_("Pooled host model, learned from UNHCR flows of every origin and host since "
                  "1990; UNHCR data end in {end}, so the forecast starts in January {start} "
                  "(today is {today}).").format(end=end, start=end + 1 if end else "", today=today)
                if end else _("Pooled host model, learned from UNHCR flows of every origin and "
                              "host since 1990."))
        if sc.analogue:
            text += " " + _("Surge analogue: **{name}**.").format(name=labels.surge_name(sc.analogue))
        notes = [labels.host_note(n) for n in hp.attrs.get("notes", [])]
        st.caption(" ".join([text, *notes]))
    if missing:
        st.info(_("No share of the outflow could be estimated for {hosts}: UNHCR reports too few "
                  "years of arrivals there. Choose that host and set its share in the sidebar "
                  "(Borders and destination) to include it.").format(
                      hosts=", ".join(host_label(h) for h in missing)))
    hosts = st.multiselect(_("Hosts"), sorted(hq["series_id"].unique()),
                           default=(None if "fc_hosts" in s else
                                    [h for h in CENTRAL_ASIA if h in drawn]),
                           format_func=bound(host_label), key="fc_hosts")
    keep("fc_hosts")
    past = services.host_history(sid, tok, data)
    past = past[past["ds"] >= past["ds"].max() - services.pd.DateOffset(years=4)]
    cols = st.columns(2)
    for i, h in enumerate(hosts):
        with cols[i % 2]:
            draw(charts.fan_chart(
                hq[hq["series_id"] == h], past[past["series_id"] == h],
                _("{host}: arrivals per month").format(host=host_label(h)), tr=t()))
    st.caption(_("Black: past monthly arrivals, UNHCR's annual figure spread over the months in "
                 "proportion to the movement series (annual sums equal UNHCR's); years UNHCR did "
                 "not report are gaps. Shaded: the central 50%, 80%, 90% and 95% intervals of the "
                 "forecast (80-percent interval: 8 paths in 10 fall inside); line: the median."))
    totals = (hp.groupby(["series_id", "path"])["value"].sum().groupby("series_id")
              .quantile([0.1, 0.5, 0.9]).unstack().round(0))
    totals.columns = ["P10", "median", "P90"]
    n_months = hp["ds"].nunique()
    first, last = pd.Timestamp(hp["ds"].min()).date(), pd.Timestamp(hp["ds"].max()).date()
    st.markdown(_("**Total arrivals over {n} months** ({first} to {last}; persons)").format(
        n=n_months, first=t().month(first), last=t().month(last)))
    st.dataframe(labels.table(totals.rename_axis("host"), index="host",
                              kinds={"P10": "number", "median": "number", "P90": "number"},
                              values={"host": host_label}), width="stretch")

st.subheader(_("How good is this model? (rolling-origin backtest)"))
skill = services.backtest_skill()
own = services.user_data()["history"] is not None and sid in set(
    services.user_data()["history"]["series_id"])
SKILL_KINDS = {"mae": "number", "crps": "number", "rel_mae": "decimal", "rel_crps": "decimal",
               "mase": "decimal", "cov50": "percent", "cov80": "percent", "cov90": "percent"}
if sid == DEFAULT_SERIES and not own:
    if skill is None:
        st.info(_("No backtest table is bundled; run `{command}`.").format(
            command="forecast backtest --out forecast/data/backtest_skill.csv"))
    else:
        pooled = services.pooled_skill(skill, horizons=range(1, 7))
        bold = labels.model_title(model)
        st.dataframe(labels.table(pooled.rename_axis("model"), index="model", kinds=SKILL_KINDS,
                                  values={"model": labels.model_title}).apply(
            lambda r: ["font-weight: bold" if r.name == bold else "" for _c in r], axis=1),
            width="stretch")
        st.caption(_("Frontex series, 36 rolling origins (2021-05 to 2024-04), horizons 1-6 "
                     "pooled. MAE and CRPS in persons per month (lower is better); the relative "
                     "columns compare with the seasonal naive forecast (below 1 = better than "
                     "it); the interval columns are the shares of held-out months inside the "
                     "50/80/90% intervals. Crisis onsets (2015) are not predicted by any model: "
                     "see docs/model_card.md."))
else:
    st.info(_("The bundled skill table is for the Frontex series only: no backtest has been "
              "run for {sid} yet. A quick one scores the fast baselines (naive, seasonal "
              "naive, drift) over the last {n} months; the fitted models above are not in "
              "it.").format(sid=sid, n=services.QUICK_BACKTEST["n_origins"]))
    if st.button(_("Run a quick backtest of {sid}").format(sid=sid), key="quick_backtest") \
            or services.quick_backtest_done(sid, tok):
        try:
            own_skill = services.quick_backtest(sid, tok, data)
        except ForecastError as exc:
            st.error(_("No backtest: {message}").format(message=str(exc).splitlines()[0]))
        else:
            st.dataframe(labels.table(own_skill.rename_axis("model"), index="model",
                                      kinds=SKILL_KINDS, values={"model": labels.model_title}),
                         width="stretch")
            st.caption(_("{sid}: {n} rolling origins, horizons 1-6 pooled; MAE and CRPS in "
                         "persons per month (lower is better), rel_* relative to seasonal "
                         "naive, cov* the shares of held-out months inside the intervals.")
                       .format(sid=sid, n=services.QUICK_BACKTEST["n_origins"]))

with st.expander(_("Save this scenario for comparison")):
    name = st.text_input(_("Name"), value=sc.name if sc.name != "custom" else _("my scenario"),
                         key="save_name")
    if st.button(_("Save scenario"), key="save_button"):
        saved = s.setdefault("saved_scenarios", {})
        saved[name] = sc.with_name(name)
        # also into the plan store (survives a restart; shared through the store file),
        # with the forecast's totals and monthly range (the advice is added on Compare)
        from planner.store import StoreError

        named = dataclasses.replace(spec, scenario=sc.with_name(name))
        try:
            results = services.plan_summary(named, tok, data, with_advice=False)
        except ForecastError:
            results = {}
        try:
            services.plan_store().save(name, named, results, data_token=tok)
            st.success(_("Saved '{name}' in the plan store. Open the Compare page to see it "
                         "beside others.").format(name=name))
        except StoreError as e:
            st.error(str(e))
