"""Export: every result as CSV (tidy or Russian-Excel), the brief (PDF, HTML), the workbook,
the scenario and plan as JSON, a ZIP with provenance, and the chart as PNG.

Every download button serves bytes made before the click (cached per spec, data and
language) and has ``on_click="ignore"``: a click never reruns the page, so clicking
several buttons in a row loses none.
"""

import dataclasses
import datetime as dt

import streamlit as st

from app_pages import charts, labels, services
from app_pages.controls import spec_from_state
from app_pages.text import _, bound, draw, keep, language, localized, t
from forecast import export
from forecast.csv_dialect import DIALECTS
from planner import bundle

s = st.session_state
spec = spec_from_state(s)
sc = spec.scenario
sid, tok = s["series_id"], services.data_token()
data = services.plan_data(sid)
fc, paths = services.forecast(spec, tok, data)
lang = language()
names = bundle.file_names(spec, lang)
st.title(_("Export"))
st.caption(_("Scenario: {words}. Series: {series}; random seed {seed}.").format(
    words=labels.scenario_words(sc).rstrip("."), series=labels.series_name(sid), seed=s["seed"]))
st.markdown(_("**The plan file** holds everything that shapes these results (scenario, forecast "
              "and capacity settings, area share and planning multiplier included): "
              "`{command}` reproduces them on the command line.").format(
                  command="planner plan plan.json"))
st.caption(_("Files keep their codes (column names, JSON keys, ISO3 codes) in every language, "
             "so scripts and colleagues read them the same way."))


def N_(message: str) -> str:  # marks a message for the catalogue; translated where shown
    return message


DIALECT_LABELS = {"tidy": N_("Tidy (comma, decimal point) for analysts"),
                  "excel-ru": N_("Russian Excel (semicolon, decimal comma, UTF-8 with BOM)")}
dialect = st.radio(_("CSV format"), list(DIALECTS), key="export_dialect", horizontal=True,
                   format_func=bound(lambda d: _(DIALECT_LABELS[d])))
keep("export_dialect")


def _download(col, label: str, data, name: str, mime: str, key: str) -> None:
    col.download_button(label, data, name, mime, key=key, on_click="ignore")


@st.cache_data(show_spinner=False, max_entries=64)
def _csv(kind: str, spec, token: str, dialect: str, _frame) -> bytes:
    """CSV bytes of one frame, made once per spec, data and dialect."""
    return export.csv_bytes(_frame, dialect)


c1, c2, c3 = st.columns(3)
_download(c1, _("Forecast quantiles (CSV)"),
          _csv("forecast", spec, tok, dialect, bundle.forecast_frames(fc, paths, None)["forecast"]),
          names["forecast"], "text/csv", "dl_forecast")
_download(c2, _("Sample paths (CSV)"), _csv("paths", spec, tok, dialect, paths),
          names["paths"], "text/csv", "dl_paths")
_download(c3, _("Scenario (JSON)"), sc.to_json(), names["scenario"], "application/json",
          "dl_scenario")
_download(c3, _("Plan (JSON, for `planner plan`)"), spec.to_json(), names["plan"],
          "application/json", "dl_plan")
hp = None
if not data.user_arrivals:
    hp = services.host_paths(spec, tok, data)
    _download(c1, _("Host arrivals paths (CSV)"), _csv("hosts", spec, tok, dialect, hp),
              names["hosts"], "text/csv", "dl_hosts")

cap = s.get("last_capacity")
today = dt.date.today()
frames, docs, fkey = bundle.forecast_frames(fc, paths, hp), {}, "none"
if cap and cap["spec"] == spec:
    mc, adv, sched = cap["result"], cap["advice"], cap["schedule"]
    cap_data = dataclasses.replace(data, facilities=cap["facilities"], plans=cap.get("plans"))
    fkey = services.facilities_key(cap_data)
    frames = bundle.summary_frames(services.plan_result(spec, tok, cap_data, mc, adv, sched))
    for col, key, label in ((c2, "capacity", _("Capacity quantiles (CSV)")),
                            (c3, "p_shortfall", _("Risk of a shortfall by month (CSV)")),
                            (c1, "advice", _("Capacity advice (CSV)")),
                            (c2, "schedule", _("Order schedule by month (CSV)"))):
        _download(col, label, _csv(f"{key}-{fkey}", spec, tok, dialect, frames[key]),
                  names[key], "text/csv", f"dl_{key}")
    docs = services.result_files(spec, tok, lang, today, cap_data, mc, adv, sched)
    st.subheader(_("The decision brief and the workbook"))
    d1, d2, d3 = st.columns(3)
    _download(d1, _("Decision brief (PDF)"), docs["pdf"], names["pdf"], "application/pdf",
              "dl_brief_pdf")
    _download(d2, _("Decision brief (HTML, printable)"), docs["html"], names["html"],
              "text/html", "dl_brief_html")
    _download(d3, _("Workbook (Excel)"), docs["xlsx"], names["xlsx"],
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "dl_workbook")
elif cap:
    st.info(_("The sidebar changed since the Capacity page ran: open the Capacity page again "
              "to add its results, the brief and the workbook to the exports."))
else:
    st.info(_("Open the Capacity page once to add its results, the brief and the workbook "
              "to the exports."))

st.subheader(_("Everything, with provenance"))
fitted = services.fitted(sid, int(s["seed"]), tok, data)
prov = export.provenance(fitted, sc, horizon=int(s["horizon"]), n_paths=int(s["n_paths"]),
                         plan=spec.to_dict())
zipped = services.bundle_zip(spec, tok, dialect, lang, today, fkey, prov, frames, docs)
_download(st, _("Download everything (ZIP: CSV + JSON sidecars, brief, workbook, plan)"),
          zipped, names["zip"], "application/zip", "dl_zip")

st.subheader(_("Chart as PNG"))
band = services.paths_quantiles(paths[paths["model"] == s["model"]], ["ds"])
chart = localized(charts.fan_chart(band, None, _("{series}: {model} forecast, {scenario}").format(
    series=labels.series_name(sid), model=labels.model_title(s["model"]),
    scenario=labels.preset_title(sc.name) if sc.name in labels.preset_names() else sc.name),
    tr=t()))
draw(chart)
_download(st, _("Forecast chart (PNG)"), services.chart_png(chart), f"forecast_{sid}.png",
          "image/png", "dl_png")
