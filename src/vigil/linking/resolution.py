"""Person resolution on the register: which person rows of different signals are one person.

``persons.resolve`` (Splink, trained without labels) does the work on plain records; this module feeds it the
register's person rows, applies the analysts' judgements (the latest on a pair counts; they override the model),
stores the clusters and the scored pairs with their explanations, and links again the signals whose persons moved,
so the graph has one entity per person.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection, transaction

from vigil.audit.log import record
from vigil.core.pgcopy import copy_row
from vigil.linking import persons, service
from vigil.linking.models import PersonJudgement, ResolvedPerson, Verdict
from vigil.register.models import Identifier, Person


def records() -> list[dict]:
    """Every named person row that is not a reporter, as a record for ``persons.resolve``."""
    ids: dict[int, dict[str, list]] = {}
    for person_id, kind, value in (Identifier.objects.filter(person__isnull=False, valid=True)
                                   .values_list("person_id", "kind", "value")):
        ids.setdefault(person_id, {}).setdefault(kind, []).append(value)
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


def judgements() -> list[tuple[str, str, str]]:
    """The latest judgement on each pair, oldest first (``resolve`` lets the last one on a pair count)."""
    latest: dict[tuple[int, int], tuple] = {}
    for a, b, verdict in PersonJudgement.objects.order_by("at", "pk").values_list("a_id", "b_id", "verdict"):
        latest[(min(a, b), max(a, b))] = (str(a), str(b), verdict)
    return list(latest.values())


def check(a: int, b: int, verdict: str) -> None:
    """Refuse a judgement that contradicts the others: "different" for two persons a chain of "same" judgements
    joins, or "same" for two whose groups someone judged different. Raises ValueError naming the chain."""
    wanted = [*judgements(), (str(a), str(b), verdict)]
    persons.check_judgements(wanted, {x for j in wanted for x in j[:2]})


def judge(user, a: Person, b: Person, verdict: str, reason: str) -> PersonJudgement:
    """Record an analyst's judgement (audited) after checking it contradicts nothing; the caller re-resolves."""
    if a.pk == b.pk:
        raise ValueError("a person is always the same as itself")
    if verdict not in Verdict.values:
        raise ValueError(f"unknown judgement {verdict!r}")
    check(a.pk, b.pk, verdict)
    j = PersonJudgement.objects.create(a=a, b=b, verdict=verdict, reason=reason, user=user)
    record(user, "review", object_type="person_pair", object_id=f"{a.pk}-{b.pk}",
           detail={"verdict": verdict}, reason=reason)
    return j


def resolve_persons(engine: str = "duckdb", progress: Callable[[int, int], None] | None = None) -> dict:
    """Resolve every person, store the clusters and scored pairs, link again the signals whose persons moved."""
    started = time.perf_counter()
    res = persons.resolve(records(), judgements=judgements(), engine=engine)
    new = {int(r): int(c) for r, c in res.clusters.items()}
    old = dict(ResolvedPerson.objects.values_list("person_id", "cluster"))
    moved = {pk for pk, c in new.items() if old.get(pk, pk) != c} | {pk for pk, c in old.items() if new.get(pk) != c}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM linking_resolvedperson")  # (TRUNCATE is refused with deferred checks pending)
        cur.execute("DELETE FROM linking_personlink")
        with cur.cursor.copy("COPY linking_resolvedperson (person_id, cluster) FROM STDIN") as copy:
            copy.write(b"".join(copy_row(pk, c) + b"\n" for pk, c in new.items() if c != pk))
        with cur.cursor.copy("COPY linking_personlink (a_id, b_id, probability, weight, linked, reason, judgement, "
                             "explanation) FROM STDIN") as copy:
            copy.write(b"".join(copy_row(int(p.id_l), int(p.id_r), p.match_probability, p.match_weight, p.linked,
                                         p.reason[:200], p.judgement or "",
                                         {"fields": [_field(f) for f in p.explanation]}) + b"\n"
                                for p in res.pairs))
    signals = sorted(set(Person.objects.filter(pk__in=moved).values_list("signal_id", flat=True)))
    for start in range(0, len(signals), service.BATCH):
        service.link_signals(signals[start:start + service.BATCH])
        if progress:
            progress(min(start + service.BATCH, len(signals)), len(signals))
    tidy = service.relink_all()
    clusters = {c for pk, c in new.items() if c != pk}
    return {"persons": len(new), "persons_in_clusters": sum(1 for pk, c in new.items() if c != pk or pk in clusters),
            "clusters": len(clusters), "pairs_linked": sum(p.linked for p in res.pairs),
            "candidates_below_threshold": sum(not p.linked for p in res.pairs),
            "judgements": len(judgements()), "signals_relinked": len(signals), "problems": len(res.problems),
            "skipped_keys": len(res.skipped_keys), "networks": tidy["networks"],
            "seconds": round(time.perf_counter() - started, 1)}


def _field(f) -> dict:
    return {"comparison": f.comparison, "level": f.level, "bayes_factor": round(f.bayes_factor, 3),
            "weight": round(f.match_weight, 2), "left": _plain(f.value_l), "right": _plain(f.value_r)}


def _plain(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return str(value)
