"""Which police regional unit (regionale eenheid) a place lies in, for the statistics by region.

The ten units are the regions the chain works in: police, public prosecution and the RIEC's are organised by them,
and referrals between police units go from one unit to another. A place name is read as the ads pages read it
(``ads.queries.municipality_of``), the municipality's CBS code gives its safety region, and the safety region its
unit (``data/police_units.json`` says where each step comes from).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vigil.ads.queries import municipality_of

UNKNOWN = "unknown"  # no address in a Dutch municipality Vigil knows


@dataclass(frozen=True)
class Unit:
    slug: str
    name: str
    safety_regions: tuple[str, ...]


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads((resources.files("vigil.statistics") / "data" / "police_units.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def units() -> tuple[Unit, ...]:
    return tuple(Unit(u["slug"], u["name"], tuple(u["safety_regions"])) for u in _data()["units"])


@lru_cache(maxsize=1)
def _unit_by_municipality() -> dict[str, str]:
    """Municipality name (as in ads/data/municipalities.json) -> unit slug."""
    region_unit = {vr: u.slug for u in units() for vr in u.safety_regions}
    code_region = _data()["municipalities"]
    names = json.loads((resources.files("vigil.ads") / "data" / "municipalities.json").read_text(encoding="utf-8"))
    return {m["name"]: region_unit[code_region[m["code"]]] for m in names["municipalities"]
            if m["code"] in code_region}


def unit_of(place: str) -> str:
    """The unit slug of a city, town or district name ('Hoogvliet' -> 'rotterdam'); UNKNOWN if not a known Dutch
    place."""
    return _unit_by_municipality().get(municipality_of(place), UNKNOWN)
