"""Central Asia arrivals planner: the Streamlit entry point.

Run with ``./dev.sh run`` (or ``streamlit run app.py``). The sidebar holds the
language and the scenario every page uses; each page is a thin file in ``app_pages/``.
"""

import streamlit as st

from app_pages import controls
from app_pages.guard import page_errors
from app_pages.text import _

st.set_page_config(page_title=_("Central Asia arrivals planner"), page_icon=":material/groups:",
                   layout="wide")

nav = st.navigation({
    _("Plan"): [
        st.Page("app_pages/overview.py", title=_("Overview"), icon=":material/public:", default=True),
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
controls.sidebar()
with page_errors():  # no traceback on any page: one st.error line
    nav.run()
