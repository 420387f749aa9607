"""How big a simulated city is: the named scales and the shortest window that fits its events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    urban_departments: tuple[int, ...]  # 片区 per urban 市场部
    county_departments: tuple[int, ...]  # 片区 per county 市场部
    cms_per_territory: int
    retailers: int
    specs: int  # including launches
    launches: int
    weeks: int


SCALES = {
    "small": Scale("small", (2,), (2,), 2, 120, 25, 2, 60),
    "town": Scale("town", (4, 2), (3, 3), 2, 2000, 80, 5, 104),
    "city": Scale("city", (6, 4, 3), (4, 4, 3, 3, 3), 3, 8000, 120, 8, 104),
}

MIN_WEEKS = 40  # the planted events and launches need this many weeks
