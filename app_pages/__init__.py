"""Pages of the Streamlit app (UI only: widgets -> one cached call -> charts)."""
