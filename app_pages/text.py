"""The app's words in the planner's language: ``_("Arrivals")`` and the locale's formats.

The language is chosen in the sidebar and kept in ``st.session_state[LANG_KEY]`` for the
session; messages are in the ``app`` catalogue of :mod:`planner.i18n`. Wrap every string a
user reads (labels, captions, help, errors, chart and axis titles, table headers) in
``_()``; never wrap stable codes (CSV columns, JSON keys, ISO3 codes).
"""

from __future__ import annotations

import contextvars
import functools

import streamlit as st

from planner.i18n import DEFAULT_LANGUAGE, Translator, translator, vega_locale

LANG_KEY = "lang"


_BOUND: contextvars.ContextVar[str | None] = contextvars.ContextVar("app_language", default=None)


def language() -> str:
    """The session's language (the one bound by :func:`bound` while a bound function runs)."""
    lang = _BOUND.get()
    return lang if lang is not None else str(st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE))


def bound(fn):
    """``fn`` speaking the language of this run, wherever it is called later: for a
    widget's ``format_func``, which Streamlit (and its AppTest) may call outside the run."""
    lang = language()

    @functools.wraps(fn)
    def call(*args, **kwargs):
        token = _BOUND.set(lang)
        try:
            return fn(*args, **kwargs)
        finally:
            _BOUND.reset(token)

    return call


def t() -> Translator:
    """The translator of the session's language (messages, numbers, dates)."""
    return translator(language(), "app")


def _(message: str) -> str:
    return t().gettext(message)


def localized(chart):
    """``chart`` with the session's number and time locale (Vega-Lite ``config.locale``):
    in Russian, month names on time axes and ``1 876`` on value axes and in tooltips."""
    return chart.configure(locale=vega_locale(language()))


def draw(chart, **kwargs) -> None:
    """Draw an Altair chart (``st.altair_chart``; ``kwargs`` go to it, ``width="stretch"``
    unless given) in the session's locale (:func:`localized`), without validating its
    spec against the Vega-Lite schema again on every run.

    Altair validates a spec each time it is turned into a dict; for the app's layered
    fan charts that jsonschema pass took about 80% of a page's chart time (0.5-3 s per
    page on 2 cores). Every chart builder in :mod:`app_pages.charts` is validated
    against the schema by the tests instead (``tests/app/test_charts.py``)."""
    chart = localized(chart)
    kwargs.setdefault("width", "stretch")
    if hasattr(chart, "vega_lite"):  # app_pages.charts.Spec: a cached spec with its data
        st.vega_lite_chart(spec=chart.vega_lite(), **kwargs)
        return
    unvalidated = functools.partial(type(chart).to_dict, chart, validate=False)
    object.__setattr__(chart, "to_dict", unvalidated)  # SchemaBase.__setattr__ would store a property
    st.altair_chart(chart, **kwargs)


CHOICES = "_choices"
"""session_state key: the option (not its label) of every menu, as chosen in the last run."""
_CHOICES_LANG = "_choices_lang"


def keep(*keys: str) -> None:
    """Remember the options now chosen in the menus ``keys`` (call after drawing them)."""
    kept = st.session_state.setdefault(CHOICES, {})
    for k in keys:
        if k in st.session_state:
            kept[k] = st.session_state[k]


def persist(*keys: str) -> None:
    """Keep the values of the widgets ``keys`` through a run that does not draw them (a
    closed lazy tab, a page without the scenario's widgets): Streamlit forgets the state
    of a widget a run does not draw, but not a value the app set itself, so each value
    present is set again as the app's own. Call before the widgets would be drawn."""
    for k in keys:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]


def restore_choices() -> None:
    """Menus (selectbox, multiselect, radio) send back the *label* of their option; after a
    change of language that label is in the old language and matches no option. Before any
    widget is drawn, put back the options kept by :func:`keep` in the last run."""
    lang = language()
    if st.session_state.get(_CHOICES_LANG, lang) != lang:
        for k, v in st.session_state.get(CHOICES, {}).items():
            if k in st.session_state:
                st.session_state[k] = v
    st.session_state[_CHOICES_LANG] = lang
