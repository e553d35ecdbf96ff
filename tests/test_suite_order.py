"""The suite's own scheduling rule (tests/conftest.py): under pytest-xdist the browser
tests are dealt in turn to the workers' contiguous shares, at the head of each."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("suite_conftest", Path(__file__).with_name("conftest.py"))
suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(suite)


class _Item:
    def __init__(self, name: str, browser: bool):
        self.name, self.browser = name, browser

    def get_closest_marker(self, name):
        return object() if name == "browser" and self.browser else None


class _Config:
    def __init__(self, workers):
        if workers is not None:
            self.workerinput = {"workercount": workers}


@pytest.mark.parametrize("n,workers", [(10, 2), (11, 2), (7, 3), (1341, 2), (3, 4)])
def test_shares_are_contiguous_and_cover_every_test(n, workers):
    sizes = suite._shares(n, workers)
    assert sum(sizes) == n and len(sizes) == workers
    assert max(sizes) - min(sizes) <= 1


def _items(n_quick=20, n_browser=5):
    quick = [_Item(f"q{i}", False) for i in range(n_quick)]
    browser = [_Item(f"b{i}", True) for i in range(n_browser)]
    return quick[:8] + browser + quick[8:]  # the browser tests together, as collected


def test_each_worker_share_starts_with_its_turn_of_the_browser_tests():
    items = _items()
    before = {it.name for it in items}
    suite.pytest_collection_modifyitems(_Config(2), items)
    assert {it.name for it in items} == before and len(items) == 25
    first, second = items[:12], items[12:]  # the shares worksteal hands out: 12 and 13
    assert [it.name for it in first[:3]] == ["b0", "b2", "b4"]
    assert [it.name for it in second[:2]] == ["b1", "b3"]
    assert not any(it.browser for it in first[3:] + second[2:])
    quick = [it.name for it in items if not it.browser]
    assert quick == [f"q{i}" for i in range(20)]  # the quick tests keep their order


@pytest.mark.parametrize("workers", [None, 1])
def test_one_process_keeps_the_collection_order(workers):
    items = _items()
    names = [it.name for it in items]
    suite.pytest_collection_modifyitems(_Config(workers), items)
    assert [it.name for it in items] == names
