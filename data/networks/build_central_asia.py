"""Write ``central_asia/routes.csv``: great-circle km between the sites of ``locations.csv``.

Run from the repository root: ``python data/networks/build_central_asia.py [--force]``.
Distances are great-circle (haversine, mean Earth radius 6371.0088 km) rounded
to whole km: a lower bound on road distance (roads are longer). ILLUSTRATIVE.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from abm.network.sites import great_circle_km

HERE = Path(__file__).resolve().parents[2] / "abm" / "data" / "networks" / "central_asia"

# (name1, name2): roads and border crossings as pairs of sites (public maps).
ROUTES: tuple[tuple[str, str], ...] = (
    ("Kabul", "Mazar-i-Sharif"),
    ("Kabul", "Kunduz"),
    ("Mazar-i-Sharif", "Kunduz"),
    ("Mazar-i-Sharif", "Herat"),
    ("Mazar-i-Sharif", "Hairatan"),
    ("Kunduz", "Sher_Khan_Bandar"),
    ("Herat", "Torghundi"),
    # border crossings
    ("Hairatan", "Termez"),  # Afghanistan-Uzbekistan Friendship Bridge
    ("Sher_Khan_Bandar", "Panji_Poyon"),  # Afghanistan-Tajikistan bridge (Nizhny Panj)
    ("Torghundi", "Serhetabat"),  # Afghanistan-Turkmenistan crossing
    # Uzbekistan
    ("Termez", "Termez_reception"),
    ("Termez", "Qarshi"),
    ("Termez", "Dushanbe"),
    ("Qarshi", "Samarkand"),
    ("Samarkand", "Tashkent"),
    ("Tashkent", "Tashkent_reception"),
    ("Tashkent", "Shymkent"),
    # Tajikistan
    ("Panji_Poyon", "Bokhtar"),
    ("Bokhtar", "Bokhtar_reception"),
    ("Bokhtar", "Dushanbe"),
    ("Dushanbe", "Dushanbe_reception"),
    ("Dushanbe", "Khujand"),
    ("Khujand", "Tashkent"),
    # Turkmenistan
    ("Serhetabat", "Mary"),
    ("Mary", "Mary_reception"),
    ("Mary", "Ashgabat"),
    ("Mary", "Turkmenabat"),
    ("Turkmenabat", "Qarshi"),
    # Kazakhstan and Kyrgyzstan
    ("Shymkent", "Shymkent_reception"),
    ("Shymkent", "Taraz"),
    ("Taraz", "Bishkek"),
    ("Taraz", "Almaty"),
    ("Bishkek", "Bishkek_reception"),
    ("Bishkek", "Almaty"),
    ("Almaty", "Almaty_reception"),
)


def read_coordinates(path: Path) -> dict[str, tuple[float, float]]:
    """Site name -> (lat, lon) in degrees from a Flee ``locations.csv``."""
    with path.open(newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    return {r[0]: (float(r[3]), float(r[4])) for r in rows}


def route_rows(coords: dict[str, tuple[float, float]]) -> list[tuple[str, str, int, int]]:
    """(name1, name2, distance km, forced_redirection=0) for every route."""
    out = []
    for a, b in ROUTES:
        km = great_circle_km(*coords[a], *coords[b])
        out.append((a, b, max(1, round(km)), 0))
    return out


def main(force: bool = False) -> None:
    target = HERE / "routes.csv"
    if target.exists() and not force:
        sys.exit(f"{target} exists; pass --force to rewrite it")
    rows = route_rows(read_coordinates(HERE / "locations.csv"))
    with target.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["#name1", "name2", "distance", "forced_redirection"])
        w.writerows(rows)


if __name__ == "__main__":
    main(force="--force" in sys.argv)
