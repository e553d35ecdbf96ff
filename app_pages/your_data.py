"""Your data: upload a monthly series, drivers or facilities and use them everywhere."""

import tempfile
from pathlib import Path

import streamlit as st

import abm
from app_pages import services
from app_pages.controls import PENDING_SERIES
from forecast.errors import SchemaError
from forecast.schema import read_table

MAX_BYTES = 5 * 1024 * 1024  # also set as server.maxUploadSize in .streamlit/config.toml

st.title("Your data")
st.markdown(
    "Upload your own CSV (UTF-8, comma-separated, one header row). It is checked against the "
    "same schema as the bundled data; a file with a problem is refused with a message naming "
    "the column and the first bad lines, and nothing you loaded before is lost.")
u = services.user_data()


def _checked(upload, reader):
    """Run ``reader(path)`` on a copy of the upload; show the error and return None if bad."""
    if upload.size > MAX_BYTES:
        st.error(f"{upload.name}: {upload.size / 1e6:.1f} MB is over the 5 MB limit.")
        return None
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "upload.csv"  # never a path built from the client's file name
        path.write_bytes(upload.getvalue())
        try:
            return reader(path)
        except (SchemaError, abm.ABMError) as e:
            st.error(f"Refused: {e}".replace(str(path), upload.name))
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


st.subheader("Monthly series")
st.caption("Columns: `series_id` (text), `ds` (month, YYYY-MM-01), `y` (persons in the month; "
           "leave empty where not reported). One row per series and month, no gaps.")
kind = st.radio("The series is", ["movement", "arrivals"], horizontal=True, key="user_kind",
                format_func=lambda k: {"movement": "movement out of Afghanistan (shares to hosts "
                                       "are estimated)", "arrivals": "arrivals into my host area "
                                       "(used directly by the capacity page)"}[k])
u["kind"] = kind
_ingest("history", st.file_uploader("Monthly series CSV", type=["csv"], key="upload_history"),
        lambda p: read_table(p, "history"),
        lambda df: f"Loaded {len(df)} rows, series {', '.join(sorted(df['series_id'].unique()))}; "
                   f"{df['series_id'].iloc[0]} is now chosen in the sidebar.")

st.subheader("Drivers")
st.caption("Columns: `ds` plus any of fatalities, spi3, spi12, precip_anom_mm, temp_c, "
           "nino34_anom_c, wheat_price_index. Replaces the bundled drivers.")
_ingest("drivers", st.file_uploader("Drivers CSV", type=["csv"], key="upload_drivers"),
        lambda p: read_table(p, "drivers"),
        lambda df: f"Loaded drivers: {len(df)} months, columns {', '.join(df.columns[1:])}.")

st.subheader("Facilities")
st.caption("Columns: facility_id, facility_type (shelter, school, clinic), quantity, quantity_unit; "
           "optional name, opens, lead_time_days, source. Replaces the Kazakhstan preset.")
_ingest("facilities", st.file_uploader("Facilities CSV", type=["csv"], key="upload_facilities"),
        abm.read_facilities, lambda df: f"Loaded {len(df)} facilities.")

st.subheader("In use now")
st.markdown(f"Series chosen in the sidebar: **{st.session_state.get('series_id', '')}**")
st.write({k: ("bundled" if u[k] is None else f"yours ({len(u[k])} rows)")
          for k in ("history", "drivers", "facilities")})
if st.button("Forget my uploads", key="forget_uploads"):
    u.update({"history": None, "drivers": None, "facilities": None, "kind": "movement", "seen": {}})
    st.rerun()
