"""Central Asia arrivals planner: the Streamlit entry point.

Run with ``./dev.sh run`` (or ``streamlit run app.py``). The sidebar holds the
scenario every page uses; each page is a thin file in ``app_pages/``.
"""

import streamlit as st

from app_pages import controls
from app_pages.guard import page_errors

st.set_page_config(page_title="Central Asia arrivals planner", page_icon=":material/groups:",
                   layout="wide")

nav = st.navigation({
    "Plan": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/public:", default=True),
        st.Page("app_pages/forecast_page.py", title="Scenario & forecast", icon=":material/trending_up:"),
        st.Page("app_pages/capacity.py", title="Capacity", icon=":material/home_work:"),
        st.Page("app_pages/sites.py", title="Sites & routes", icon=":material/route:"),
        st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    ],
    "Data": [
        st.Page("app_pages/your_data.py", title="Your data", icon=":material/upload_file:"),
        st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
    ],
})
controls.sidebar()
with page_errors():  # no traceback on any page: one st.error line
    nav.run()
