"""The plan store (planner/store.py): saved plans survive, are text, and bad files are refused."""

from __future__ import annotations

import sqlite3
import threading

import pandas as pd
import pytest

from forecast.scenarios import PRESETS
from planner import store
from planner.pipeline import CapacitySettings, ForecastSettings, PlanSpec
from planner.store import STORE_FILE, Store, StoreError


@pytest.fixture()
def spec() -> PlanSpec:
    return PlanSpec(PRESETS["compound"].with_name("office plan"),
                    ForecastSettings(host="TJK", horizon=12, n_paths=50, seed=7),
                    CapacitySettings(area_share=0.4, multiplier=2.5, n_runs=40, risk=0.05))


def _results() -> dict[str, pd.DataFrame]:
    totals = pd.DataFrame({"host": ["TJK", "KAZ"], "p10": [1200.0, 80.0],
                           "p50": [2500.0, 150.0], "p90": [4100.5, 300.0]})
    advice = pd.DataFrame({"facility_type": ["shelter", "school"], "added_quantity": [350.0, 0.0],
                           "quantity_unit": ["m2", "classrooms"],
                           "order_by": ["2026-03-01", None]})
    return {"totals": totals, "advice": advice}


def test_round_trip_keeps_the_spec_and_the_results(tmp_path, spec):
    s = Store(tmp_path)
    entry = s.save("Office plan – TJK", spec, _results(), data_token="bundled-bundled",
                   note="checked by the team")
    assert (tmp_path / STORE_FILE).is_file()
    assert entry.host == "TJK" and entry.horizon == 12 and entry.saved_at
    back = s.load("Office plan – TJK")
    assert back.spec == spec  # the PlanSpec saved and loaded is equal
    assert back.data_token == "bundled-bundled" and back.note == "checked by the team"
    for part, frame in _results().items():
        got = back.results[part]
        assert list(got.columns) == list(frame.columns)
        assert got.shape == frame.shape
    assert back.results["totals"]["p90"].tolist() == [4100.5, 300.0]
    assert back.results["advice"]["order_by"].isna().tolist() == [False, True]  # NA stays NA
    assert [e.name for e in s.list()] == ["Office plan – TJK"]


def test_saved_text_is_json_and_csv_never_pickle(tmp_path, spec):
    Store(tmp_path).save("plan", spec, _results())
    con = sqlite3.connect(tmp_path / STORE_FILE)
    spec_json, results = con.execute("SELECT spec_json, results FROM plans").fetchone()
    con.close()
    assert PlanSpec.from_dict(__import__("json").loads(spec_json)) == spec
    assert "facility_type,added_quantity" in results


def test_rename_and_delete(tmp_path, spec):
    s = Store(tmp_path)
    s.save("a", spec)
    s.save("b", spec)
    s.rename("a", "Alpha")
    assert sorted(s.names()) == ["Alpha", "b"]
    assert s.load("alpha").name == "Alpha"  # names ignore case
    s.rename("Alpha", "ALPHA")  # only the case changes: allowed
    assert sorted(s.names()) == ["ALPHA", "b"]
    with pytest.raises(StoreError, match="exists"):
        s.rename("ALPHA", "B")
    s.rename("ALPHA", "b", overwrite=True)
    assert s.names() == ["b"]
    s.delete("b")
    assert s.list() == []
    with pytest.raises(StoreError, match="no plan named 'b'"):
        s.delete("b")
    with pytest.raises(StoreError, match="no plan named"):
        s.load("b")


def test_duplicate_refused_unless_overwrite(tmp_path, spec):
    s = Store(tmp_path)
    s.save("Plan", spec)
    with pytest.raises(StoreError, match="a plan named 'Plan' exists"):
        s.save("plan", PlanSpec())
    assert s.load("Plan").spec == spec  # the refused save changed nothing
    s.save("plan", PlanSpec(), overwrite=True)
    assert s.names() == ["plan"] and s.load("plan").spec == PlanSpec()


@pytest.mark.parametrize("name", ["", " padded", "x" * 81, "drop;table\x00", "a\nb", "<script>",
                                  "...", 42])
def test_bad_names_refused(tmp_path, name):
    with pytest.raises(StoreError, match="name"):
        Store(tmp_path).save(name, PlanSpec())
    assert not (tmp_path / STORE_FILE).exists()


def test_good_names_of_any_script(tmp_path):
    s = Store(tmp_path)
    for name in ("Базовый сценарий", "TJK 2027 (x3)", "surge_p90 / 80%"):
        s.save(name, PlanSpec())
    assert len(s.list()) == 3


@pytest.mark.parametrize("content", [b"this is not a database at all" * 10,
                                     b"SQLite format 3\x00" + b"\xff" * 200])
def test_corrupt_file_refused_in_one_line_and_left_untouched(tmp_path, content):
    path = tmp_path / STORE_FILE
    path.write_bytes(content)
    s = Store(tmp_path)
    for call in (s.list, lambda: s.save("x", PlanSpec()), lambda: s.load("x"),
                 lambda: s.delete("x")):
        with pytest.raises(StoreError) as exc:
            call()
        msg = str(exc.value)
        assert str(path) in msg and "\n" not in msg
    assert path.read_bytes() == content


def test_another_programs_database_refused(tmp_path):
    path = tmp_path / STORE_FILE
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE accounts (id INTEGER, owner TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program's database"):
        Store(tmp_path).save("x", PlanSpec())
    assert path.read_bytes() == before


def test_a_second_connection_sees_the_save(tmp_path, spec):
    first, second = Store(tmp_path), Store(tmp_path)
    assert second.list() == []
    first.save("shared", spec)
    assert second.load("shared").spec == spec


def test_concurrent_saves_all_land(tmp_path):
    errors = []

    def work(i):
        try:
            Store(tmp_path).save(f"plan {i}", PlanSpec())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(Store(tmp_path).list()) == 8


def test_reading_a_missing_store_creates_nothing(tmp_path):
    s = Store(tmp_path / "not yet")
    assert s.list() == []
    assert not (tmp_path / "not yet").exists()


def test_damaged_row_is_a_one_line_error(tmp_path):
    s = Store(tmp_path)
    s.save("ok", PlanSpec())
    con = sqlite3.connect(tmp_path / STORE_FILE)
    con.execute("UPDATE plans SET spec_json = ? WHERE name = 'ok'",
                ('{"forecast": {"host": "FRA"}}',))
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="forecast.host") as exc:
        s.load("ok")
    assert STORE_FILE in str(exc.value) and "\n" not in str(exc.value)


def test_store_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(store.STORE_ENV, str(tmp_path / "office"))
    assert Store().folder == tmp_path / "office"
    monkeypatch.delenv(store.STORE_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store.store_dir() == tmp_path / "xdg" / store.APP_DIR
