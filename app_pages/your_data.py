"""Your data: upload a monthly series, drivers or facilities and use them everywhere."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

import abm
from app_pages import labels, services
from app_pages.text import _, keep, t
from app_pages.controls import PENDING_SERIES
from forecast.errors import SchemaError
from forecast.schema import read_table

MAX_BYTES = 5 * 1024 * 1024  # also set as server.maxUploadSize in .streamlit/config.toml

st.title(_("Your data"))
st.markdown(_(
    "Upload your own CSV (UTF-8, comma-separated, one header row). It is checked against the "
    "same schema as the bundled data; a file with a problem is refused with a message naming "
    "the column and the first bad lines, and nothing you loaded before is lost. Column names "
    "stay in English in every language."))
u = services.user_data()


def _checked(upload, reader):
    """Run ``reader(path)`` on a copy of the upload; show the error and return None if bad."""
    if upload.size > MAX_BYTES:
        st.error(_("{name}: {size} MB is over the 5 MB limit.").format(
            name=upload.name, size=t().number(upload.size / 1e6, 1)))
        return None
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "upload.csv"  # never a path built from the client's file name
        path.write_bytes(upload.getvalue())
        try:
            return reader(path)
        except (SchemaError, abm.ABMError) as e:
            st.error(_("Refused: {error}").format(error=e).replace(str(path), upload.name))
            return None


def _ingest(what: str, upload, reader, message) -> None:
    """Check a new upload once; keep it and rerun so the sidebar and every page see it.

    A refused file leaves what was loaded before untouched."""
    if upload is None:
        return
    seen = u.setdefault("seen", {})
    if seen.get(what) == upload.file_id:
        st.success(u.get(f"{what}_message", ""))
        return
    df = _checked(upload, reader)
    if df is None:
        return
    seen[what] = upload.file_id
    u[what] = df
    u[f"{what}_message"] = message(df)
    if what == "history":  # choose the new series for the user (the sidebar applies it)
        st.session_state[PENDING_SERIES] = str(df["series_id"].iloc[0])
    st.rerun()


st.subheader(_("Monthly series"))
st.caption(_("Columns: `series_id` (text), `ds` (month, YYYY-MM-01), `y` (persons in the month; "
             "leave empty where not reported). One row per series and month, no gaps."))
KINDS = {"movement": _("movement out of Afghanistan (shares to hosts are estimated)"),
         "arrivals": _("arrivals into my host area (used directly by the capacity page)")}
kind = st.radio(_("The series is"), list(KINDS), horizontal=True, key="user_kind",
                format_func=KINDS.get)
keep("user_kind")
u["kind"] = kind
_ingest("history", st.file_uploader(_("Monthly series CSV"), type=["csv"], key="upload_history"),
        lambda p: read_table(p, "history"),
        lambda df: _("Loaded {n} rows, series {ids}; {first} is now chosen in the sidebar.").format(
            n=t().number(len(df)), ids=", ".join(sorted(df["series_id"].unique())),
            first=df["series_id"].iloc[0]))

st.subheader(_("Drivers"))
st.caption(_("Columns: `ds` plus any of `fatalities`, `spi3`, `spi12`, `precip_anom_mm`, "
             "`temp_c`, `nino34_anom_c`, `wheat_price_index`. Replaces the bundled drivers."))
_ingest("drivers", st.file_uploader(_("Drivers CSV"), type=["csv"], key="upload_drivers"),
        lambda p: read_table(p, "drivers"),
        lambda df: _("Loaded drivers: {n} months, columns {columns}.").format(
            n=t().number(len(df)), columns=", ".join(df.columns[1:])))

st.subheader(_("Facilities"))
st.caption(_("Columns: `facility_id`, `facility_type` (`shelter`, `school`, `clinic`), "
             "`quantity`, `quantity_unit`; optional `name`, `opens`, `lead_time_days`, `source`. "
             "Replaces the Kazakhstan preset."))
_ingest("facilities", st.file_uploader(_("Facilities CSV"), type=["csv"], key="upload_facilities"),
        abm.read_facilities, lambda df: _("Loaded {n} facilities.").format(n=t().number(len(df))))

st.subheader(_("In use now"))
st.markdown(_("Series chosen in the sidebar: **{series}**").format(
    series=labels.series_name(st.session_state.get("series_id", ""))))
WHAT = {"history": _("Monthly series"), "drivers": _("Drivers"), "facilities": _("Facilities")}
st.dataframe(labels.table(pd.DataFrame(
    {"what": list(WHAT.values()),
     "in_use": [_("bundled") if u[k] is None else
                _("yours ({n} rows)").format(n=t().number(len(u[k]))) for k in WHAT]})),
    hide_index=True)
if st.button(_("Forget my uploads"), key="forget_uploads"):
    u.update({"history": None, "drivers": None, "facilities": None, "kind": "movement", "seen": {}})
    st.rerun()
