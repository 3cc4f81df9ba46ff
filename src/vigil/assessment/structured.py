"""Structured signs: small named checks on the fields of a signal or ad record (see the interchange formats).

The catalogue names a check and its parameters (`structured: {check: age_under, max: 17}`); each check returns
the evidence it found as (field path, quoted value) pairs, or nothing. Context that needs other records (how many
names one phone number has, how many cities an ad moved through) is passed in by the caller as plain numbers:
`persons_on_phone`, `cities_in_30_days`.
"""

from __future__ import annotations

import datetime as dt
import re

Evidence = list[tuple[str, str]]


def _reference_day(record: dict) -> dt.date:
    for key in ("observed_at", "received_at", "posted_at", "collected_at"):
        value = record.get(key)
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return dt.date.today()


def _persons(record: dict) -> list[dict]:
    persons = record.get("persons")
    return [p for p in persons if isinstance(p, dict)] if isinstance(persons, list) else []


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and (m := re.search(r"\d{1,3}", value)):
        return int(m.group())
    return None


def age_under(record: dict, max: int) -> Evidence:  # noqa: A002 - the catalogue's parameter name
    found = []
    for n, person in enumerate(_persons(record)):
        age = _int(person.get("estimated_age"))
        if age is not None and 0 < age <= max:
            found.append((f"persons[{n}].estimated_age", str(age)))
    age = _int(record.get("stated_age"))
    if age is not None and 0 < age <= max:
        found.append(("stated_age", str(record["stated_age"])))
    return found


def birth_date_minor(record: dict) -> Evidence:
    """Minor for certain: even the earliest birth date the (possibly partial) date allows is under 18 years ago."""
    day = _reference_day(record)
    found = []
    for n, person in enumerate(_persons(record)):
        given = person.get("birth_date")
        if not isinstance(given, str) or not (m := re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", given.strip())):
            continue
        try:
            earliest = dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        except ValueError:
            continue
        age = day.year - earliest.year - ((day.month, day.day) < (earliest.month, earliest.day))
        if 0 <= age < 18:
            found.append((f"persons[{n}].birth_date", given))
    return found


def many_at_address(record: dict, min: int) -> Evidence:  # noqa: A002
    victims = [p for p in _persons(record) if p.get("role") == "possible_victim"]
    addresses = record.get("addresses") if isinstance(record.get("addresses"), list) else []
    if len(victims) >= min and addresses:
        place = addresses[0] if isinstance(addresses[0], dict) else {}
        where = place.get("full") or " ".join(str(place.get(k) or "") for k in ("street", "house_number", "city"))
        return [("persons", f"{len(victims)} possible victims"), ("addresses[0]", where.strip())]
    return []


def documents_held(record: dict) -> Evidence:
    found = []
    for n, person in enumerate(_persons(record)):
        docs = person.get("id_documents") if isinstance(person.get("id_documents"), list) else []
        for d, doc in enumerate(docs):
            if isinstance(doc, dict) and doc.get("held_by"):
                found.append((f"persons[{n}].id_documents[{d}].held_by", str(doc["held_by"])))
    return found


def persons_on_phone(record: dict, min: int) -> Evidence:  # noqa: A002
    count = _int(record.get("persons_on_phone"))
    return [("persons_on_phone", str(count))] if count is not None and count >= min else []


def cities_in_30_days(record: dict, min: int) -> Evidence:  # noqa: A002
    count = _int(record.get("cities_in_30_days"))
    return [("cities_in_30_days", str(count))] if count is not None and count >= min else []


CHECKS = {f.__name__: f for f in (age_under, birth_date_minor, many_at_address, documents_held, persons_on_phone,
                                  cities_in_30_days)}
