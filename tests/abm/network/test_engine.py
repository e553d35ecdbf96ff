"""Movement engine: hand-checkable allocations, capacity, closures, conservation, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm.errors import ConfigError, InputError
from abm.network import Closure, MoveRules, simulate

from .conftest import make_network, make_scenario

STAY_IN_CAMP = MoveRules(camp_movechance=0.0)


def test_fork_split_follows_inverse_distance(fork):
    # weight = score / (10 km + d): B 1/60, C 1/160 -> P(B) = 160 / 220
    n = 200_000
    r = simulate(make_scenario(fork, 3, [n, n, n]), STAY_IN_CAMP, seed=3)
    b, c = r.occupancy[-1, 1], r.occupancy[-1, 2]
    assert b + c == n
    assert b / n == pytest.approx(160 / 220, abs=0.005)


def test_camp_weight_shifts_the_split(fork):
    # the conflict zone's own score does not matter; camps equal -> same split; a camp at 2x
    # weight vs conflict origin does not change B/C either, but a foreign camp does.
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("B", "X", "camp", np.nan), ("C", "Y", "camp", np.nan)],
        [("A", "B", 50.0), ("A", "C", 150.0)],
    )
    n = 200_000
    r = simulate(make_scenario(net, 3, [n] * 3), STAY_IN_CAMP.with_(foreign_weight=3.0), seed=1)
    # C is foreign: weights 1/60 vs 3/160 -> P(B) = (1/60) / (1/60 + 3/160) = 160 / 340
    assert r.occupancy[-1, 1] / n == pytest.approx(160 / 340, abs=0.005)


def test_travel_takes_days_at_200_km_per_day():
    net = make_network([("A", "X", "conflict_zone", 1.0), ("C", "X", "camp", np.nan)], [("A", "C", 450.0)])
    r = simulate(make_scenario(net, 4, [500] * 4), STAY_IN_CAMP, seed=0)
    # 200 km on day 0, 400 km by day 1, arrives on day 2
    assert r.occupancy[:, 1].tolist() == [0, 0, 500, 500]
    assert r.in_transit.tolist() == [500, 500, 0, 0]


def test_short_hops_chain_within_one_day():
    # A -> T (50 km) -> C (60 km), T redirects everyone to C: 110 km < 200 km, all in C on day 0
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("T", "X", "town", np.nan), ("C", "X", "camp", np.nan)],
        [("A", "T", 50.0), ("T", "C", 60.0, 2)],
    )
    r = simulate(make_scenario(net, 1, [1000]), STAY_IN_CAMP, seed=0)
    assert r.occupancy[0].tolist() == [0, 0, 1000]
    # with 150 + 60 km the second hop does not fit in one day when the day's 200 km are a budget
    net2 = make_network(
        [("A", "X", "conflict_zone", 1.0), ("T", "X", "town", np.nan), ("C", "X", "camp", np.nan)],
        [("A", "T", 150.0), ("T", "C", 60.0, 2)],
    )
    r2 = simulate(make_scenario(net2, 2, [1000, 1000]), STAY_IN_CAMP.with_(flee_travel=False), seed=0)
    assert r2.occupancy[0].tolist() == [0, 0, 0] and r2.in_transit[0] == 1000
    assert r2.occupancy[1].tolist() == [0, 0, 1000]


def test_full_camp_diverts_to_the_other():
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("B", "X", "camp", 1000.0), ("C", "X", "camp", np.nan)],
        [("A", "B", 50.0), ("A", "C", 150.0)],
    )
    days = 200
    total = 100.0 * np.arange(1, days + 1)
    r = simulate(make_scenario(net, days, total), STAY_IN_CAMP, seed=2)
    b = r.occupancy[:, 1]
    assert b.max() <= 1000 + 100  # one day's entries can overshoot (occupancy read at day start)
    assert b[-1] >= 900
    assert r.occupancy[-1, 2] >= total[-1] - 1100 - r.in_transit[-1]


def test_link_closure_reopens_on_its_end_day(fork):
    # Flee closes on day `start` and reopens on day `end`: A-B closed on days 0..9 only
    sc = make_scenario(fork, 20, 100.0 * np.arange(1, 21), closures=(Closure("link", "A", "B", 0, 10),))
    r = simulate(sc, STAY_IN_CAMP, seed=4)
    assert r.occupancy[:10, 1].sum() == 0
    assert r.occupancy[10, 1] > 0  # open again on day 10 (A-B is 50 km: same-day arrival)
    assert Closure("link", "A", "B", 0, 10).active(9) and not Closure("link", "A", "B", 0, 10).active(10)
    assert not Closure("link", "A", "B", 3, 3).active(3)  # closed and reopened the same day
    assert Closure("link", "A", "B", 3, 0).active(300)  # end before start: to the end of the run


def test_location_closure_closes_every_route_of_the_site(fork):
    # Flee's `location,X,<ignored>,...`: every route into and out of X; name2 is not read
    sc = make_scenario(fork, 6, [100] * 6, closures=(Closure("location", "A", "ignored", 0, 3),))
    r = simulate(sc, STAY_IN_CAMP, seed=0)
    assert r.occupancy[:3, 0].tolist() == [100] * 3  # nobody can leave A on days 0-2
    assert r.occupancy[3:, 0].sum() == 0  # A reopens on day 3 (conflict zone: everyone leaves)


def test_camp_closure_makes_the_camp_a_town_until_its_end_day():
    # camp B closed days 0-4: it moves like a town (0.3/day), so people pass on to camp C
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("B", "X", "camp", np.nan), ("C", "X", "camp", np.nan)],
        [("A", "B", 10.0), ("B", "C", 300.0)],
    )
    rules = MoveRules(camp_movechance=0.0, max_move_speed_km=400.0)
    open_ = simulate(make_scenario(net, 10, [1000] * 10), rules, seed=1)
    shut = simulate(make_scenario(net, 10, [1000] * 10, closures=(Closure("camp", "B", "", 0, 5),)), rules, seed=1)
    assert open_.occupancy[-1, 2] == 0
    assert shut.occupancy[4, 2] > 100  # people left B for C while B was no camp
    assert shut.occupancy[5:, 1].tolist() == [shut.occupancy[5, 1]] * 5  # a camp again: nobody leaves


def test_country_closure_respected():
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("B", "Y", "camp", np.nan), ("C", "Z", "camp", np.nan)],
        [("A", "B", 50.0), ("A", "C", 150.0)],
    )
    sc = make_scenario(net, 10, 100.0 * np.arange(1, 11), closures=(Closure("country", "Y", "X", 0, None),))
    r = simulate(sc, STAY_IN_CAMP, seed=5)
    assert r.occupancy[:, 1].sum() == 0
    assert r.occupancy[-1, 2] == 1000


def test_closed_everywhere_people_stay_put(fork):
    sc = make_scenario(fork, 5, [100] * 5, closures=(Closure("location", "A", "B", 0, None),
                                                      Closure("location", "A", "C", 0, None)))
    r = simulate(sc, seed=0)
    assert r.occupancy[:, 0].tolist() == [100] * 5


def test_forced_redirection_and_its_removal():
    # everyone reaching hub H is sent on to B until day 5, then H behaves like a town
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("H", "Y", "forwarding_hub", np.nan),
         ("B", "Y", "camp", np.nan), ("C", "Y", "camp", np.nan)],
        [("A", "H", 10.0), ("H", "B", 30.0, 2), ("H", "C", 30.0)],
    )
    sc = make_scenario(net, 5, [10_000] * 5)
    r = simulate(sc, STAY_IN_CAMP, seed=0)
    assert r.occupancy[-1, 3] == 0  # nobody reaches C while the redirection holds
    assert r.occupancy[-1, 2] > 9_000
    sc2 = sc.with_closures(Closure("remove_forced_redirection", "H", "B", 0, None))
    r2 = simulate(sc2, STAY_IN_CAMP, seed=0)
    assert r2.occupancy[-1, 3] > 1_000


def test_entries_wait_for_a_conflict():
    # A is a town that conflicts.csv puts in conflict from day 2 (a conflict_zone with conflict_date
    # 0 would be in conflict from day 0 whatever conflicts.csv says, as in Flee 3.1)
    net = make_network([("A", "X", "town", 1.0), ("C", "X", "camp", np.nan)], [("A", "C", 10.0)])
    sc = make_scenario(net, 4, [50, 50, 80, 80])
    sc = type(sc)(network=sc.network, start=sc.start, days=4, registered_total=sc.registered_total,
                  conflicts=np.array([[0, 0], [0, 0], [1, 0], [1, 0]], dtype=float))
    r = simulate(sc, STAY_IN_CAMP, seed=0)
    assert r.waiting.tolist() == [50, 50, 0, 0]
    assert r.entered.tolist() == [0, 0, 80, 0]
    assert r.occupancy[-1, 1] == 80


def test_seeded_runs_are_deterministic(fork):
    sc = make_scenario(fork, 30, 37.0 * np.arange(1, 31))
    a = simulate(sc, seed=11)
    b = simulate(sc, seed=11)
    c = simulate(sc, seed=12)
    assert np.array_equal(a.occupancy, b.occupancy)
    assert not np.array_equal(a.occupancy, c.occupancy)


def test_to_frame_columns(fork):
    r = simulate(make_scenario(fork, 3, [10, 20, 30]), seed=0)
    f = r.to_frame()
    assert list(f.columns) == ["day", "date", "site", "site_type", "persons"]
    assert len(f) == 9
    assert f.groupby("day")["persons"].sum().tolist() == (r.occupancy.sum(axis=1)).tolist()


def test_bad_rules_and_scenarios_raise(fork):
    with pytest.raises(ConfigError, match="camp_movechance"):
        MoveRules(camp_movechance=1.5)
    with pytest.raises(ConfigError, match="conflict_decay"):
        MoveRules(conflict_decay=(1.0, -0.5))
    with pytest.raises(InputError, match="shape"):
        make_scenario(fork, 3, [1, 2])
    with pytest.raises(InputError, match="NA"):
        make_scenario(fork, 2, [1, np.nan])
    with pytest.raises(InputError, match="unknown site"):
        make_scenario(fork, 2, [1, 2], closures=(Closure("link", "A", "Q", 0, 1),))
    with pytest.raises(InputError, match="closure kind"):
        Closure("bridge", "A", "B", 0, 1)


@st.composite
def random_networks(draw):
    n = draw(st.integers(2, 7))
    types = ["conflict_zone"] + [draw(st.sampled_from(["town", "camp", "forwarding_hub", "marker", "conflict_zone"]))
                                 for _ in range(n - 1)]
    sites = [(f"S{i}", draw(st.sampled_from(["X", "Y"])), types[i],
              float(draw(st.integers(50, 5000)))) for i in range(n)]
    routes = []
    for i in range(1, n):  # a spanning tree plus extra edges
        j = draw(st.integers(0, i - 1))
        routes.append((f"S{j}", f"S{i}", float(draw(st.integers(1, 600)))))
    for _ in range(draw(st.integers(0, 3))):
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if i != j:
            routes.append((f"S{i}", f"S{j}", float(draw(st.integers(1, 600)))))
    days = draw(st.integers(1, 25))
    daily = draw(st.lists(st.integers(0, 3000), min_size=days, max_size=days))
    closures = ()
    if draw(st.booleans()):
        a, b, _ = routes[0]
        kind = draw(st.sampled_from(["location", "link", "camp"]))
        closures = (Closure(kind, a, b, draw(st.integers(0, 5)), draw(st.integers(0, 30))),)
    return make_network(sites, routes), days, np.cumsum(daily), closures


@settings(max_examples=40, deadline=None)
@given(random_networks(), st.integers(0, 2**31 - 1), st.booleans(), st.booleans())
def test_nobody_is_lost(case, seed, look_ahead, flee_travel):
    net, days, total, closures = case
    rules = MoveRules(look_ahead=look_ahead, flee_travel=flee_travel)
    r = simulate(make_scenario(net, days, total, closures), rules, seed=seed)
    assert (r.occupancy >= 0).all() and (r.in_transit >= 0).all()
    # everyone registered is at a site, on a route, or waiting for a conflict zone to enter by
    assert np.array_equal(r.occupancy.sum(axis=1) + r.in_transit + r.waiting, np.rint(total).astype(int))


@pytest.mark.parametrize(("look_ahead", "p_t1"), [(False, 0.5), (True, (4 / 110) / (4 / 110 + 1 / 60))])
def test_lookahead_sees_the_camp_beyond_a_town(look_ahead, p_t1):
    # A -> T1 (50 km) -> C (50 km, camp weight 4); A -> T2 (50 km) dead end. Towns hold people.
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("T1", "X", "town", np.nan), ("T2", "X", "town", np.nan),
         ("C", "X", "camp", np.nan)],
        [("A", "T1", 50.0), ("T1", "C", 50.0), ("A", "T2", 50.0)],
    )
    rules = MoveRules(default_movechance=0.0, camp_weight=4.0, look_ahead=look_ahead)
    n = 100_000
    r = simulate(make_scenario(net, 1, [n]), rules, seed=8)
    assert r.occupancy[0, 1] / n == pytest.approx(p_t1, abs=0.006)


def test_initial_occupancy_counts_as_entered(fork):
    sc = make_scenario(fork, 3, [600, 700, 800])
    sc = type(sc)(network=fork, start=sc.start, days=3, registered_total=sc.registered_total,
                  initial=np.array([0, 500, 0]))
    r = simulate(sc, STAY_IN_CAMP, seed=0)
    assert r.entered.tolist() == [600, 100, 100]
    assert r.occupancy[0, 1] >= 500
    assert (r.occupancy.sum(axis=1) + r.in_transit).tolist() == [600, 700, 800]
    with pytest.raises(InputError, match="initial"):
        type(sc)(network=fork, start=sc.start, days=3, registered_total=sc.registered_total,
                 initial=np.array([0, -1, 0]))


def test_flee_travel_gives_each_new_route_the_full_days_distance():
    # A -> T 150 km -> C 150 km. Budget: 200 km/day, C reached on day 1. Flee 3.1: after
    # arriving at T with 50 km to spare, the next route gets a full 200 km: C on day 0.
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("T", "X", "marker", np.nan), ("C", "X", "camp", np.nan)],
        [("A", "T", 150.0), ("T", "C", 150.0)],
    )
    sc = make_scenario(net, 2, [1000, 1000])
    rules = STAY_IN_CAMP.with_(conflict_weight=0.0)  # nobody turns back to A
    budget = simulate(sc, rules.with_(flee_travel=False), seed=0)
    flee = simulate(sc, rules.with_(flee_travel=True), seed=0)
    assert budget.occupancy[0, 2] == 0 and budget.occupancy[1, 2] == 1000
    assert flee.occupancy[0, 2] == 1000


def test_route_length_equal_to_the_days_distance_arrives_next_day_under_flee_rules():
    # Flee: arrival once the distance covered *exceeds* the route's length
    net = make_network([("A", "X", "conflict_zone", 1.0), ("C", "X", "camp", np.nan)], [("A", "C", 200.0)])
    r = simulate(make_scenario(net, 2, [10, 10]), STAY_IN_CAMP.with_(flee_travel=True), seed=0)
    assert r.occupancy[:, 1].tolist() == [0, 10]


def test_closed_route_sends_travellers_back_to_its_start():
    # 500 km route: people on it when it closes (day 1) return to A on arrival (day 2), as in Flee
    net = make_network([("A", "X", "conflict_zone", 1.0), ("C", "X", "camp", np.nan)], [("A", "C", 500.0)])
    sc = make_scenario(net, 4, [100] * 4, closures=(Closure("link", "A", "C", 1, None),))
    r = simulate(sc, STAY_IN_CAMP, seed=0)
    assert r.in_transit.tolist() == [100, 100, 0, 0]
    assert r.occupancy[2:, 0].tolist() == [100, 100] and r.occupancy[:, 1].sum() == 0


def test_forced_redirection_is_ignored_under_flee_31_rules():
    net = make_network(
        [("A", "X", "conflict_zone", 1.0), ("H", "Y", "forwarding_hub", np.nan),
         ("B", "Y", "camp", np.nan), ("C", "Y", "camp", np.nan)],
        [("A", "H", 10.0), ("H", "B", 30.0, 2), ("H", "C", 30.0)],
    )
    r = simulate(make_scenario(net, 5, [10_000] * 5), STAY_IN_CAMP.with_(forced_redirection=False), seed=0)
    assert r.occupancy[-1, 3] > 3_000  # C is reached: Flee 3.1 never acts on the flag


def test_conflict_decay_lowers_spawning_from_old_conflicts():
    # A in conflict from day 0, B from day 100; 10,000 enter on day 125. Flee 3.1 decay by
    # 30-day period (1, 1, 1, 0.5, 0.1): A is in period 4 (x0.1), B in period 0 (x1)
    net = make_network(
        [("A", "X", "town", 1000.0), ("B", "X", "town", 1000.0), ("C", "X", "camp", np.nan)],
        [("A", "C", 10.0), ("B", "C", 10.0)],
    )
    days = 126
    conf = np.zeros((days, 3))
    conf[:, 0] = 1.0
    conf[100:, 1] = 1.0
    total = np.where(np.arange(days) >= 125, 10_000.0, 0.0)
    sc = make_scenario(net, days, total)
    sc = type(sc)(network=net, start=sc.start, days=days, registered_total=total, conflicts=conf)
    r = simulate(sc, MoveRules(conflict_movechance=0.0), seed=2)
    assert r.occupancy[-1, 0] / 10_000 == pytest.approx(0.1 / 1.1, abs=0.01)
    flat = simulate(sc, MoveRules(conflict_movechance=0.0, conflict_decay=()), seed=2)
    assert flat.occupancy[-1, 0] / 10_000 == pytest.approx(0.5, abs=0.02)
