"""Small fixtures for the capacity-model tests (no network, tiny inputs)."""

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def facilities() -> pd.DataFrame:
    return pd.read_csv(DATA / "facilities_small.csv")


@pytest.fixture
def arrivals() -> pd.DataFrame:
    return pd.read_csv(DATA / "arrivals_paths.csv")
