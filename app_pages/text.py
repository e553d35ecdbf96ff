"""The app's words in the planner's language: ``_("Arrivals")`` and the locale's formats.

The language is chosen in the sidebar and kept in ``st.session_state[LANG_KEY]`` for the
session; messages are in the ``app`` catalogue of :mod:`planner.i18n`. Wrap every string a
user reads (labels, captions, help, errors, chart and axis titles, table headers) in
``_()``; never wrap stable codes (CSV columns, JSON keys, ISO3 codes).
"""

from __future__ import annotations

import streamlit as st

from planner.i18n import DEFAULT_LANGUAGE, Translator, translator

LANG_KEY = "lang"


def language() -> str:
    return str(st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE))


def t() -> Translator:
    """The translator of the session's language (messages, numbers, dates)."""
    return translator(language(), "app")


def _(message: str) -> str:
    return t().gettext(message)
