"""Compare: two or more scenarios side by side (presets and the ones you saved)."""

import dataclasses

import pandas as pd
import streamlit as st

from app_pages import charts, labels, services
from app_pages.controls import host_label, preset_scenario, scenario_from_state, spec_from_state
from app_pages.text import _, bound, keep, localized, t
from forecast.errors import ScenarioError
from forecast.scenarios import PRESETS, Scenario

s = st.session_state
st.title(_("Compare scenarios"))
# choice key -> scenario; keys are stable codes (preset names, "current", saved names), shown
# through labels so a change of language keeps the choice
candidates = {name: preset_scenario(name, s) for name in PRESETS}
CURRENT = "_current"
candidates[CURRENT] = scenario_from_state(s, name="current")


def _label(key: str) -> str:
    if key == CURRENT:
        return _("Current sidebar scenario")
    return labels.preset_title(key) if key in PRESETS else key


with st.expander(_("Load a scenario file (JSON, as written by Export or `forecast scenarios "
                   "write`)")):
    up = st.file_uploader(_("Scenario JSON"), type=["json"], key="upload_scenario")
    if up is not None:
        try:
            text = up.getvalue().decode("utf-8")
            loaded = Scenario.from_json(text, source=_("scenario file {name}").format(name=up.name))
        except (ScenarioError, UnicodeDecodeError) as e:
            st.error(_("Refused: {error}").format(error=e))
        else:
            s.setdefault("saved_scenarios", {})[f"{loaded.name} ({up.name})"] = loaded
            st.success(_("Loaded '{name}': {words}").format(name=loaded.name,
                                                            words=labels.scenario_words(loaded)))
candidates.update(s.get("saved_scenarios", {}))
chosen = st.multiselect(_("Scenarios"), list(candidates),
                        default=(None if "compare_choice" in s else
                                 ["baseline", "conflict_escalation", CURRENT]),
                        key="compare_choice", format_func=bound(_label))
keep("compare_choice")
if len(chosen) < 2:
    st.info(_("Pick two or more scenarios."))
    st.stop()

sid, tok = s["series_id"], services.data_token()
data = services.plan_data(sid)
base = spec_from_state(s)
rows, totals = [], []
for key in chosen:
    sc = candidates[key]
    spec = dataclasses.replace(base, scenario=sc)
    if data.user_arrivals:
        _fc, paths = services.forecast(spec, tok, data)
        paths = paths[paths["model"] == s["model"]]
    else:
        hp = services.host_paths(spec, tok, data)
        paths = hp[hp["series_id"] == s["host"]]
    med = paths.groupby("ds")["value"].median().rename("value").reset_index()
    rows.append(med.assign(scenario=_label(key)))
    tot = paths.groupby("path")["value"].sum()
    totals.append({"scenario": _label(key), "description": labels.scenario_words(sc),
                   "total P10": round(tot.quantile(0.1)), "total median": round(tot.quantile(0.5)),
                   "total P90": round(tot.quantile(0.9))})
where = labels.series_name(sid) if data.user_arrivals else host_label(s["host"])
st.altair_chart(localized(charts.compare_chart(
    pd.concat(rows, ignore_index=True), _("Median monthly arrivals: {where}").format(where=where),
    tr=t())), width="stretch")
st.markdown(_("**Total arrivals over {n} months** (persons)").format(n=s["horizon"]))
st.dataframe(labels.table(pd.DataFrame(totals),
                          kinds={"total P10": "number", "total median": "number",
                                 "total P90": "number"}),
             hide_index=True, width="stretch")
