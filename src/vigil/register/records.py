"""Turn one signal record (``formats/signal.schema.json``) into rows to store.

Plain Python, no database: the importer, the staff intake form, the demo and
the API all go through ``prepare``. Structural errors raise ``RecordError``
naming the field; bad identifier values never do: they are kept as given and
flagged (``valid=False`` and a ``problem``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import fastjsonschema
import jsonschema

from vigil import normalise
from vigil.register.models import Address, Channel, Company, Identifier, Person, Signal

KNOWN_KEYS = {
    "source", "ref", "organisation", "received_at", "observed_at", "narrative", "language", "suspected_forms",
    "urgent", "persons", "addresses", "phones", "vehicles", "organisations", "bank_accounts", "online",
    "indicators", "channel", "owner",
}
PERSON_KEYS = {"role", "name", "aliases", "birth_date", "estimated_age", "gender", "nationality", "phones",
               "emails", "id_documents", "description"}
ADDRESS_KEYS = {"role", "street", "house_number", "postcode", "city", "country", "full"}
EXTRA_CHANNELS = {Channel.PUBLIC_WEB.value, Channel.ONLINE_AD.value}
MINOR_AGE = 18


class RecordError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@cache
def schema() -> dict:
    return json.loads(resources.files("vigil.formats").joinpath("signal.schema.json").read_text())


@cache
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


@cache
def fast_validator():
    """The schema compiled to Python by fastjsonschema: ~80x faster than jsonschema on valid records.

    It implements draft-07, which agrees with 2020-12 on every keyword the schema uses
    (tests/test_records.py checks that both give the same verdict). jsonschema still writes
    the error message for an invalid record.
    """
    return fastjsonschema.compile(schema())


def _path(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(record)"


def validate(record) -> None:
    """Raise RecordError for the first schema violation, naming the field."""
    if not isinstance(record, dict):
        raise RecordError("(record)", "a JSON object is expected")
    try:
        fast_validator()(record)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    error = jsonschema.exceptions.best_match(validator().iter_errors(record))
    if error is not None:
        raise RecordError(_path(error), error.message)


def parse_datetime(value: str, field: str) -> tuple[dt.datetime, bool]:
    """ISO 8601 date or date-time; a date alone counts as midnight Amsterdam time. Returns (value, date_only)."""
    from zoneinfo import ZoneInfo

    text = value.strip()
    try:
        if len(text) == 10:
            d = dt.date.fromisoformat(text)
            return dt.datetime(d.year, d.month, d.day, tzinfo=ZoneInfo("Europe/Amsterdam")), True
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(field, f"not an ISO 8601 date or date-time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    try:
        return parsed.astimezone(dt.UTC), False  # the same moment; PostgreSQL refuses offsets beyond ±15:59
    except OverflowError:
        raise RecordError(field, f"out of range: {value!r}") from None


def unstorable(value, path: str = "") -> str | None:
    """The first field holding text PostgreSQL cannot store (U+0000, or half of a surrogate pair: JSON allows both
    as escapes), or None. Found before anything is written, so it is that record's error, not its batch's."""
    if isinstance(value, str):
        if "\x00" in value:
            return path or "(record)"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(record)"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            found = unstorable(k, path) or unstorable(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    elif isinstance(value, list):
        for n, v in enumerate(value):
            found = unstorable(v, f"{path}[{n}]")
            if found:
                return found
    return None


def content_hash(record: dict) -> str:
    blob = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class PreparedPerson:
    person: Person
    identifiers: list[Identifier] = field(default_factory=list)


@dataclass
class PreparedCompany:
    company: Company
    identifiers: list[Identifier] = field(default_factory=list)


@dataclass
class Prepared:
    """A signal and its children, unsaved, with foreign keys still to fill in."""

    record: dict
    signal: Signal
    persons: list[PreparedPerson]
    addresses: list[Address]
    companies: list[PreparedCompany]
    identifiers: list[Identifier]  # not tied to a person or company
    owner_slug: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.signal.sender_key, self.signal.ref)

    def all_identifiers(self):
        yield from self.identifiers
        for p in self.persons:
            yield from p.identifiers
        for c in self.companies:
            yield from c.identifiers


# Company registration numbers (KvK) follow the same rules as document numbers: no separators, upper case.
NORMALISE_AS = {"registration": "document"}


def identifier(kind: str, given, **detail) -> Identifier:
    if kind == "plate":
        norm = normalise.plate(given, country=detail.get("country") or "NL")
    else:
        norm = normalise.normalise(NORMALISE_AS.get(kind, kind), given)
    return Identifier(kind=kind, value_given=norm.given[:2000], value=norm.value[:2000], valid=norm.valid,
                      problem=norm.problem, country=norm.country[:2],
                      detail={k: v for k, v in detail.items() if v})


def _str(value) -> str:
    return "" if value is None else str(value).strip()


def _person(pos: int, data: dict, received: dt.datetime) -> PreparedPerson:
    problems = []
    birth = normalise.partial_date(_str(data.get("birth_date")))
    if data.get("birth_date") and not birth.valid:
        problems.append(f"birth_date: {birth.problem}")
    nat_given = _str(data.get("nationality"))
    nat = normalise.country(nat_given) if nat_given else None
    if nat is not None and not nat.valid:
        problems.append(f"nationality: unknown country {nat_given!r}")
    name = _str(data.get("name"))
    age = data.get("estimated_age")
    if age is not None and not 0 <= age < 130:
        problems.append(f"estimated_age: {age} is not a plausible age")
        age = None
    person = Person(
        position=pos, role=data.get("role") or Person.PersonRole.OTHER, name=name[:300],
        name_key=normalise.text_key(name)[:300], aliases=[_str(a)[:300] for a in data.get("aliases") or []],
        birth_date_given=_str(data.get("birth_date"))[:40],
        birth_year=birth.year if birth.valid else None, birth_month=birth.month if birth.valid else None,
        birth_day=birth.day if birth.valid else None, estimated_age=age, gender=_str(data.get("gender"))[:40],
        nationality_given=nat_given[:100], nationality=nat.value if nat is not None and nat.valid else "",
        description=_str(data.get("description")), problems=problems,
        extra={k: v for k, v in data.items() if k not in PERSON_KEYS},
    )
    idents = [identifier("phone", p) for p in data.get("phones") or []]
    idents += [identifier("email", e) for e in data.get("emails") or []]
    for doc in data.get("id_documents") or []:
        if doc.get("number"):
            idents.append(identifier("document", doc["number"], type=doc.get("type"), country=doc.get("country")))
    return PreparedPerson(person, idents)


def is_minor(person: Person, at: dt.datetime) -> bool:
    if person.estimated_age is not None and person.estimated_age < MINOR_AGE:
        return True
    if person.birth_year:
        month, day = person.birth_month or 1, person.birth_day or 1
        try:
            eighteenth = dt.date(person.birth_year + MINOR_AGE, month, day)
        except ValueError:
            eighteenth = dt.date(person.birth_year + MINOR_AGE, month, 28)
        return at.date() < eighteenth
    return False


def _address(pos: int, data: dict) -> Address:
    street, number, postcode, city = (_str(data.get(k)) for k in ("street", "house_number", "postcode", "city"))
    full = _str(data.get("full"))
    if full and not (street or postcode):
        parsed = normalise.parse_address_line(full)
        street, number = parsed.get("street", ""), number or parsed.get("house_number", "")
        postcode, city = parsed.get("postcode", ""), city or parsed.get("city", "")
    problems = []
    pc = normalise.postcode(postcode) if postcode else None
    if pc is not None and not pc.valid:
        problems.append(f"postcode: {pc.problem}")
    hn = normalise.house_number(number) if number else None
    if hn is not None and not hn.valid:
        problems.append(f"house_number: {hn.problem}")
    country_given = _str(data.get("country"))
    ctry = normalise.country(country_given) if country_given else None
    city_norm = normalise.city(city) if city else None
    pc_value = pc.value if pc is not None and pc.valid else ""
    hn_value = hn.value if hn is not None else ""
    return Address(
        position=pos, role=_str(data.get("role"))[:100], street=street[:200], house_number_given=number[:40],
        postcode_given=postcode[:20], city=city[:100], country_given=country_given[:100], full=full[:500],
        street_key=normalise.street(street)[:200] if street else "", house_number=hn_value[:40], postcode=pc_value,
        city_key=city_norm.value[:100] if city_norm else "",
        country=(ctry.value if ctry is not None and ctry.valid else ("NL" if not country_given else ""))[:2],
        address_key=normalise.address_key(street, number, postcode, city)[:300], problems=problems,
        extra={k: v for k, v in data.items() if k not in ADDRESS_KEYS},
    )


def prepare(record: dict, *, check_schema: bool = True) -> Prepared:
    """Validate and normalise one record. Raises RecordError for what cannot be stored."""
    bad = unstorable(record)
    if bad:
        raise RecordError(bad, "contains text that cannot be stored (U+0000 or an unpaired surrogate)")
    if check_schema:
        validate(record)
    channel = record.get("channel") if record.get("channel") in EXTRA_CHANNELS else record["source"]
    if record.get("channel") and record["channel"] not in EXTRA_CHANNELS and record["channel"] != record["source"]:
        raise RecordError("channel", f"unknown channel {record['channel']!r}")
    received, _ = parse_datetime(record["received_at"], "received_at")
    observed, observed_date_only = (None, False)
    if record.get("observed_at"):
        observed, observed_date_only = parse_datetime(record["observed_at"], "observed_at")
    sender = _str(record.get("organisation"))
    signal = Signal(
        channel=channel, sending_organisation=sender[:200], sender_key=normalise.text_key(sender)[:200],
        ref=record["ref"].strip()[:200], received_at=received, observed_at=observed,
        observed_date_only=observed_date_only, narrative=record.get("narrative") or "",
        language=_str(record.get("language"))[:8].lower(), urgent=bool(record.get("urgent")),
        forms=sorted(set(record.get("suspected_forms") or [])),
        source_indicators=[_str(i)[:300] for i in record.get("indicators") or []],
        online=[_str(u)[:2000] for u in record.get("online") or []],
        extra={k: v for k, v in record.items() if k not in KNOWN_KEYS},
        content_hash=content_hash(record),
    )
    if not signal.ref:
        raise RecordError("ref", "empty reference")
    persons = [_person(i, p, received) for i, p in enumerate(record.get("persons") or [])]
    addresses = [_address(i, a) for i, a in enumerate(record.get("addresses") or [])]
    companies = []
    for i, org in enumerate(record.get("organisations") or []):
        name = _str(org.get("name"))
        reg = _str(org.get("registration_number"))
        company = Company(position=i, name=name[:300], name_key=normalise.text_key(name)[:300],
                          registration_number=reg[:40], country=_str(org.get("country"))[:2].upper(),
                          role=_str(org.get("role"))[:100],
                          extra={k: v for k, v in org.items() if k not in {"name", "registration_number", "country", "role"}})
        companies.append(PreparedCompany(company, [identifier("registration", reg)] if reg else []))
    idents = [identifier("phone", p) for p in record.get("phones") or []]
    idents += [identifier("iban", b) for b in record.get("bank_accounts") or []]
    for v in record.get("vehicles") or []:
        if v.get("plate"):
            idents.append(identifier("plate", v["plate"], country=v.get("country"), description=v.get("description")))
    for item in record.get("online") or []:
        kind = "handle" if _str(item).startswith("@") else "url"
        idents.append(identifier(kind, item))
    signal.sensitive = channel == Channel.IND_OBSERVATION or any(is_minor(p.person, received) for p in persons)
    return Prepared(record=record, signal=signal, persons=persons, addresses=addresses, companies=companies,
                    identifiers=idents, owner_slug=_str(record.get("owner")))
