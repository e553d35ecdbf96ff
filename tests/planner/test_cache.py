"""The fitted-model disk cache: computed once, read back equal, keyed by the
installation, robust to bad files and folders (planner.cache)."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pandas as pd
import pytest

from planner import cache


def test_folder_comes_from_the_environment_or_the_user_cache(tmp_path, monkeypatch):
    assert cache.cache_dir({"PLANNER_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert cache.cache_dir({"PLANNER_CACHE_DIR": "OFF"}) is None
    if os.name != "nt":
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache.cache_dir({}) == tmp_path / "xdg" / cache.APP_DIR


def test_computed_once_then_read_back_equal(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"ds": pd.date_range("2020-01-01", periods=3, freq="MS"),
                             "y": np.array([1.5, np.nan, 3.0])})

    c = cache.FitCache(tmp_path)
    a = c.get("fit", ("s", 0, "tok"), compute)
    b = cache.FitCache(tmp_path).get("fit", ("s", 0, "tok"), compute)  # a new process, same folder
    assert len(calls) == 1
    pd.testing.assert_frame_equal(a, b)
    other = c.get("fit", ("s", 1, "tok"), compute)  # another seed: another file
    assert len(calls) == 2 and other is not b
    assert len(list(tmp_path.glob("fit-*.pickle"))) == 2
    assert not list(tmp_path.glob(".tmp-*"))  # no half-written file left


def test_the_name_changes_with_the_installation(tmp_path, monkeypatch):
    c = cache.FitCache(tmp_path)
    before = c.path("fit", ("s", 0))
    cache.fingerprint.cache_clear()
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT + 1)
    try:
        assert c.path("fit", ("s", 0)) != before
    finally:
        cache.fingerprint.cache_clear()


def test_fingerprint_covers_code_data_and_libraries():
    cache.fingerprint.cache_clear()
    fp = cache.fingerprint()
    assert len(fp) == 64 and fp == cache.fingerprint()
    assert {"lightgbm", "statsmodels", "prophet"} <= set(cache.LIBRARIES)


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps(1)[:-3]])
def test_a_bad_file_is_refitted_not_fatal(tmp_path, content, caplog):
    c = cache.FitCache(tmp_path)
    c.path("fit", ("k",)).write_bytes(content)
    assert c.get("fit", ("k",), lambda: "fresh") == "fresh"
    assert "cannot be read" in caplog.text
    assert cache.FitCache(tmp_path).get("fit", ("k",), lambda: "again") == "fresh"  # rewritten


def test_off_or_unwritable_folder_computes_every_time(tmp_path, caplog):
    calls = []
    off = cache.fit_cache({"PLANNER_CACHE_DIR": "off"})
    off.get("fit", ("k",), lambda: calls.append(1))
    off.get("fit", ("k",), lambda: calls.append(1))
    assert len(calls) == 2 and off.path("fit", ("k",)) is None
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = cache.FitCache(blocker / "sub")  # a folder under a file cannot be made
    assert bad.folder is None and "cannot be written" in caplog.text
    assert bad.get("fit", ("k",), lambda: 7) == 7


def test_a_value_that_cannot_be_pickled_is_returned_and_not_kept(tmp_path, caplog):
    c = cache.FitCache(tmp_path)
    value = c.get("fit", ("k",), lambda: (lambda: 1))  # a lambda cannot be pickled
    assert value() == 1
    assert not list(tmp_path.glob("*.pickle")) and "not written" in caplog.text
