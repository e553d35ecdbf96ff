"""Where the words on the Sites & routes map go, for every width the map is drawn at.

The map stretches to its column (375 px on a phone, about 1,000 px on a desktop) and
Vega fits the Mercator projection to a fixed box of longitudes and latitudes, so the
scale in pixels per projected unit is ``k = min(width / DX, height / DY)`` (``DX, DY``:
the box's projected width and height, d3's ``fitSize``) and a site sits at
``k * (x - x0, y - y0)`` from the box's centre. A label's box keeps its size in pixels
whatever ``k`` is, so labels that sit apart on a desktop run into each other on a phone.

:func:`placement` (cached by :func:`place`) decides, for a grid of scales covering
every width the app uses, which labels are written and on which side of their point (a
greedy pass in order of priority: each label takes the first side, in its order of
preference, that overlaps no label already written and stays inside the map, preferring
sides that cover no other site's circle; a label with no free side is left out at that
scale, and the tooltip still names the site). The result is a table of rows ``(label, side, k_lo, k_hi)``;
the chart shows a row while ``k_lo <= k < k_hi`` (a Vega filter on the ``width`` and
``height`` signals), so at every width the words written never overlap.

Pure numpy and pandas (no Altair), so the placement is checked in a unit test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

SIDES: dict[str, tuple[float, float]] = {
    "E": (1, 0), "W": (-1, 0), "NE": (1, -1), "SE": (1, 1), "NW": (-1, -1), "SW": (-1, 1),
    "N": (0, -1), "S": (0, 1), "C": (0, 0),
    "ENE": (1, -0.5), "ESE": (1, 0.5), "WNW": (-1, -0.5), "WSW": (-1, 0.5)}
"""Side of its point a label's box sits on -> direction (x right, y down); ``ENE`` and
the like: beside the point, half a line higher or lower."""

_CHARS = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -'.()"
          "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
_ADVANCES = {  # hundredths of an em, rounded up, in the order of _CHARS
    "normal": """
        51 56 46 56 50 30 51 55 25 25 50 26 83 55 55 56 56 35 42 34 55 47 72 45 47 43 55
        59 58 62 53 50 62 66 27 48 58 49 73 65 67 57 67 57 54 54 65 52 79 52 48 54 20 32
        25 25 31 31 51 55 51 42 54 50 50 69 46 57 57 50 54 64 57 55 56 56 46 46 47 74 45
        56 52 75 77 60 68 50 46 74 52 55 58 59 50 64 53 53 83 55 66 66 58 63 73 66 67 65
        57 58 54 52 74 52 65 60 88 88 72 80 58 58 91 59""",
    "bold": """
        53 58 47 58 52 35 54 58 28 28 55 29 86 58 56 58 58 40 45 39 57 53 78 52 53 46 58
        61 59 64 55 53 64 68 31 51 62 52 77 67 69 60 69 62 56 56 67 56 82 57 53 55 20 34
        30 30 35 35 53 57 53 44 59 52 52 77 48 59 59 55 58 66 59 56 58 58 47 50 53 78 52
        60 55 81 83 63 74 52 47 78 55 58 60 61 53 67 55 55 88 56 68 68 62 66 77 68 69 67
        60 59 56 56 77 57 67 63 92 93 73 86 60 59 95 62""",
    "italic": """
        54 54 44 54 48 29 53 53 24 24 48 25 80 53 52 54 54 35 41 33 53 45 71 43 45 41 51
        57 55 60 51 48 59 63 25 46 56 47 71 62 64 55 64 56 51 51 62 50 76 49 47 52 20 30
        25 25 30 30 54 52 48 39 52 49 49 69 42 53 53 48 53 65 54 52 53 54 44 80 45 71 43
        54 48 80 82 54 66 46 45 72 49 51 56 57 48 63 51 51 81 54 64 63 56 63 71 63 64 62
        55 55 51 49 72 49 63 58 81 82 68 77 56 55 88 57""",
}
ADVANCE: dict[str, dict[str, float]] = {
    style: dict(zip(_CHARS, (int(n) / 100 for n in nums.split()), strict=True))
    for style, nums in _ADVANCES.items()}
"""Advance width in em of each letter of the site and country names (Latin, Cyrillic),
by font style, of Source Sans 3 (the font Streamlit gives Vega charts; Adobe, SIL Open
Font License), measured in Chromium with ``CanvasRenderingContext2D.measureText`` at
100 px and rounded up."""
UNKNOWN_ADVANCE = 0.96
"""Em width assumed for any other character (wider than every measured letter)."""
LINE_HEIGHT = 1.4
"""Height of a label's box in em (the browser's box of an 11 px word is 15 px high)."""
PAD = 2.0
"""Pixels kept free between two labels' boxes (also covers the 1% steps of the grid)."""
STEP = 1.01
"""Ratio between successive scales of the grid."""
NO_END = 1e12
"""``k_hi`` of a label written at every scale above ``k_lo`` (finite: the chart's data is JSON)."""


@dataclass(frozen=True)
class Label:
    """A word to write at a point.

    ``text`` as drawn; ``lon, lat`` in degrees; ``font_size`` in px; ``style`` one of
    :data:`ADVANCE`; ``gap`` px between the point and the nearest edge of the box
    (the marker's radius and a little air); ``sides``: the sides to try, most wanted first;
    ``must_clear``: left out rather than written over another site's circle.
    """

    text: str
    lon: float
    lat: float
    font_size: float = 11.0
    style: str = "normal"
    gap: float = 4.0
    sides: tuple[str, ...] = ("E", "ENE", "ESE", "W", "WNW", "WSW", "NE", "SE", "NW", "SW",
                              "N", "S")
    must_clear: bool = False

    @cached_property
    def size(self) -> tuple[float, float]:
        """(width, height) of the label's box in px (estimated from the font)."""
        em = ADVANCE[self.style]
        return (sum(em.get(c, UNKNOWN_ADVANCE) for c in self.text) * self.font_size + 2,
                LINE_HEIGHT * self.font_size)

    def offset(self, side: str) -> tuple[float, float]:
        """(dx, dy) in px from the point to the centre of the box on ``side``."""
        (w, h), (ux, uy) = self.size, SIDES[side]
        diag = math.sqrt(0.5) if abs(ux) == abs(uy) == 1 else 1.0  # a corner: on the 45°
        return (ux * (self.gap * diag + w / 2), uy * (self.gap * diag + h / 2))


def mercator(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """d3's Mercator at scale 1: (x, y) in radians, y growing southwards (screen)."""
    lon, lat = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    return lon, -np.log(np.tan(np.pi / 4 + lat / 2))


@dataclass(frozen=True)
class Frame:
    """The box the projection is fitted to: ``(lon_min, lat_min, lon_max, lat_max)``."""

    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float

    @property
    def extent(self) -> tuple[float, float]:
        """(DX, DY): the box's projected width and height (radians)."""
        x, y = mercator([self.lon_min, self.lon_max], [self.lat_min, self.lat_max])
        return float(x[1] - x[0]), float(y[0] - y[1])

    def centre(self) -> tuple[float, float]:
        x, y = mercator([self.lon_min, self.lon_max], [self.lat_min, self.lat_max])
        return float(x.mean()), float(y.mean())

    def points(self, lon, lat) -> np.ndarray:
        """Projected (x, y) of points from the box's centre, shape (n, 2) (radians)."""
        x, y = mercator(lon, lat)
        cx, cy = self.centre()
        return np.column_stack([np.atleast_1d(x) - cx, np.atleast_1d(y) - cy])

    def scale(self, width: float, height: float) -> float:
        """Pixels per radian when the plot is ``width`` x ``height`` px (d3 ``fitSize``)."""
        dx, dy = self.extent
        return min(width / dx, height / dy)

    def expression(self) -> str:
        """:meth:`scale` as a Vega expression of the plot's ``width`` and ``height`` signals."""
        dx, dy = self.extent
        return f"min(width / {dx!r}, height / {dy!r})"

    def grid(self, min_width: float = 200.0, max_height: float = 700.0) -> np.ndarray:
        """Scales from a plot ``min_width`` px wide to one ``max_height`` px high, each
        :data:`STEP` times the one before (the map's plot is never higher than its chart,
        680 px; a plot narrower than 200 px would need a phone narrower than 232 px)."""
        dx, dy = self.extent
        lo, hi = min_width / dx, max_height / dy
        return lo * STEP ** np.arange(int(math.log(hi / lo) / math.log(STEP)) + 2)


def _hits_boxes(c: np.ndarray, half: np.ndarray, others: np.ndarray, other_half: np.ndarray,
                pad: float) -> np.ndarray:
    """Per side and scale: does the box (centres ``c`` (J, K, 2), half-size ``half``)
    overlap any of ``others`` (centres (m, K, 2), NaN where not written; half-sizes (m, 2))?"""
    if not len(others):
        return np.zeros(c.shape[:2], bool)
    gap = np.abs(c[:, None] - others[None])  # (J, m, K, 2)
    with np.errstate(invalid="ignore"):
        return (gap < (half + other_half + pad)[None, :, None, :]).all(axis=3).any(axis=1)


def _hits_circles(p: np.ndarray, offsets: np.ndarray, half: np.ndarray, dots: np.ndarray,
                  radii: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """Per side and scale: does the box (its point ``p`` radians, centre ``offsets`` (J, 2)
    px from it) cover any circle (centres ``dots`` (n, 2) radians, radii px)?"""
    if not len(dots):
        return np.zeros((len(offsets), len(ks)), bool)
    rel = (ks[:, None, None] * (dots - p)[None]).astype(np.float32)  # (K, n, 2) px from p
    out = np.abs(rel[None] - offsets[:, None, None, :].astype(np.float32)) - half.astype(np.float32)
    np.maximum(out, 0, out=out)  # (J, K, n, 2): how far the circle's centre is outside the box
    return (out[..., 0] ** 2 + out[..., 1] ** 2 < (radii ** 2).astype(np.float32)).any(axis=2)


def _sticky(clear: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Per scale (columns), the side (row) a label takes: from the largest scale down, the
    side taken at the scale above while it stays ``clear`` (free of labels and circles),
    else the first clear side, else the side above or the first side ``free`` of labels
    only; -1 where none is free. Keeping a side while it is free spares a planner labels
    that hop about from one width to the next."""
    out = np.full(clear.shape[1], -1)
    last = -1
    for k in range(clear.shape[1] - 1, -1, -1):
        for ok in (clear[:, k], free[:, k]):
            if last >= 0 and ok[last]:
                break
            if ok.any():
                last = int(np.argmax(ok))
                break
        else:
            last = -1
        out[k] = last
    return out


def place(labels: list[Label], frame: Frame, dots: pd.DataFrame | None = None,
          ks: np.ndarray | None = None, pad: float = PAD) -> pd.DataFrame:
    """:func:`placement` of the same words, frame and markers, computed once (a rerun of
    the page with the same network run reuses it)."""
    marks = () if dots is None else tuple(
        map(tuple, dots[["lon", "lat", "radius"]].to_numpy(float).round(6).tolist()))
    grid = None if ks is None else tuple(np.asarray(ks, float).tolist())
    return _placed(tuple(labels), frame, marks, grid, float(pad)).copy()


@lru_cache(maxsize=16)
def _placed(labels: tuple[Label, ...], frame: Frame, marks: tuple, ks: tuple | None,
            pad: float) -> pd.DataFrame:
    dots = pd.DataFrame(list(marks), columns=["lon", "lat", "radius"], dtype=float)
    return placement(list(labels), frame, dots, None if ks is None else np.array(ks), pad)


def placement(labels: list[Label], frame: Frame, dots: pd.DataFrame | None = None,
              ks: np.ndarray | None = None, pad: float = PAD) -> pd.DataFrame:
    """Sides and scale ranges of ``labels`` (most important first) so that no two boxes
    written at the same scale overlap and every box stays inside ``frame``.

    ``dots``: ``lon, lat, radius`` (px) of the map's markers; a label prefers sides that
    cover none of them (its own point's markers, within 0.05°, excepted) and, if
    ``must_clear``, takes no other. ``ks``: the scales to decide at (default
    :meth:`Frame.grid`). Returns one row per label, side
    and run of scales: ``label`` (index into ``labels``), ``text``, ``side``, ``dx, dy``
    (px from the point to the box's centre), ``w, h`` (px), ``k_lo, k_hi`` (the label is
    written on that side while ``k_lo <= k < k_hi``; 0 and :data:`NO_END` at the ends).
    """
    ks = frame.grid() if ks is None else np.sort(np.asarray(ks, float))
    dx, dy = frame.extent
    bound = np.column_stack([ks * dx / 2, ks * dy / 2])  # the box's half-size in px, per scale
    if dots is None:
        dots = pd.DataFrame({"lon": [], "lat": [], "radius": []})
    dot_xy = frame.points(dots["lon"], dots["lat"]) if len(dots) else np.zeros((0, 2))
    radii = dots["radius"].to_numpy(float)
    written = np.zeros((0, len(ks), 2))  # centres (px) of the boxes written, per scale
    written_half = np.zeros((0, 2))
    rows = []
    for i, lab in enumerate(labels):
        p = frame.points([lab.lon], [lab.lat])[0]
        half = np.array(lab.size) / 2
        own = (np.abs(dots["lon"].to_numpy(float) - lab.lon) < 0.05) & (
            np.abs(dots["lat"].to_numpy(float) - lab.lat) < 0.05)
        offsets = np.array([lab.offset(side) for side in lab.sides])  # (J, 2)
        centres = ks[None, :, None] * p + offsets[:, None, :]  # (J, K, 2)
        free = (~_hits_boxes(centres, half, written, written_half, pad)
                & (np.abs(centres) + half <= bound).all(axis=2))
        clear = free & ~_hits_circles(p, offsets, half, dot_xy[~own], radii[~own], ks)
        chosen = _sticky(clear, clear if lab.must_clear else free)
        c = np.full((len(ks), 2), np.nan)
        on = chosen >= 0
        c[on] = centres[chosen[on], np.flatnonzero(on)]
        written = np.concatenate([written, c[None]])
        written_half = np.concatenate([written_half, half[None]])
        # runs of the same side along the grid
        starts = np.flatnonzero(np.r_[True, chosen[1:] != chosen[:-1]])
        ends = np.r_[starts[1:], len(ks)]
        for a, b in zip(starts, ends, strict=True):
            if chosen[a] < 0:
                continue
            side = lab.sides[chosen[a]]
            ox, oy = lab.offset(side)
            rows.append({"label": i, "text": lab.text, "side": side, "dx": ox, "dy": oy,
                         "w": lab.size[0], "h": lab.size[1],
                         "k_lo": 0.0 if a == 0 else float(ks[a]),
                         "k_hi": NO_END if b == len(ks) else float(ks[b])})
    return pd.DataFrame(rows, columns=["label", "text", "side", "dx", "dy", "w", "h",
                                       "k_lo", "k_hi"])

