"""Scenario & forecast: fan charts of movement and of host arrivals under the sidebar scenario."""

import pandas as pd
import streamlit as st

from app_pages import charts, services
from app_pages.controls import host_label, spec_from_state
from app_pages.text import _
from forecast.models import MODEL_TITLES
from forecast.vocabulary import CENTRAL_ASIA, HOSTS

s = st.session_state
spec = spec_from_state(s)
sc = spec.scenario
st.title("Scenario & forecast")
st.caption(f"Scenario: {sc.description}")

sid, tok = s["series_id"], services.data_token()
data = services.plan_data(sid)
fc, paths = services.forecast(spec, tok, data)
history = data.history
hist = history[history["series_id"] == sid]
hist = hist[hist["ds"] >= hist["ds"].max() - services.pd.DateOffset(years=6)]

model = s["model"]
st.subheader(f"{sid}: {MODEL_TITLES[model]}")
one = fc[fc["model"] == model]
band_src = services.paths_quantiles(paths[paths["model"] == model], ["ds"])
words = charts.labels(_)
st.altair_chart(charts.fan_chart(band_src, hist, _("Movement forecast"), words.persons_per_month,
                                 words), width="stretch")

if not data.user_arrivals:
    hp = services.host_paths(spec, tok, data)
    hq = services.paths_quantiles(hp, ["series_id", "ds"])
    st.subheader("Arrivals by host country")
    missing = [h for h in HOSTS if h not in set(hp["series_id"])]
    if spec.forecast.host_method == "dyadic":
        end = hp.attrs.get("data_end_year")
        st.caption(f"Pooled host model, learned from UNHCR flows of every origin and host "
                   f"since 1990; UNHCR data end in {end}, so the forecast starts in January "
                   f"{end + 1 if end else ''} (today is {pd.Timestamp.today():%d %B %Y}). "
                   + (f"Surge analogue: **{sc.analogue}**. " if sc.analogue else "")
                   + " ".join(hp.attrs.get("notes", [])))
    if missing:
        st.info("No share of the outflow could be estimated for "
                f"{', '.join(host_label(h) for h in missing)}: UNHCR reports too few years of "
                "arrivals there. Choose that host and set its share in the sidebar "
                "(Borders and destination) to include it.")
    hosts = st.multiselect("Hosts", sorted(hq["series_id"].unique()),
                           default=[h for h in CENTRAL_ASIA if h in set(hq["series_id"])],
                           format_func=host_label, key="fc_hosts")
    past = services.host_history(sid, tok, data)
    past = past[past["ds"] >= past["ds"].max() - services.pd.DateOffset(years=4)]
    cols = st.columns(2)
    for i, h in enumerate(hosts):
        with cols[i % 2]:
            st.altair_chart(charts.fan_chart(hq[hq["series_id"] == h], past[past["series_id"] == h],
                                             _("{host}: arrivals per month").format(host=host_label(h)),
                                             words.persons_per_month, words),
                            width="stretch")
    st.caption("Black: past monthly arrivals, UNHCR's annual figure spread over the months in "
               "proportion to the movement series (annual sums equal UNHCR's); years UNHCR did "
               "not report are gaps.")
    totals = (hp.groupby(["series_id", "path"])["value"].sum().groupby("series_id")
              .quantile([0.1, 0.5, 0.9]).unstack().round(0))
    totals.columns = ["P10", "median", "P90"]
    n_months = hp["ds"].nunique()
    st.markdown(f"**Total arrivals over {n_months} months** "
                f"({pd.Timestamp(hp['ds'].min()):%Y-%m} to {pd.Timestamp(hp['ds'].max()):%Y-%m}; "
                "persons)")
    st.dataframe(totals.rename(index=host_label), width="stretch")

st.subheader("How good is this model? (rolling-origin backtest)")
skill = services.backtest_skill()
if skill is None:
    st.info("No backtest table is bundled; run `forecast backtest --out forecast/data/backtest_skill.csv`.")
else:
    pooled = services.pooled_skill(skill, horizons=range(1, 7))
    st.dataframe(pooled.style.format(precision=3).apply(
        lambda r: ["font-weight: bold" if r.name == model else "" for _ in r], axis=1),
        width="stretch")
    st.caption("Frontex series, 36 rolling origins (2021-05 to 2024-04), horizons 1-6 pooled. "
               "MAE and CRPS in persons per month (lower is better); rel_mae and rel_crps are "
               "relative to seasonal naive (below 1 = better than it); cov50/80/90 are the shares "
               "of held-out months inside the 50/80/90% intervals. Crisis onsets (2015) are not "
               "predicted by any model: see docs/model_card.md.")

with st.expander("Save this scenario for comparison"):
    name = st.text_input("Name", value=sc.name if sc.name != "custom" else "my scenario",
                         key="save_name")
    if st.button("Save scenario", key="save_button"):
        saved = s.setdefault("saved_scenarios", {})
        saved[name] = sc.with_name(name)
        st.success(f"Saved '{name}'. Open the Compare page to see it beside others.")
