"""Your data: upload a monthly series, drivers or facilities and use them everywhere."""

import tempfile
from pathlib import Path

import streamlit as st

import abm
from app_pages import services
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
        path = Path(d) / upload.name
        path.write_bytes(upload.getvalue())
        try:
            return reader(path)
        except (SchemaError, abm.ABMError) as e:
            st.error(f"Refused: {e}".replace(str(path), upload.name))
            return None


st.subheader("Monthly series")
st.caption("Columns: `series_id` (text), `ds` (month, YYYY-MM-01), `y` (persons in the month; "
           "leave empty where not reported). One row per series and month, no gaps.")
kind = st.radio("The series is", ["movement", "arrivals"], horizontal=True, key="user_kind",
                format_func=lambda k: {"movement": "movement out of Afghanistan (shares to hosts "
                                       "are estimated)", "arrivals": "arrivals into my host area "
                                       "(used directly by the capacity page)"}[k])
up = st.file_uploader("Monthly series CSV", type=["csv"], key="upload_history")
if up is not None:
    df = _checked(up, lambda p: read_table(p, "history"))
    if df is not None:
        u["history"], u["kind"] = df, kind
        ids = sorted(df["series_id"].unique())
        st.success(f"Loaded {len(df)} rows, series {', '.join(ids)}: pick it in the sidebar.")

st.subheader("Drivers")
st.caption("Columns: `ds` plus any of fatalities, spi3, spi12, precip_anom_mm, temp_c, "
           "nino34_anom_c, wheat_price_index. Replaces the bundled drivers.")
up = st.file_uploader("Drivers CSV", type=["csv"], key="upload_drivers")
if up is not None:
    df = _checked(up, lambda p: read_table(p, "drivers"))
    if df is not None:
        u["drivers"] = df
        st.success(f"Loaded drivers: {len(df)} months, columns {', '.join(df.columns[1:])}.")

st.subheader("Facilities")
st.caption("Columns: facility_id, facility_type (shelter, school, clinic), quantity, quantity_unit; "
           "optional name, opens, lead_time_days, source. Replaces the Kazakhstan preset.")
up = st.file_uploader("Facilities CSV", type=["csv"], key="upload_facilities")
if up is not None:
    df = _checked(up, abm.read_facilities)
    if df is not None:
        u["facilities"] = df
        st.success(f"Loaded {len(df)} facilities.")

st.subheader("In use now")
st.write({k: ("bundled" if u[k] is None else f"yours ({len(u[k])} rows)")
          for k in ("history", "drivers", "facilities")})
if st.button("Forget my uploads", key="forget_uploads"):
    u.update({"history": None, "drivers": None, "facilities": None, "kind": "movement"})
    st.rerun()
