"""Score = probability x impact, and its band. Computed on every read, so it can never be stale."""

from __future__ import annotations

from enum import StrEnum


class Band(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


# Lowest score of each band, highest band first (DESIGN.md: 20-25 critical, 12-19 high, 6-11 medium, 1-5 low).
BAND_FLOORS: tuple[tuple[int, Band], ...] = (
    (20, Band.critical),
    (12, Band.high),
    (6, Band.medium),
    (1, Band.low),
)
BAND_RANK = {Band.low: 0, Band.medium: 1, Band.high: 2, Band.critical: 3}
ALERT_BANDS = frozenset({Band.high, Band.critical})


def score(probability: int | None, impact: int | None) -> int | None:
    if probability is None or impact is None:
        return None
    return probability * impact


def band(value: int | None) -> Band | None:
    if value is None:
        return None
    for floor, name in BAND_FLOORS:
        if value >= floor:
            return name
    raise ValueError(f"score {value} is below 1")


def band_of(probability: int | None, impact: int | None) -> Band | None:
    return band(score(probability, impact))


def band_range(name: Band) -> tuple[int, int]:
    """Inclusive score range of a band, for filtering in SQL."""
    floors = [floor for floor, _ in BAND_FLOORS]
    index = [b for _, b in BAND_FLOORS].index(name)
    upper = 25 if index == 0 else floors[index - 1] - 1
    return floors[index], upper


def is_raise_into_alert(old: Band | None, new: Band | None) -> bool:
    """A risk whose band went up and is now high or critical (a new risk has ``old`` None)."""
    if new not in ALERT_BANDS:
        return False
    return old is None or BAND_RANK[new] > BAND_RANK[old]
