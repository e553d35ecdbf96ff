"""Your data: upload a monthly series, drivers or facilities and use them everywhere.

An upload is read from its bytes (never from a path built from the client's file name),
in either CSV dialect (:func:`forecast.schema.read_upload`: comma or Russian Excel), and
checked for everything the later pages need before it is accepted
(:func:`forecast.api.check_inputs`: schema, bounds, enough months, drivers that cover
the series). A refused file leaves what was loaded before untouched.
"""

import tempfile
from pathlib import Path

import streamlit as st

import abm
from app_pages import charts, labels, services
from app_pages.controls import PENDING_SERIES
from app_pages.text import _, bound, draw, keep, t
from forecast.errors import ForecastError
from forecast.schema import sniff_dialect, upload_text

MAX_BYTES = 5 * 1024 * 1024  # also set as server.maxUploadSize in .streamlit/config.toml

st.title(_("Your data"))
st.markdown(_(
    "Upload your own CSV with one header row: comma-separated with a decimal point, or as "
    "Excel saves it in Russian (semicolon-separated, decimal comma, dates like 01.05.2025). "
    "It is checked against the same schema as the bundled data and for everything the other "
    "pages need; a file with a problem is refused with a message naming the column and the "
    "first bad lines, and nothing you loaded before is lost. Column names stay in English in "
    "every language."))
u = services.user_data()


def _label(upload) -> str:
    """The client's file name for messages only (its last part, at most 80 characters)."""
    client_name = upload.name or ""
    return Path(str(client_name).replace("\\", "/")).name[:80] or "upload.csv"


def _read_history(data: bytes, name: str):
    return services.read_history_upload(data, name, services.active_drivers())


def _read_drivers(data: bytes, name: str):
    sid = st.session_state.get("series_id") or services.series_choices()[0]
    return services.read_drivers_upload(data, name, services.active_history(), sid)


def _read_facilities(data: bytes, name: str):
    text, _dialect = upload_text(data, name)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "upload.csv"  # never a path built from the client's file name
        path.write_text(text, encoding="utf-8")
        try:
            return abm.read_facilities(path), []
        except abm.ABMError as exc:
            raise abm.ABMError(str(exc).replace(str(path), name)) from None


def _checked(upload, reader):
    """``reader(bytes, name)`` on the upload; show the error and return None if refused."""
    name = _label(upload)
    if upload.size > MAX_BYTES:
        st.error(_("{name}: {size} MB is over the 5 MB limit.").format(
            name=name, size=t().number(upload.size / 1e6, 1)))
        return None
    try:
        return reader(upload.getvalue(), name)
    except (ForecastError, abm.ABMError) as exc:
        st.error(_("Refused: {message}").format(message=str(exc).splitlines()[0][:400]))
        return None


def _ingest(what: str, upload, reader, message) -> None:
    """Check a new upload once; keep it and rerun so the sidebar and every page see it.

    A refused file leaves what was loaded before untouched."""
    if upload is None:
        return
    seen = u.setdefault("seen", {})
    if seen.get(what) == upload.file_id:
        st.success(u.get(f"{what}_message", ""))
        for w in u.get(f"{what}_warnings", []):
            st.warning(w)
        return
    got = _checked(upload, reader)
    if got is None:
        return
    df, warnings = got
    seen[what] = upload.file_id
    u[what] = df
    dialect = df.attrs.get("dialect", sniff_dialect(upload.getvalue().decode("utf-8", "replace")))
    u[f"{what}_message"] = message(df) + (
        " " + _("Read as a Russian Excel file (semicolons, decimal commas).")
        if dialect == "excel-ru" else "")
    u[f"{what}_warnings"] = list(warnings)
    if what == "history":  # choose the new series for the user (the sidebar applies it)
        st.session_state[PENDING_SERIES] = str(df["series_id"].iloc[0])
    st.rerun()


def _span(df) -> str:
    return f"{t().date(df['ds'].min())} – {t().date(df['ds'].max())}"


st.subheader(_("Monthly series"))
st.caption(_("Columns: `series_id` (text), `ds` (month, YYYY-MM-01 or 01.MM.YYYY), `y` (persons "
             "in the month; leave empty where not reported). One row per series and month, no "
             "gaps, at least 26 months (two years and two months) for the models."))
kind = st.radio(_("The series is"), ["movement", "arrivals"], horizontal=True, key="user_kind",
                format_func=bound(lambda k: {
                    "movement": _("movement out of Afghanistan (shares to hosts are estimated)"),
                    "arrivals": _("arrivals into my host area (used directly by the capacity "
                                  "page)")}[k]))
keep("user_kind")
u["kind"] = kind
_ingest("history", st.file_uploader(_("Monthly series CSV"), type=["csv"], key="upload_history"),
        _read_history,
        lambda df: _("Loaded {n} rows, series {ids}; {first} is now chosen in the sidebar.").format(
            n=t().number(len(df)), ids=", ".join(sorted(df["series_id"].unique())),
            first=df["series_id"].iloc[0]))

st.subheader(_("Drivers"))
st.caption(_("Columns: `ds` plus any of `fatalities`, `spi3`, `spi12`, `precip_anom_mm`, "
             "`temp_c`, `nino34_anom_c`, `wheat_price_index`. Replaces the bundled drivers."))
_ingest("drivers", st.file_uploader(_("Drivers CSV"), type=["csv"], key="upload_drivers"),
        _read_drivers,
        lambda df: _("Loaded drivers: {n} months, columns {columns}.").format(
            n=t().number(len(df)), columns=", ".join(df.columns[1:])))

st.subheader(_("Facilities"))
st.caption(_("Columns: `facility_id`, `facility_type` (`shelter`, `school`, `clinic`), "
             "`quantity`, `quantity_unit`; optional `name`, `opens`, `lead_time_days`, `source`. "
             "Replaces the host's default facility set."))
_ingest("facilities", st.file_uploader(_("Facilities CSV"), type=["csv"],
                                       key="upload_facilities"),
        _read_facilities, lambda df: _("Loaded {n} facilities.").format(n=t().number(len(df))))

st.subheader(_("In use now"))
lines = [_("Series chosen in the sidebar: **{series}**").format(
    series=labels.series_name(st.session_state.get("series_id", "")))]
h = u["history"]
if h is None:
    lines.append(_("Monthly series: the bundled data (UNHCR and Frontex)."))
else:
    what = (_("arrivals into your host area") if u["kind"] == "arrivals"
            else _("movement out of Afghanistan"))
    lines.append(_("Monthly series: yours, {n} series ({ids}), {rows} rows, {span}; read "
                   "as {what}.").format(n=h["series_id"].nunique(),
                                        ids=", ".join(sorted(h["series_id"].unique())),
                                        rows=t().number(len(h)), span=_span(h), what=what))
d = u["drivers"]
lines.append(_("Drivers: the bundled data (UCDP, CRU, ERA5, NOAA, WFP).") if d is None else
             _("Drivers: yours, {months} months, {span}, columns {cols}.").format(
                 months=t().number(len(d)), span=_span(d), cols=", ".join(d.columns[1:])))
f = u["facilities"]
lines.append(_("Facilities: the illustrative default set of the host chosen in the sidebar.") if f is None else
             _("Facilities: yours, {n} facilities.").format(n=t().number(len(f))))
st.markdown("\n".join(f"- {line}" for line in lines))
if h is not None:  # what was read, so a misread decimal or date shows at once
    draw(charts.history_chart(h, _("Your series as read"), _("persons per month"), tr=t()))
if st.button(_("Forget my uploads"), key="forget_uploads"):
    u.update({"history": None, "drivers": None, "facilities": None, "kind": "movement",
              "seen": {}})
    st.rerun()
