"""Vectorised movement engine: people as counts on sites and on routes.

The rules are Flee 3.1's (PyPI ``flee`` 3.1: ``flee.py``, ``moving.py``,
``scoring.py``, ``spawning.py``; Suleimenova, Bell & Groen 2017, Sci. Rep.
7:13377; Flee 3, J. Comput. Sci. 2024), written afresh for counts, with the
departures of :class:`~abm.network.sites.MoveRules` (look-ahead, forced
redirection). Each day:

0. **Day 0.** Sites may start with people already there (``NetworkScenario.initial``;
   Flee's ``insert_day0``: camps hold their observed day-0 population).
1. **Closures** act (:meth:`_Compiled._daily_states`: Flee closes on the start
   day and reopens on the end day); the conflict state follows Flee's rules
   (:func:`conflict_state`).
2. **Entry.** The rise in the cumulative registered total enters at the sites
   in conflict, split in proportion to ``population x intensity x decay``
   (multinomial draw); with no site in conflict the people wait.
3. **Leaving.** Everyone at a site leaves with its daily move chance
   (binomial draw per site).
4. **Route choice.** A leaver picks an open route with probability
   proportional to ``score(dest) x cap(dest) / (softening + d)^power``
   (multinomial draw per site); see ``docs/network.md``.
5. **Travel.** Whoever completes a route with distance to spare decides again
   at its end (steps 3-4); the rest stay on the route. A route closed while
   people are on it sends them back to its start.

Attractiveness and occupancy are read at the start of each day. Because
people in the same state are exchangeable, drawing binomial / multinomial
counts is the same random process as drawing one agent at a time, at a cost
independent of the number of people.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.network.sites import Closure, MoveRules, NetworkScenario

_CONFLICT, _TOWN, _CAMP, _HUB, _MARKER, _IDPCAMP = range(6)
_TYPE_CODE = {
    "conflict_zone": _CONFLICT,
    "town": _TOWN,
    "camp": _CAMP,
    "forwarding_hub": _HUB,
    "marker": _MARKER,
    "idpcamp": _IDPCAMP,
}


@dataclass(frozen=True, eq=False)
class NetworkResult:
    """Output of :func:`simulate`.

    Attributes
    ----------
    scenario : NetworkScenario
    occupancy : np.ndarray
        Persons at each site at the end of each day (days x sites, int64).
    in_transit : np.ndarray
        Persons on routes at the end of each day (days, int64).
    entered : np.ndarray
        Persons who entered the network on each day (days, int64).
    waiting : np.ndarray
        Persons registered but not yet placed because no site was in conflict
        (days, int64).
    seed : int
    wall_seconds : float
        Wall-clock time of the run [s].
    route_persons : np.ndarray
        Persons who set out along each route over the run (routes x 2, int64):
        column 0 from ``name1`` to ``name2``, column 1 back.
    """

    scenario: NetworkScenario
    occupancy: np.ndarray
    in_transit: np.ndarray
    entered: np.ndarray
    waiting: np.ndarray
    seed: int
    wall_seconds: float
    route_persons: np.ndarray

    @property
    def person_days(self) -> float:
        """Sum over days of persons in the network (the agent-days simulated)."""
        return float(self.occupancy.sum() + self.in_transit.sum())

    def route_frame(self) -> pd.DataFrame:
        """Persons who set out along each route over the run.

        Columns: ``name1``, ``name2`` (str, as in the routes file), ``forward`` and
        ``back`` (persons from ``name1`` to ``name2`` and back), ``persons`` (both ways).
        """
        r = self.scenario.network.routes
        f, b = self.route_persons[:, 0], self.route_persons[:, 1]
        return pd.DataFrame({"name1": r["name1"].to_numpy(), "name2": r["name2"].to_numpy(),
                             "forward": f, "back": b, "persons": f + b})

    def to_frame(self) -> pd.DataFrame:
        """Tidy occupancy.

        Columns: ``day`` (int, 0 = scenario start), ``date`` (datetime64),
        ``site`` (str), ``site_type`` (str), ``persons`` (int, persons at the
        site at the end of the day).
        """
        sc = self.scenario
        names = sc.network.sites["name"].to_numpy()
        types = sc.network.sites["site_type"].to_numpy()
        d, n = self.occupancy.shape
        return pd.DataFrame(
            {
                "day": np.repeat(np.arange(d), n),
                "date": np.repeat(sc.dates.to_numpy(), n),
                "site": np.tile(names, d),
                "site_type": np.tile(types, d),
                "persons": self.occupancy.reshape(-1),
            }
        )


def conflict_state(sc: NetworkScenario) -> tuple[np.ndarray, np.ndarray]:
    """Conflict intensity in force and the day each conflict began, per day and site.

    Returns ``(intensity, onset)``, both days x sites: ``intensity`` > 0 for a
    site in conflict that day (else -1), ``onset`` the day its conflict began
    (-1 for conflicts in force from the start). With ``conflicts.csv``, Flee
    3.1's rules (``InputGeography.AddNewConflictZones``): a ``conflict_zone``
    whose ``conflict_date`` is <= 0 starts in conflict at intensity 1; a site
    enters conflict on a day its intensity rises above 1e-6 from below, at
    that day's intensity, and leaves it on a day its intensity falls below
    1e-6 from exactly 1 (later changes of intensity are not taken up).
    Without it, a ``conflict_zone`` is in conflict from its ``conflict_date``.
    """
    s = sc.network.sites
    n, days = len(s), sc.days
    is_cz = s["site_type"].to_numpy() == "conflict_zone"
    cd = s["conflict_date"].to_numpy(dtype="float64")
    intensity = np.full((days, n), -1.0)
    onset = np.full((days, n), -1.0)
    if sc.conflicts is None:
        start = np.where(is_cz, np.nan_to_num(cd, nan=np.inf), np.inf)
        began = np.where(start <= 0, -1.0, start)
        for t in range(days):
            on = start <= t
            intensity[t, on] = 1.0
            onset[t, on] = began[on]
        return intensity, onset
    v = sc.conflicts
    cur = np.where(is_cz & (np.nan_to_num(cd, nan=1.0) <= 0), 1.0, -1.0)
    since = np.full(n, -1.0)
    for t in range(days):
        prev = v[t - 1] if t > 0 else np.zeros(n)
        add = (v[t] > 1e-6) & ((prev < 1e-6) | (t == 0))
        cur[add] = v[t, add]
        since[add] = t
        if t > 0:
            cur[(v[t] < 1e-6) & (prev == 1.0)] = -1.0
        intensity[t] = cur
        onset[t] = since
    return intensity, onset


class _Compiled:
    """Arrays derived once from a scenario, including the per-day state of closures."""

    def __init__(self, sc: NetworkScenario, rules: MoveRules) -> None:
        net = sc.network
        s = net.sites
        self.n = n = len(s)
        self.type = s["site_type"].map(_TYPE_CODE).to_numpy(dtype=np.int64)
        pop = s["population"].to_numpy(dtype="float64")
        is_camp = np.isin(self.type, (_CAMP, _IDPCAMP))
        cap = np.where(is_camp & (pop > 0), pop * rules.capacity_scaling, np.inf)
        self.capacity = cap
        self.population = np.nan_to_num(pop, nan=0.0)
        country = s["country"].to_numpy()
        # Flee 3.1 (InputGeography.StoreInputGeographyInEcosystem): the home country
        # is the country of the first location; every other country is foreign.
        self.foreign = country != country[0] if n else np.zeros(0, dtype=bool)
        self.country = country
        # directed links, both ways
        idx = {nm: i for i, nm in enumerate(net.names)}
        r = net.routes
        a = r["name1"].map(idx).to_numpy(dtype=np.int64)
        b = r["name2"].map(idx).to_numpy(dtype=np.int64)
        d = r["distance_km"].to_numpy(dtype="float64")
        fr = r["forced_redirection"].to_numpy()
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        dist = np.concatenate([d, d])
        order = np.argsort(src, kind="stable")
        self.src, self.dst, self.dist = src[order], dst[order], dist[order]
        self.route_of = np.concatenate([np.arange(len(r)), np.arange(len(r))])[order]
        self.back = np.concatenate([np.zeros(len(r), np.int64), np.ones(len(r), np.int64)])[order]
        # Flee 3.1 adds a route marked 1 twice (InputGeography: the forced link and,
        # through its if/else, a plain one), so it weighs double when redirection is not enforced
        self.multiplicity = np.where((fr[self.route_of] == 1) & (not rules.forced_redirection), 2.0, 1.0)
        self.out_ptr = np.searchsorted(self.src, np.arange(n + 1))
        self.length_term = (rules.softening_km + self.dist) ** rules.weight_power
        # two-hop routes (l, l2): l2 leaves l's end and does not lead straight back
        firsts, seconds = [], []
        for link in range(len(self.src)):
            e = self.dst[link]
            nxt = np.arange(self.out_ptr[e], self.out_ptr[e + 1])
            nxt = nxt[self.dst[nxt] != self.src[link]]
            firsts.append(np.full(len(nxt), link))
            seconds.append(nxt)
        self.pair_first = np.concatenate(firsts).astype(np.int64) if firsts else np.zeros(0, dtype=np.int64)
        self.pair_second = np.concatenate(seconds).astype(np.int64) if seconds else np.zeros(0, dtype=np.int64)
        self.pair_mid = self.dst[self.pair_first]
        # pairs are grouped by first link (built in link order): segment starts for reduceat
        self.pair_links, self.pair_starts = np.unique(self.pair_first, return_index=True)
        self.pair_length_term = (
            rules.softening_km + self.dist[self.pair_first] + self.dist[self.pair_second]
        ) ** rules.weight_power
        # forced redirection: link index per route / direction
        self.redirect_links: dict[int, int] = {}  # route -> directed link
        for k in range(len(r)):
            if fr[k] == 0:
                continue
            frm, to = (a[k], b[k]) if fr[k] == 2 else (b[k], a[k])
            link = int(np.flatnonzero((self.src == frm) & (self.dst == to) & (self.route_of == k))[0])
            self.redirect_links[k] = link
        self.route_key = {(r["name1"][k], r["name2"][k]): k for k in range(len(r))}
        self.names = net.names
        self._daily_states(sc)

    def _closure_links(self, cl: Closure) -> np.ndarray:
        """Directed links a link / location / country closure acts on (bool mask)."""
        if cl.kind == "location":
            i = self.names.index(cl.name1)
            return (self.src == i) | (self.dst == i)
        if cl.kind == "link":
            i, j = self.names.index(cl.name1), self.names.index(cl.name2)
            return ((self.src == i) & (self.dst == j)) | ((self.src == j) & (self.dst == i))
        cs, cd = self.country[self.src], self.country[self.dst]
        return ((cs == cl.name1) & (cd == cl.name2)) | ((cs == cl.name2) & (cd == cl.name1))

    def _daily_states(self, sc: NetworkScenario) -> None:
        """Replay the closures day by day as Flee 3.1 enacts them (before each day's moves).

        On day ``start`` a closure acts, on day ``end`` its opposite acts
        (reopen the routes, make the site a camp again, set the redirection
        again), in file order, the closing first. Sets ``open_`` (days x
        directed links), ``kind`` (days x sites type codes) and
        ``redirect_off`` (days x routes).
        """
        days, n_links = sc.days, len(self.src)
        self.open_ = np.ones((days, n_links), dtype=bool)
        self.kind = np.tile(self.type, (days, 1))
        n_routes = len(sc.network.routes)
        self.redirect_off = np.zeros((days, n_routes), dtype=bool)
        if not sc.closures:
            return
        masks = [self._closure_links(cl) if cl.kind in ("location", "link", "country") else None
                 for cl in sc.closures]
        open_ = np.ones(n_links, dtype=bool)
        kind = self.type.copy()
        off = np.zeros(n_routes, dtype=bool)
        for t in range(days):
            for cl, mask in zip(sc.closures, masks, strict=True):
                for act, closing in ((t == cl.start, True), (cl.end is not None and t == cl.end, False)):
                    if not act:
                        continue
                    if mask is not None:
                        open_[mask] = not closing
                    elif cl.kind in ("camp", "idpcamp"):
                        i = self.names.index(cl.name1)
                        kind[i] = _TOWN if closing else (_CAMP if cl.kind == "camp" else _IDPCAMP)
                    else:  # remove_forced_redirection
                        k = self.route_key.get((cl.name1, cl.name2), self.route_key.get((cl.name2, cl.name1)))
                        if k is not None:
                            off[k] = closing
            self.open_[t] = open_
            self.kind[t] = kind
            self.redirect_off[t] = off

    def redirects(self, day: int) -> np.ndarray:
        """Directed link each site is forcibly redirected along (-1: none)."""
        out = np.full(self.n, -1, dtype=np.int64)
        for k, link in self.redirect_links.items():
            if not self.redirect_off[day, k]:
                out[self.src[link]] = link
        return out


def _decay(rules: MoveRules, elapsed: np.ndarray) -> np.ndarray:
    """Flee 3.1 ``SimulationSettings.get_conflict_decay``: factor by 30-day period since a conflict began."""
    if not rules.conflict_decay:
        return np.ones(len(elapsed))
    f = np.asarray(rules.conflict_decay)
    i = np.minimum((np.maximum(elapsed, 0) // 30).astype(np.int64), len(f) - 1)
    return f[i]


def simulate(scenario: NetworkScenario, rules: MoveRules | None = None, seed: int = 0) -> NetworkResult:
    """Run the movement model on a scenario.

    Parameters
    ----------
    scenario : NetworkScenario
    rules : MoveRules, optional
        Defaults to ``MoveRules()`` (the one setting used for every scenario; docs/network.md).
    seed : int
        Seed of the ``numpy.random.Generator`` that draws every random number.

    Returns
    -------
    NetworkResult
        Occupancy per day and site [persons]; see :class:`NetworkResult`.
    """
    rules = rules or MoveRules()
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    sc = scenario
    c = _Compiled(sc, rules)
    n, days, speed = c.n, sc.days, float(rules.max_move_speed_km)
    target = np.maximum.accumulate(np.rint(np.maximum(sc.registered_total, 0.0))).astype(np.int64)
    intensity_all, onset_all = conflict_state(sc)

    at = np.zeros(n, dtype=np.int64)
    # people on routes: directed link, km left, persons
    t_link = np.zeros(0, dtype=np.int64)
    t_rem = np.zeros(0, dtype="float64")
    t_k = np.zeros(0, dtype=np.int64)
    occupancy = np.zeros((days, n), dtype=np.int64)
    in_transit = np.zeros(days, dtype=np.int64)
    entered = np.zeros(days, dtype=np.int64)
    waiting = np.zeros(days, dtype=np.int64)
    route_persons = np.zeros((len(sc.network.routes), 2), dtype=np.int64)
    registered = 0
    placed = 0
    slot = np.arange(len(c.src)) - c.out_ptr[c.src]
    maxdeg = max(int(slot.max(initial=-1)) + 1, 1)
    finite = np.isfinite(c.capacity)
    flee_travel = rules.flee_travel

    def count_at(loc: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.bincount(loc, weights=k, minlength=n).astype(np.int64)

    for t in range(days):
        kind = c.kind[t]
        is_camp = (kind == _CAMP) | (kind == _IDPCAMP)
        open_ = c.open_[t]
        # --- conflict state and entry
        intensity = intensity_all[t]
        in_conflict = intensity > 0
        decay = _decay(rules, t - onset_all[t])
        if t == 0 and sc.initial is not None:
            at += sc.initial
            placed += int(sc.initial.sum())
            entered[0] += int(sc.initial.sum())
        registered = max(registered, int(target[t]), placed)
        due = registered - placed
        spawn_w = np.where(in_conflict, c.population * intensity * decay, 0.0)
        if due > 0 and spawn_w.sum() > 0:
            at += rng.multinomial(due, spawn_w / spawn_w.sum())
            placed += due
            entered[t] += due
        waiting[t] = registered - placed

        # --- travel on routes: who reaches the end of their route today
        # (Flee: arrival once the distance covered exceeds the route's length)
        arrive = t_rem < speed if flee_travel else t_rem <= speed
        a_link = t_link[arrive]
        a_k = t_k[arrive]
        a_rem = t_rem[arrive]
        keep = ~arrive
        t_link, t_rem, t_k = t_link[keep], t_rem[keep] - speed, t_k[keep]
        # a route closed while people were on it sends them back to its start (Flee 3.1 finish_travel)
        back = ~open_[a_link]
        at += count_at(c.src[a_link[back]], a_k[back])
        q_loc = c.dst[a_link[~back]]
        q_bud = speed - a_rem[~back]
        q_k = a_k[~back]

        # --- attractiveness, capacity and move chances at the start of the day
        occ = at + count_at(q_loc, q_k)
        if rules.count_en_route:
            occ = occ + count_at(c.dst[t_link], t_k)
        score = np.ones(n)
        score = np.where(c.foreign, score * rules.foreign_weight, score)
        score = np.where(is_camp, score * rules.camp_weight, score)
        # Flee 3.1 scoring.updateLocationScore: conflict_weight ** (decay x intensity)
        score = score * np.power(rules.conflict_weight, np.where(in_conflict, decay * intensity, 0.0))
        cap = np.ones(n)
        if finite.any():
            full_at = c.capacity[finite]
            frac = (full_at - occ[finite]) / np.maximum(full_at * (1.0 - rules.nearly_full), 1e-9)
            cap[finite] = np.clip(frac, 0.0, 1.0)
        dest_score = score * cap
        direct = dest_score[c.dst] / c.length_term
        if len(c.pair_first):
            two = np.where(open_[c.pair_second], dest_score[c.dst[c.pair_second]] / c.pair_length_term, 0.0)
        else:
            two = np.zeros(0)
        is_marker_end = kind[c.dst] == _MARKER
        if is_marker_end.any():
            # Flee: a marker is no destination of its own; routes are weighed through it
            through = np.bincount(c.pair_first, weights=two, minlength=len(direct))
            direct = np.where(is_marker_end, through, direct)
        link_w = direct
        if rules.look_ahead and len(c.pair_first):
            # best two-hop route through each link's end, never through a camp (people stop there)
            best = np.zeros(len(link_w))
            best[c.pair_links] = np.maximum.reduceat(np.where(is_camp[c.pair_mid], 0.0, two), c.pair_starts)
            link_w = np.maximum(link_w, best)
        link_w = np.where(open_, link_w * c.multiplicity, 0.0)
        if rules.forced_redirection:
            redirect = c.redirects(t)
        else:
            redirect = np.full(n, -1, dtype=np.int64)
        has_redirect = redirect >= 0
        if has_redirect.any():
            forced = np.zeros(len(link_w), dtype=bool)
            forced[redirect[has_redirect]] = True
            link_w = np.where(has_redirect[c.src], np.where(forced & open_, 1.0, 0.0), link_w)
        W = np.zeros((n, maxdeg))
        W[c.src, slot] = link_w
        row = W.sum(axis=1)
        P = W / np.where(row > 0, row, 1.0)[:, None]
        mc = np.full(n, rules.default_movechance)
        mc[kind == _CAMP] = rules.camp_movechance
        mc[kind == _IDPCAMP] = rules.idpcamp_movechance
        mc[kind == _HUB] = rules.hub_movechance
        mc[kind == _MARKER] = rules.marker_movechance
        mc[in_conflict] = rules.conflict_movechance
        mc[has_redirect] = 1.0
        mc = np.where(row > 0, mc, 0.0)  # nowhere open to go: stay

        # --- residents decide; arrivals with distance to spare decide again
        movers = rng.binomial(at, mc)
        at -= movers
        some = np.flatnonzero(movers)
        p_loc, p_bud, p_k = some, np.full(len(some), speed), movers[some]
        spent = q_bud <= 0
        at += count_at(q_loc[spent], q_k[spent])
        q_loc, q_bud, q_k = q_loc[~spent], q_bud[~spent], q_k[~spent]
        m = rng.binomial(q_k, mc[q_loc])
        at += count_at(q_loc, q_k - m)
        go = m > 0
        p_loc = np.concatenate([p_loc, q_loc[go]])
        p_bud = np.concatenate([p_bud, q_bud[go]])
        p_k = np.concatenate([p_k, m[go]])
        new_links, new_rem, new_k = [t_link], [t_rem], [t_k]
        while len(p_loc):
            split = rng.multinomial(p_k, P[p_loc])
            e, j = np.nonzero(split)
            link = c.out_ptr[p_loc[e]] + j
            k = split[e, j]
            np.add.at(route_persons, (c.route_of[link], c.back[link]), k)
            d = c.dist[link]
            b = p_bud[e]
            # Flee: each route taken gets the full day's distance; the budget only
            # decides whether the person may take another route after it
            reach = d < speed if flee_travel else d <= b
            covered = speed if flee_travel else b
            new_links.append(link[~reach])
            new_rem.append((d - covered)[~reach])
            new_k.append(k[~reach])
            dest, left, ka = c.dst[link[reach]], b[reach] - d[reach], k[reach]
            done = left <= 0
            at += count_at(dest[done], ka[done])
            dest, left, ka = dest[~done], left[~done], ka[~done]
            m = rng.binomial(ka, mc[dest])
            at += count_at(dest, ka - m)
            go = m > 0
            p_loc, p_bud, p_k = dest[go], left[go], m[go]
        t_link = np.concatenate(new_links)
        t_rem = np.concatenate(new_rem)
        t_k = np.concatenate(new_k)
        if len(t_link) > 4 * len(c.src):
            # merge groups on the same link with the same km left (to the metre)
            key = t_link * 10**9 + np.rint(t_rem * 1000).astype(np.int64)
            uk, inv = np.unique(key, return_inverse=True)
            t_k = np.bincount(inv, weights=t_k).astype(np.int64)
            t_link = uk // 10**9
            t_rem = (uk % 10**9) / 1000.0
        occupancy[t] = at
        in_transit[t] = int(t_k.sum())

    return NetworkResult(
        scenario=sc,
        occupancy=occupancy,
        in_transit=in_transit,
        entered=entered,
        waiting=waiting,
        seed=seed,
        wall_seconds=time.perf_counter() - t0,
        route_persons=route_persons,
    )
