"""The chart specs read well: years on time axes, legend entries for every line, distinct
band swatches, uncut titles, formatted tooltips, dark text; the map is small and offline."""

from __future__ import annotations

import json
import math
import re
from importlib import resources

import altair as alt
import numpy as np
import pandas as pd
import pytest

from app_pages import charts

QS = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)


def quantile_frame(start="2025-05-01", months=24) -> pd.DataFrame:
    ds = pd.date_range(start, periods=months, freq="MS")
    return pd.DataFrame([{"ds": d, "quantile": q, "value": 100.0 + 50 * i * (q - 0.5)}
                         for i, d in enumerate(ds) for q in QS])


def history_frame(start="2019-05-01", months=72) -> pd.DataFrame:
    ds = pd.date_range(start, periods=months, freq="MS")
    return pd.DataFrame({"series_id": "s", "ds": ds, "y": np.arange(months, dtype=float)})


def layers(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", [spec]):
        out.extend(layers(layer) if "layer" in layer else [layer])
    return out


def tooltips(spec: dict) -> list[dict]:
    return [t for la in layers(spec) for t in la.get("encoding", {}).get("tooltip", [])]


def luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture(autouse=True)
def planner_theme():
    before = alt.theme.active
    charts.use_theme()
    yield
    alt.theme.enable(before)


def test_time_axis_shows_the_year_at_every_span():
    long = charts.time_axis(pd.date_range("2015-01-01", "2025-04-01", freq="MS")).to_dict(validate=False)
    assert long["format"] == "%Y" and long["tickCount"]["interval"] == "year"
    for months in (6, 18, 40):
        ax = charts.time_axis(pd.date_range("2025-05-01", periods=months, freq="MS")).to_dict(validate=False)
        assert "%Y" in ax["format"]
        # the year is written at each January and at the first tick
        assert "month(datum.value) == 0" in ax["labelExpr"] and "datum.index == 0" in ax["labelExpr"]
        assert "%Y" in ax["labelExpr"] and ax["tickCount"]["interval"] == "month"


def test_fan_chart_legend_names_median_and_observed_and_bands_have_distinct_swatches():
    spec = charts.fan_chart(quantile_frame(), history_frame(), "t").to_dict()  # validated
    ls = layers(spec)
    strokes = [la["encoding"]["stroke"] for la in ls if "stroke" in la.get("encoding", {})]
    assert strokes and all(s["scale"]["domain"] == ["observed", "median"] for s in strokes)
    assert strokes[0]["legend"]["symbolType"] == "stroke"
    fills = [la["encoding"]["fill"] for la in ls if "fill" in la.get("encoding", {})]
    assert len(fills) == 4  # one layer per band, widest first
    scale = fills[0]["scale"]
    assert scale["domain"] == ["95%", "90%", "80%", "50%"]
    assert len(set(scale["range"])) == 4
    # solid fills, so each swatch is the colour seen; neighbours differ visibly
    assert all(la["mark"].get("opacity", 1) == 1 for la in ls if la["mark"]["type"] == "area")
    lum = [luminance(c) for c in scale["range"]]
    assert all(a - b > 0.04 for a, b in zip(lum, lum[1:], strict=False))
    areas = [la for la in ls if la["mark"]["type"] == "area"]
    drawn = [re.search(r"datum\.band === '([^']+)'", la["transform"][0]["filter"]).group(1)
             for la in areas]
    assert drawn == ["95%", "90%", "80%", "50%"]  # widest first, narrower ones on top
    for la, band in zip(areas, drawn, strict=True):  # each layer's filter finds its rows
        rows = [r for r in spec["datasets"][la["data"]["name"]] if r["band"] == band]
        assert len(rows) == quantile_frame()["ds"].nunique()


def test_quantile_bands_one_key_equals_the_grouped_path():
    """The one-key case of quantile_bands (the charts') is numpy only; it must give what
    the general groupby path gives for the same rows, gaps (a missing quantile) included."""
    rng = np.random.default_rng(4)
    ds = pd.date_range("2026-01-01", periods=7, freq="MS")
    qs = [0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975]
    f = pd.DataFrame([(d, q) for d in ds[::-1] for q in qs], columns=["ds", "quantile"])
    f["value"] = rng.gamma(2.0, 100.0, len(f))
    f = f.drop(index=[3, 20]).sample(frac=1, random_state=1)  # unsorted, two quantiles gone
    one = charts.quantile_bands(f, by=["ds"])
    grouped = charts.quantile_bands(f.assign(k="x"), by=["k", "ds"]).drop(columns="k")
    pd.testing.assert_frame_equal(one, grouped, check_exact=True)
    assert one["lo"].isna().sum() == 2 and not one["hi"].isna().any()  # rows 3, 20: lower ends
    assert list(one["band"].unique()) == ["95%", "90%", "80%", "50%"]


def test_capacity_chart_legend_has_capacity_as_a_dashed_line():
    cap = pd.DataFrame({"ds": pd.date_range("2025-05-01", periods=30, freq="W"), "value": 120.0})
    spec = charts.capacity_chart(quantile_frame(), cap, "Shelter", "persons").to_dict(validate=False)
    ls = [la for la in layers(spec) if "stroke" in la.get("encoding", {})]
    assert ls[0]["encoding"]["stroke"]["scale"]["domain"] == ["median", "capacity"]
    dash = ls[0]["encoding"]["strokeDash"]["scale"]
    assert dash["range"][dash["domain"].index("capacity")] != [1, 0]
    assert any(t.get("format") == charts.DAY_FORMAT for t in tooltips(spec))


def test_words_are_translated_and_reach_the_legend():
    from planner.i18n import translator

    tr = translator("ru")
    spec = charts.fan_chart(quantile_frame(), history_frame(), "t", tr=tr).to_dict(validate=False)
    stroke = next(la["encoding"]["stroke"] for la in layers(spec) if "stroke" in la.get("encoding", {}))
    assert stroke["scale"]["domain"] == [tr.gettext("observed"), tr.gettext("median")]
    assert stroke["scale"]["domain"] != ["observed", "median"]  # the catalogue has them
    assert any(t.get("title") == tr.gettext("interval") for t in tooltips(spec))
    words = charts.labels(str.upper)
    assert words.median == "MEDIAN" and charts.map_labels(str.upper).route == "ROUTE"


@pytest.mark.parametrize("build", [
    lambda: charts.fan_chart(quantile_frame(), history_frame(), "t"),
    lambda: charts.history_chart(history_frame(), "t"),
    lambda: charts.compare_chart(quantile_frame().query("quantile == 0.5").assign(scenario="a"), "t"),
])
def test_tooltips_format_persons_and_months(build):
    tips = tooltips(build().to_dict(validate=False))
    dates = [t for t in tips if t.get("type") == "temporal"]
    numbers = [t for t in tips if t.get("type") == "quantitative"]
    assert dates and all(t["format"] == charts.MONTH_FORMAT for t in dates)
    assert numbers and all(t["format"] == charts.PERSONS_FORMAT for t in numbers)
    assert all(t.get("title") for t in tips)


def test_theme_text_is_dark_and_titles_are_never_cut():
    spec = charts.history_chart(history_frame(), "t").to_dict(validate=False)
    cfg = spec["config"]
    for part in ("axis", "legend"):
        assert cfg[part]["titleLimit"] == 0 and cfg[part]["labelLimit"] == 0  # 0 = no limit
        for key in ("labelColor", "titleColor"):
            assert contrast(cfg[part][key], "#ffffff") >= 4.5, (part, key, cfg[part][key])
    assert contrast(cfg["title"]["color"], "#ffffff") >= 4.5
    assert cfg["legend"]["orient"] == "bottom"  # never beside a chart on a phone
    assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"


def test_driver_panels_are_separate_charts_that_can_stretch():
    d = pd.DataFrame({"ds": pd.date_range("2015-01-01", periods=60, freq="MS"),
                      "a": np.arange(60.0), "b": np.nan})
    panels = charts.driver_panels(d, {"a": "A (deaths/month)", "b": "B"})
    assert len(panels) == 2
    for p in panels:
        spec = p.to_dict(validate=False)
        assert "width" not in spec and "facet" not in spec
        assert spec["encoding"]["x"]["axis"]["format"] == "%Y"


# --- the map ------------------------------------------------------------------------

HOSTS_AND_AFG = {"AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"}


def test_region_geojson_is_small_rounded_and_holds_the_hosts():
    path = resources.files("abm").joinpath("data/geography/central_asia.geojson")
    raw = path.read_bytes()
    assert len(raw) < 200_000
    doc = json.loads(raw)
    iso = {f["properties"]["iso3"] for f in doc["features"]}
    assert HOSTS_AND_AFG | {"IRN", "PAK"} <= iso
    assert all(set(f["properties"]) == {"iso3", "name"} for f in doc["features"])
    assert "Natural Earth" in doc["source"] and "public domain" in doc["source"]

    def coords(c):
        if isinstance(c[0], (int, float)):
            yield from c
        else:
            for x in c:
                yield from coords(x)

    values = [v for f in doc["features"] for v in coords(f["geometry"]["coordinates"])]
    assert all(abs(v * 1000 - round(v * 1000)) < 1e-6 for v in values)  # 3 decimals
    assert not math.isclose(max(values), min(values))


def network():
    sites = pd.DataFrame({
        "name": ["Kabul", "Hairatan", "Termez", "Termez_reception", "Dushanbe"],
        "country": ["Afghanistan", "Afghanistan", "Uzbekistan", "Uzbekistan", "Tajikistan"],
        "lat": [34.56, 37.22, 37.22, 37.23, 38.56], "lon": [69.21, 67.42, 67.28, 67.30, 68.79],
        "site_type": ["conflict_zone", "town", "town", "camp", "town"],
        "population": [4_400_000, np.nan, np.nan, 5000, np.nan]})
    routes = pd.DataFrame({"name1": ["Kabul", "Hairatan", "Termez", "Termez"],
                           "name2": ["Hairatan", "Termez", "Termez_reception", "Dushanbe"]})
    flows = routes.assign(persons=[900, 800, 500, 300])
    persons = pd.DataFrame({"site": sites["name"], "persons": [10, 0, 100, 500, 200]})
    return sites, routes, persons, flows


def test_crossings_are_routes_between_countries():
    sites, routes, _, _ = network()
    c = charts.crossings(sites, routes)
    assert set(zip(c["name1"], c["name2"], strict=True)) == {("Hairatan", "Termez"), ("Termez", "Dushanbe")}


def test_network_map_layers_outlines_flows_sites_and_labels():
    sites, routes, persons, flows = network()
    spec = charts.network_map(sites, routes, persons, flows).to_dict()  # validated
    ls = layers(spec)
    marks = [la["mark"]["type"] if isinstance(la["mark"], dict) else la["mark"] for la in ls]
    assert marks.count("geoshape") == 2  # sphere (water) and countries
    assert "rule" in marks and "circle" in marks and marks.count("text") >= 3
    countries = next(la for la in ls if la["mark"]["type"] == "geoshape" and "values" in la.get("data", {}))
    assert HOSTS_AND_AFG <= {f["properties"]["iso3"] for f in countries["data"]["values"]}
    assert not any("url" in la.get("data", {}) for la in ls)  # inline: no network at run time
    rule = next(la for la in ls if la["mark"]["type"] == "rule")
    assert rule["encoding"]["strokeWidth"]["field"] == "on_route"  # not "persons": two legends
    assert spec["projection"]["type"] == "mercator" and "fit" in spec["projection"]
    texts = {t for la in ls if la["mark"]["type"] == "text"
             for t in pd.DataFrame(spec["datasets"][la["data"]["name"]]).get("label", [])}
    assert "Termez" in texts  # the crossing from Afghanistan, by its host-side town
    assert "Kabul" in texts  # an origin


def test_region_map_is_rebuilt_byte_for_byte_from_natural_earth(tmp_path):
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("planner_build_map", root / "data" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    raw = build.default_raw()
    if not (raw / "geography/ne_110m_admin_0_countries.geojson").is_file():
        pytest.skip(f"Natural Earth raw file not under {raw} (set PLANNER_RAW_DIR)")
    n = build.build_region_map(raw, tmp_path)
    new = (tmp_path / build.REGION_MAP).read_bytes()
    assert new == (root / build.REGION_MAP).read_bytes(), "rerun python data/build.py"
    assert n == len(json.loads(new)["features"])



PHONE_PLOT = (343, 398)
"""The map's plot (px) on a 375 px phone, measured in Chromium (Streamlit's 16 px margins,
the legends below take the rest of the chart's 680 px)."""


def test_map_labels_never_overlap_at_any_width():
    """For the bundled network, at every plot size from 250 px wide to a desktop's, no two
    words written on the map overlap and none leaves the map; on a phone the three
    crossings from Afghanistan and the largest reception sites are still named."""
    from abm.network import read_flee_scenario
    from abm.network.runs import central_asia_dir
    from app_pages import map_labels as ml

    sc, _ = read_flee_scenario(central_asia_dir(), None)
    sites, routes = sc.network.sites, sc.network.routes
    # persons: the reception sites full, no one elsewhere (the largest circles there)
    persons = pd.DataFrame({"site": sites["name"],
                            "persons": sites["population"].where(sites["site_type"] == "camp", 0)})
    spec = charts.network_map(sites, routes, persons).to_dict(validate=False)
    expr = next(p["expr"] for p in spec["params"] if p["name"] == "map_k")
    dx, dy = map(float, re.fullmatch(r"min\(width / (\S+), height / (\S+)\)", expr).groups())
    (lon0, lat0), (lon1, lat1) = spec["projection"]["fit"]["geometry"]["coordinates"]
    ls = [la for la in layers(spec) if la["mark"]["type"] == "text"]
    rows = pd.concat([pd.DataFrame(spec["datasets"][la["data"]["name"]]).assign(
        font=la["mark"]["fontSize"],
        style="bold" if la["mark"].get("fontWeight") == "bold" else la["mark"].get("fontStyle", "normal"))
        for la in ls], ignore_index=True)
    assert all(la["transform"] == [{"filter": "datum.k_lo <= map_k && map_k < datum.k_hi"}] for la in ls)

    def merc(lon, lat):
        return np.radians(lon), -np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))

    (x0, x1), (y1, y0) = merc(np.array([lon0, lon1]), np.array([lat0, lat1]))
    assert (x1 - x0, y1 - y0) == pytest.approx((dx, dy))
    px, py = merc(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    px, py = px - (x0 + x1) / 2, py - (y0 + y1) / 2
    ox, oy = rows["r"] * np.sin(rows["theta"]), -rows["r"] * np.cos(rows["theta"])
    w = np.array([sum(ml.ADVANCE[s][c] for c in t) * f + 2 for t, s, f in
                  zip(rows["label"], rows["style"], rows["font"], strict=True)])
    h = ml.LINE_HEIGHT * rows["font"].to_numpy()

    def written(width, height):
        k = min(width / dx, height / dy)
        on = ((rows["k_lo"] <= k) & (k < rows["k_hi"])).to_numpy()
        cx, cy = (k * px + ox)[on], (k * py + oy)[on]
        box = np.column_stack([cx - w[on] / 2, cy - h[on] / 2, cx + w[on] / 2, cy + h[on] / 2])
        assert (box[:, :2] >= [-k * dx / 2, -k * dy / 2]).all(), (width, "off the map")
        assert (box[:, 2:] <= [k * dx / 2, k * dy / 2]).all(), (width, "off the map")
        apart = ((box[:, None, 0] >= box[None, :, 2]) | (box[None, :, 0] >= box[:, None, 2])
                 | (box[:, None, 1] >= box[None, :, 3]) | (box[None, :, 1] >= box[:, None, 3]))
        np.fill_diagonal(apart, True)
        names = rows["label"].to_numpy()[on]
        assert apart.all(), (width, height, [(names[i], names[j]) for i, j in np.argwhere(~apart)])
        assert len(set(names)) == len(names)  # each word once
        return set(names)

    for width in range(250, 1500, 10):
        for height in (360, 398, 440):
            written(width, height)
    phone = written(*PHONE_PLOT)
    assert {"Termez", "Panji Poyon", "Serhetabat", "Dushanbe", "Tashkent"} <= phone
    assert len(phone) >= 12
    desktop = written(940, 398)  # 1,400 px window, sidebar open
    assert {"Almaty", "Bishkek", "Bokhtar", "Mary", "Shymkent", "Kazakhstan", "Tajikistan"} <= desktop


def test_stock_chart_leaves_unreported_years_out_and_formats_persons():
    stock = pd.DataFrame({"host": ["Tajikistan"] * 3, "year": [2023, 2024, 2025],
                          "persons": [5307.0, np.nan, 11843.0]})
    spec = charts.stock_chart(stock).to_dict()  # validated
    rows = next(iter(spec["datasets"].values()))
    assert [r["year"] for r in rows] == [2023, 2025]  # NA is not reported: not drawn, not 0
    assert any(t.get("format") == charts.PERSONS_FORMAT for t in tooltips(spec))


def test_compare_panels_one_per_scenario_sharing_the_hosts_scale():
    ds = pd.date_range("2026-01-01", periods=6, freq="MS")
    rows = []
    for host, scale in (("Tajikistan", 1.0), ("Kazakhstan", 10.0)):
        for name, k in (("baseline", 1.0), ("surge", 3.0)):
            for i, d in enumerate(ds):
                p50 = scale * k * (100 + i)
                rows.append((host, name, d, 0.5 * p50, p50, 2 * p50))
    frame = pd.DataFrame(rows, columns=["host", "scenario", "ds", "p10", "p50", "p90"])
    out = charts.compare_panels(frame, ["baseline", "surge"])
    assert [h for h, _ in out] == ["Tajikistan", "Kazakhstan"]
    for host, panels in out:
        specs = [p.to_dict() for p in panels]  # validated against Vega-Lite
        assert [s["title"]["text"] for s in specs] == ["baseline", "surge"]
        top = 2 * (10.0 if host == "Kazakhstan" else 1.0) * 3.0 * 105
        for s in specs:
            domains = {tuple(la["encoding"]["y"]["scale"]["domain"]) for la in s["layer"]}
            assert domains == {(0, top)}  # one scale per host: the highest P90
            rows_ = next(iter(s["datasets"].values()))
            assert len(rows_) == 6 and {r["scenario"] for r in rows_} == {s["title"]["text"]}
            ref = [r["ref"] for r in rows_]
            base = frame[(frame["host"] == host) & (frame["scenario"] == "baseline")]["p50"]
            assert ref == base.tolist()  # the first scenario's median, dashed, in every panel
            dashed = [la for la in s["layer"] if la["mark"].get("strokeDash")]
            assert len(dashed) == 1 and dashed[0]["encoding"]["y"]["field"] == "ref"
