"""Compare: two or more scenarios side by side (presets and the ones you saved)."""

import dataclasses

import pandas as pd
import streamlit as st

from app_pages import charts, services
from app_pages.controls import host_label, preset_scenario, scenario_from_state, spec_from_state
from app_pages.text import _
from forecast.errors import ScenarioError
from forecast.scenarios import PRESET_TITLES, PRESETS, Scenario

s = st.session_state
st.title("Compare scenarios")
candidates = {PRESET_TITLES[name]: preset_scenario(name, s) for name in PRESETS}
candidates["Current sidebar scenario"] = scenario_from_state(s, name="current")
with st.expander("Load a scenario file (JSON, as written by Export or `forecast scenarios write`)"):
    up = st.file_uploader("Scenario JSON", type=["json"], key="upload_scenario")
    if up is not None:
        try:
            text = up.getvalue().decode("utf-8")
            loaded = Scenario.from_json(text, source=f"scenario file {up.name}")
        except (ScenarioError, UnicodeDecodeError) as e:
            st.error(f"Refused: {e}")
        else:
            s.setdefault("saved_scenarios", {})[f"{loaded.name} ({up.name})"] = loaded
            st.success(f"Loaded '{loaded.name}': {loaded.description}")
candidates.update(s.get("saved_scenarios", {}))
chosen = st.multiselect("Scenarios", list(candidates),
                        default=["Baseline (drivers persist)", "Conflict escalation (fatalities x3 for 6 months)",
                                 "Current sidebar scenario"], key="compare_choice")
if len(chosen) < 2:
    st.info("Pick two or more scenarios.")
    st.stop()

sid, tok = s["series_id"], services.data_token()
data = services.plan_data(sid)
base = spec_from_state(s)
rows, totals = [], []
for label in chosen:
    sc = candidates[label]
    spec = dataclasses.replace(base, scenario=sc)
    if data.user_arrivals:
        _, paths = services.forecast(spec, tok, data)
        paths = paths[paths["model"] == s["model"]]
    else:
        hp = services.host_paths(spec, tok, data)
        paths = hp[hp["series_id"] == s["host"]]
    med = paths.groupby("ds")["value"].median().rename("value").reset_index()
    rows.append(med.assign(scenario=label))
    tot = paths.groupby("path")["value"].sum()
    totals.append({"scenario": label, "description": sc.description,
                   "total P10": round(tot.quantile(0.1)), "total median": round(tot.quantile(0.5)),
                   "total P90": round(tot.quantile(0.9))})
where = sid if data.user_arrivals else host_label(s["host"])
words = charts.labels(_)
st.altair_chart(charts.compare_chart(pd.concat(rows, ignore_index=True),
                                     f"Median monthly arrivals: {where}", words.persons_per_month,
                                     words), width="stretch")
st.markdown(f"**Total arrivals over {s['horizon']} months** (persons)")
st.dataframe(pd.DataFrame(totals), hide_index=True, width="stretch")
