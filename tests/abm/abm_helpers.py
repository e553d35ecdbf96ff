"""Helpers shared by the capacity-model tests."""

import pandas as pd


def constant_arrivals(per_month: float, months: int, start: str = "2025-01-01") -> pd.DataFrame:
    """One path with the same arrivals every month [persons per month]."""
    ds = pd.date_range(start, periods=months, freq="MS")
    return pd.DataFrame({"ds": ds, "arrivals": float(per_month)})


def facilities_frame(shelter: float, seats: float, consultations: float) -> pd.DataFrame:
    """One facility per type, open from the start, capacities in base units."""
    return pd.DataFrame({
        "facility_id": ["s", "e", "c"],
        "facility_type": ["shelter", "school", "clinic"],
        "quantity": [shelter, seats, consultations],
        "quantity_unit": ["persons", "seats", "consultations_per_day"],
    })
