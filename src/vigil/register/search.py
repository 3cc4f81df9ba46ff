"""Search the register by name, address or any identifier in any format (plain Python).

A phone typed as ``06-12 34 56 78`` is normalised the same way as stored
phones and so finds ``+31612345678``; names and streets are compared
accent- and case-insensitively with trigram similarity (pg_trgm).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q
from django.utils.text import capfirst

from vigil import normalise
from vigil.register.access import visible_signals
from vigil.register.models import Address, Company, Identifier, Person, Signal

LIMIT = 100
NAME_SIMILARITY = 0.35


@dataclass
class Hit:
    signal: Signal
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def search(user, query: str, limit: int = LIMIT) -> list[Hit]:
    query = (query or "").strip()
    if len(query) < 2:
        return []
    visible = visible_signals(user).values("id")
    hits: dict[int, Hit] = {}

    def add(signal_id: int, reason: str, score: float) -> None:
        hit = hits.setdefault(signal_id, Hit(signal=None))
        if reason not in hit.reasons:
            hit.reasons.append(reason)
        hit.score = max(hit.score, score)

    candidates = normalise.identifier_candidates(query)
    if candidates:
        cond = Q()
        for kind, value in candidates:
            cond |= Q(kind=kind, value=value)
        for sid, kind, given in (Identifier.objects.filter(cond, signal_id__in=visible)
                                 .values_list("signal_id", "kind", "value_given")[:limit]):
            add(sid, f"{Identifier.Kind(kind).label}: {given}", 2.0)

    parts = normalise.parse_address_line(query)
    postcode = normalise.postcode(parts.get("postcode", "")) if parts.get("postcode") else None
    number = normalise.house_number(parts["house_number"]).value if parts.get("house_number") else ""
    addr = Q()
    if postcode is not None and postcode.valid:
        addr = Q(postcode=postcode.value) & (Q(house_number=number) if number else Q())
    elif parts.get("street") and number:
        addr = Q(street_key__trigram_similar=normalise.street(parts["street"]), house_number=number)
    if addr:
        for a in Address.objects.filter(addr, signal_id__in=visible)[:limit]:
            add(a.signal_id, f"{capfirst(Address._meta.verbose_name)}: {a}", 1.5)

    key = normalise.text_key(query)
    if not candidates and len(key) >= 3 and not addr:
        for sid, name, sim in (Person.objects.filter(name_key__trigram_similar=key, signal_id__in=visible)
                               .annotate(sim=TrigramSimilarity("name_key", key)).filter(sim__gte=NAME_SIMILARITY)
                               .order_by("-sim").values_list("signal_id", "name", "sim")[:limit]):
            add(sid, f"{capfirst(Person._meta.verbose_name)}: {name}", float(sim))
        for sid, name, sim in (Company.objects.filter(name_key__trigram_similar=key, signal_id__in=visible)
                               .annotate(sim=TrigramSimilarity("name_key", key)).filter(sim__gte=NAME_SIMILARITY)
                               .order_by("-sim").values_list("signal_id", "name", "sim")[:limit]):
            add(sid, f"{capfirst(Company._meta.verbose_name)}: {name}", float(sim))
        street_key = normalise.street(query)
        for a in (Address.objects.filter(street_key__trigram_similar=street_key, signal_id__in=visible)
                  .annotate(sim=TrigramSimilarity("street_key", street_key)).filter(sim__gte=0.5)
                  .order_by("-sim")[:limit]):
            add(a.signal_id, f"{capfirst(Address._meta.verbose_name)}: {a}", float(a.sim))

    signals = Signal.objects.in_bulk(list(hits)).items()
    for sid, signal in signals:
        hits[sid].signal = signal
    ranked = sorted((h for h in hits.values() if h.signal is not None),
                    key=lambda h: (-h.score, -h.signal.received_at.timestamp()))
    return ranked[:limit]
