"""Export: forecasts, paths, capacity results as CSV, the scenario as JSON, charts as PNG."""

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from app_pages import charts, labels, services
from app_pages.controls import spec_from_state
from app_pages.text import _, localized, t
from forecast import export

s = st.session_state
spec = spec_from_state(s)
sc = spec.scenario
sid, tok = s["series_id"], services.data_token()
data = services.plan_data(sid)
fc, paths = services.forecast(spec, tok, data)
st.title(_("Export"))
st.caption(_("Scenario: {words}. Series: {series}; random seed {seed}.").format(
    words=labels.scenario_words(sc).rstrip("."), series=labels.series_name(sid), seed=s["seed"]))
st.markdown(_("**The plan file** holds everything that shapes these results (scenario, forecast "
              "and capacity settings, area share and planning multiplier included): "
              "`{command}` reproduces them on the command line.").format(
                  command="planner plan plan.json"))
st.caption(_("Files keep their codes (column names, JSON keys, ISO3 codes) in every language, "
             "so scripts and colleagues read them the same way."))


def _csv(frame) -> bytes:
    safe = export.neutralise_formulas(frame)
    return safe.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n",
                       quoting=export.csv_quoting(safe)).encode()


c1, c2, c3 = st.columns(3)
c1.download_button(_("Forecast quantiles (CSV)"), _csv(fc), f"forecast_{sid}_{sc.name}.csv",
                   "text/csv", key="dl_forecast")
c2.download_button(_("Sample paths (CSV)"), _csv(paths), f"paths_{sid}_{sc.name}.csv", "text/csv",
                   key="dl_paths")
c3.download_button(_("Scenario (JSON)"), sc.to_json(), f"scenario_{sc.name}.json",
                   "application/json", key="dl_scenario")
c3.download_button(_("Plan (JSON, for `planner plan`)"), spec.to_json(), f"plan_{sc.name}.json",
                   "application/json", key="dl_plan")
hp = None
if not data.user_arrivals:
    hp = services.host_paths(spec, tok, data)
    c1.download_button(_("Host arrivals paths (CSV)"), _csv(hp), f"host_arrivals_{sc.name}.csv",
                       "text/csv", key="dl_hosts")

cap = s.get("last_capacity")
if cap:
    c2.download_button(_("Capacity quantiles (CSV)"), _csv(cap["result"].quantiles),
                       "capacity_quantiles.csv", "text/csv", key="dl_capacity")
    c3.download_button(_("Risk of a shortfall by month (CSV)"), _csv(cap["result"].p_shortfall),
                       "p_shortfall.csv", "text/csv", key="dl_pshort")
    c1.download_button(_("Capacity advice (CSV)"), _csv(cap["advice"]), "capacity_advice.csv",
                       "text/csv", key="dl_advice")
else:
    st.info(_("Open the Capacity page once to add its results to the exports."))

st.subheader(_("Everything, with provenance"))
fitted = services.fitted(sid, int(s["seed"]), tok, data)
prov = export.provenance(fitted, sc, horizon=int(s["horizon"]), n_paths=int(s["n_paths"]),
                         plan=spec.to_dict())
buf = io.BytesIO()
with tempfile.TemporaryDirectory() as d, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for name, frame in (("forecast.csv", fc), ("paths.csv", paths)):
        p = export.write_csv(frame, Path(d) / name, prov)
        z.write(p, name)
        z.write(p.with_name(name + ".json"), name + ".json")
    z.writestr("scenario.json", sc.to_json())
    z.writestr("plan.json", spec.to_json())
st.download_button(_("Download bundle (ZIP: CSV + JSON sidecars)"), buf.getvalue(),
                   f"planner_{sid}_{sc.name}.zip", "application/zip", key="dl_zip")

st.subheader(_("Chart as PNG"))
band = services.paths_quantiles(paths[paths["model"] == s["model"]], ["ds"])
chart = localized(charts.fan_chart(band, None, _("{series}: {model} forecast, {scenario}").format(
    series=labels.series_name(sid), model=labels.model_title(s["model"]),
    scenario=labels.preset_title(sc.name) if sc.name in labels.preset_names() else sc.name),
    tr=t()))
st.altair_chart(chart, width="stretch")
st.download_button(_("Forecast chart (PNG)"), services.chart_png(chart), f"forecast_{sid}.png",
                   "image/png", key="dl_png")
