"""Central Asia arrivals planner: the Streamlit entry point.

Run with ``./dev.sh run`` (or ``streamlit run app.py``). The sidebar holds the
language and the scenario every page uses (the Overview, history only, shows the applied
scenario in words); each page is a thin file in ``app_pages/``.
"""

import streamlit as st

from app_pages import charts, controls, services
from app_pages.guard import page_errors, profiled
from app_pages.text import _
from forecast.threads import limit_threads

limit_threads()  # BLAS/OpenMP pools to the cores this process may use (once per process)

st.set_page_config(page_title=_("Central Asia arrivals planner"), page_icon=":material/groups:",
                   layout="wide")
charts.use_theme()  # dark axis and legend text (>= 4.5:1), uncut titles, SVG charts
# A visible keyboard focus (WCAG 2.4.7) on links, buttons, sliders and dropdowns: a 3 px
# outline in the primary colour (6.4:1 on white, above the 3:1 of WCAG 1.4.11).
st.html("""<style>
a:focus-visible, button:focus-visible, [role="slider"]:focus-visible, [role="tab"]:focus-visible,
input:focus-visible, textarea:focus-visible, [tabindex]:focus-visible,
[data-testid="stSidebarNav"] a:focus-visible {
  outline: 3px solid #1f5fa8 !important; outline-offset: 2px !important; }
[data-baseweb="select"]:focus-within > div, [data-baseweb="input"]:focus-within {
  outline: 3px solid #1f5fa8 !important; outline-offset: 1px !important; }
</style>""")

nav = st.navigation({
    _("Plan"): [
        overview := st.Page("app_pages/overview.py", title=_("Overview"), icon=":material/public:",
                            default=True),
        st.Page("app_pages/forecast_page.py", title=_("Scenario & forecast"),
                icon=":material/trending_up:"),
        st.Page("app_pages/capacity.py", title=_("Capacity"), icon=":material/home_work:"),
        st.Page("app_pages/sites.py", title=_("Sites & routes"), icon=":material/route:"),
        st.Page("app_pages/compare.py", title=_("Compare"), icon=":material/compare_arrows:"),
    ],
    _("Data"): [
        st.Page("app_pages/your_data.py", title=_("Your data"), icon=":material/upload_file:"),
        st.Page("app_pages/export.py", title=_("Export"), icon=":material/download:"),
    ],
})
# PLANNER_PROFILE_DIR: one cProfile file per run (benchmarks/app_latency.py --profile DIR)
with profiled(nav.url_path):
    controls.sidebar(levers=nav is not overview)  # the Overview uses no scenario
    with page_errors():  # no traceback on any page: one st.error line
        nav.run()
    controls.show_runs()
services.warm_up()  # the later pages' imports on a thread, once the first page is drawn
