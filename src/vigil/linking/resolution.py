"""Resolution on the register: which person rows, and which company rows, of different signals are one person or
one organisation.

``persons.resolve`` and ``organisations.resolve`` (Splink, trained without labels) do the work on plain records;
this module feeds them the register's rows, applies the analysts' judgements (the latest on a pair counts; they
override the model), stores the clusters and the scored pairs with their explanations, and links again the signals
whose rows moved, so the graph has one entity per person and per organisation. Persons and organisations go through
the same code: a ``Subject`` says what differs (rows, tables, records).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction

from vigil.audit.log import record
from vigil.core.pgcopy import copy_row
from vigil.linking import graph, persons, service
from vigil.linking.models import (
    OrganisationJudgement,
    OrganisationLink,
    OrganisationVerdict,
    PersonJudgement,
    PersonLink,
    ResolvedOrganisation,
    ResolvedPerson,
    Verdict,
)
from vigil.register.models import Address, Company, Identifier, Person


@dataclass(frozen=True)
class Subject:
    """What one kind of resolution works on: its register rows, where it keeps clusters, pairs and judgements."""

    noun: str  # "person", "organisation": audit object types ("person_pair"), figures
    row: type[models.Model]
    resolved: type[models.Model]
    judgement: type[models.Model]
    link: type[models.Model]
    verdicts: type[models.TextChoices]
    engine: str  # module of vigil.linking with resolve(records, judgements=..., engine=...)
    records: Callable[[], list[dict]]
    # the extra columns of ``resolved`` (after the row and the cluster), from a record
    extra_columns: tuple[str, ...] = ()
    extra: Callable[[dict], tuple] = lambda rec: ()
    # a row resolution has not seen is keyed as if alone (persons); else it is keyed by a rule (organisations), so
    # a row seen for the first time moves even when it stays alone
    unseen_alone: bool = True

    @property
    def plural(self) -> str:
        return f"{self.noun}s"

    def resolve(self, records: list[dict], judged: list, engine: str):
        import importlib

        return importlib.import_module(f"vigil.linking.{self.engine}").resolve(records, judgements=judged,
                                                                                engine=engine)


def person_records() -> list[dict]:
    """Every named person row that is not a reporter, as a record for ``persons.resolve``."""
    ids = _identifiers(Identifier.objects.filter(person__isnull=False), "person_id")
    places: dict[int, tuple[str, str]] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT ON (signal_id) signal_id, city, postcode FROM register_address "
                    "ORDER BY signal_id, position")
        for signal_id, city, postcode in cur.fetchall():
            places[signal_id] = (city, postcode)
    out = []
    for p in (Person.objects.exclude(role=Person.PersonRole.REPORTER).exclude(name="")
              .values("pk", "signal_id", "name", "birth_date_given", "nationality")):
        mine = ids.get(p["pk"], {})
        city, postcode = places.get(p["signal_id"], ("", ""))
        out.append({"id": str(p["pk"]), "name": p["name"], "birth_date": p["birth_date_given"] or None,
                    "nationality": p["nationality"] or None, "city": city or None, "postcode": postcode or None,
                    "phones": mine.get("phone", []), "emails": mine.get("email", []),
                    "documents": mine.get("document", [])})
    return out


def organisation_records() -> list[dict]:
    """Every company row with a name or a registration number, as a record for ``organisations.resolve``.

    A company row has no address or phone of its own field: its place is its signal's address that says work or
    business, else the first (``graph.company_place``); its phones, e-mails and IBANs are those the register ties
    to it and, when the signal names no other company, the signal's own (not a person's: those are the person's).
    The signal's web addresses are left out: they are the pages of ads and job sites, not the company's site."""
    companies = list(Company.objects.exclude(name="", registration_number="")
                     .values("pk", "signal_id", "name", "registration_number", "country"))
    per_signal: dict[int, int] = {}
    for c in companies:
        per_signal[c["signal_id"]] = per_signal.get(c["signal_id"], 0) + 1
    own = _identifiers(Identifier.objects.filter(company__isnull=False), "company_id")
    loose = _identifiers(Identifier.objects.filter(
        person__isnull=True, company__isnull=True, kind__in=("phone", "email", "iban"),
        signal_id__in=[s for s, n in per_signal.items() if n == 1]), "signal_id")
    addresses: dict[int, list[Address]] = {}
    for a in (Address.objects.filter(signal_id__in=list(per_signal)).order_by("signal_id", "position")
              .only("signal_id", "role", "street", "house_number_given", "postcode_given", "postcode", "city",
                    "address_key")):
        addresses.setdefault(a.signal_id, []).append(a)
    out = []
    for c in companies:
        mine = {k: list(v) for k, v in own.get(c["pk"], {}).items()}
        if per_signal[c["signal_id"]] == 1:
            for kind, values in loose.get(c["signal_id"], {}).items():
                mine.setdefault(kind, []).extend(values)
        place = graph.company_place(addresses.get(c["signal_id"], ()))
        rec = {"id": str(c["pk"]), "name": c["name"] or None, "registration": c["registration_number"] or None,
               "country": c["country"] or None, "phones": mine.get("phone", []), "emails": mine.get("email", []),
               "ibans": mine.get("iban", []), "websites": mine.get("url", [])}
        if place is not None:
            rec["city"] = graph.city_key(place.city) if place.city else None
            rec["postcode"] = place.postcode or None
            rec["address"] = graph.address_key(place.street, place.house_number_given, place.postcode_given,
                                               place.city, place.address_key) or None
        out.append(rec)
    return out


def _identifiers(rows, owner: str) -> dict[int, dict[str, list[str]]]:
    """Valid identifiers per owner (a person, company or signal id) and kind."""
    out: dict[int, dict[str, list[str]]] = {}
    for pk, kind, value in rows.filter(valid=True).values_list(owner, "kind", "value"):
        out.setdefault(pk, {}).setdefault(kind, []).append(value)
    return out


def _organisation_extra(rec: dict) -> tuple:
    """What a new company row is matched on before the next resolution (``graph.organisation_keys``)."""
    return graph.organisation_key(rec.get("name") or ""), rec.get("city") or ""


PERSONS = Subject("person", Person, ResolvedPerson, PersonJudgement, PersonLink, Verdict, "persons", person_records)
ORGANISATIONS = Subject("organisation", Company, ResolvedOrganisation, OrganisationJudgement, OrganisationLink,
                        OrganisationVerdict, "organisations", organisation_records,
                        extra_columns=("name_key", "municipality"), extra=_organisation_extra, unseen_alone=False)


def subject_of(row) -> Subject:
    for subject in (PERSONS, ORGANISATIONS):
        if isinstance(row, subject.row):
            return subject
    raise TypeError(f"nothing resolves {type(row).__name__} rows")


def judgements(subject: Subject = PERSONS) -> list[tuple[str, str, str]]:
    """The latest judgement on each pair, oldest first (``resolve`` lets the last one on a pair count)."""
    latest: dict[tuple[int, int], tuple] = {}
    for a, b, verdict in subject.judgement.objects.order_by("at", "pk").values_list("a_id", "b_id", "verdict"):
        latest[(min(a, b), max(a, b))] = (str(a), str(b), verdict)
    return list(latest.values())


def check(a: int, b: int, verdict: str, subject: Subject = PERSONS) -> None:
    """Refuse a judgement that contradicts the others: "different" for two rows a chain of "same" judgements
    joins, or "same" for two whose groups someone judged different. Raises ValueError naming the chain."""
    wanted = [*judgements(subject), (str(a), str(b), verdict)]
    persons.check_judgements(wanted, {x for j in wanted for x in j[:2]})


def judge(user, a, b, verdict: str, reason: str):
    """Record an analyst's judgement on two person rows or two company rows (audited) after checking it
    contradicts nothing; the caller re-resolves."""
    subject = subject_of(a)
    if not isinstance(b, subject.row):
        raise ValueError("two persons or two organisations are judged, not one of each")
    if a.pk == b.pk:
        raise ValueError("a row is always the same as itself")
    if verdict not in subject.verdicts.values:
        raise ValueError(f"unknown judgement {verdict!r}")
    check(a.pk, b.pk, verdict, subject)
    j = subject.judgement.objects.create(a=a, b=b, verdict=verdict, reason=reason, user=user)
    record(user, "review", object_type=f"{subject.noun}_pair", object_id=f"{a.pk}-{b.pk}",
           detail={"verdict": verdict}, reason=reason)
    return j


def resolve(subject: Subject, engine: str = "duckdb", progress: Callable[[int, int], None] | None = None) -> dict:
    """Resolve every row of the subject, store the clusters and scored pairs, link again the signals whose rows
    moved (joined or left a cluster, or were seen for the first time where that changes their key)."""
    started = time.perf_counter()
    recs = subject.records()
    res = subject.resolve(recs, judgements(subject), engine)
    new = {int(r): int(c) for r, c in res.clusters.items()}
    old = dict(subject.resolved.objects.values_list("pk", "cluster"))
    if subject.unseen_alone:
        moved = {pk for pk, c in new.items() if old.get(pk, pk) != c}
    else:
        moved = {pk for pk, c in new.items() if old.get(pk) != c}
    moved |= {pk for pk, c in old.items() if new.get(pk) != c}
    extra = {int(rec["id"]): subject.extra(rec) for rec in recs}
    resolved, link = subject.resolved._meta, subject.link._meta
    row_column = resolved.pk.column
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {resolved.db_table}")  # (TRUNCATE is refused with deferred checks pending)
        cur.execute(f"DELETE FROM {link.db_table}")
        columns = ", ".join((row_column, "cluster", *subject.extra_columns))
        with cur.cursor.copy(f"COPY {resolved.db_table} ({columns}) FROM STDIN") as copy:
            copy.write(b"".join(copy_row(pk, c, *extra.get(pk, ())) + b"\n" for pk, c in new.items()))
        with cur.cursor.copy(f"COPY {link.db_table} (a_id, b_id, probability, weight, linked, reason, judgement, "
                             "explanation) FROM STDIN") as copy:
            copy.write(b"".join(copy_row(int(p.id_l), int(p.id_r), p.match_probability, p.match_weight, p.linked,
                                         p.reason[:200], p.judgement or "",
                                         {"fields": [_field(f) for f in p.explanation]}) + b"\n"
                                for p in res.pairs))
    signals = sorted(set(subject.row.objects.filter(pk__in=moved).values_list("signal_id", flat=True)))
    for start in range(0, len(signals), service.BATCH):
        service.link_signals(signals[start:start + service.BATCH])
        if progress:
            progress(min(start + service.BATCH, len(signals)), len(signals))
    tidy = service.relink_all()
    clusters = {c for pk, c in new.items() if c != pk}
    return {subject.plural: len(new),
            f"{subject.plural}_in_clusters": sum(1 for pk, c in new.items() if c != pk or pk in clusters),
            "clusters": len(clusters), "pairs_linked": sum(p.linked for p in res.pairs),
            "candidates_below_threshold": sum(not p.linked for p in res.pairs),
            "judgements": len(judgements(subject)), "signals_relinked": len(signals), "problems": len(res.problems),
            "skipped_keys": len(res.skipped_keys), "networks": tidy["networks"],
            "seconds": round(time.perf_counter() - started, 1)}


def resolve_persons(engine: str = "duckdb", progress: Callable[[int, int], None] | None = None) -> dict:
    """Resolve every person (``resolve`` for persons)."""
    return resolve(PERSONS, engine, progress)


def resolve_organisations(engine: str = "duckdb", progress: Callable[[int, int], None] | None = None) -> dict:
    """Resolve every organisation (``resolve`` for company rows)."""
    return resolve(ORGANISATIONS, engine, progress)


def _field(f) -> dict:
    return {"comparison": f.comparison, "level": f.level, "bayes_factor": round(f.bayes_factor, 3),
            "weight": round(f.match_weight, 2), "left": _plain(f.value_l), "right": _plain(f.value_r)}


def _plain(value):
    """A value of a pair as shown: several values (phones; an address, postcode and city) as one line."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set):
        return ", ".join(str(_plain(v)) for v in value if v is not None and v != "") or None
    return str(value)
