"""The graph as FollowTheMoney entities, for Aleph, OpenAleph, nomenklatura and other FtM tools.

Mapping (FtM 4 has no schema for a phone number or an e-mail address: they are properties):

| Vigil | FtM |
|---|---|
| signal, ad network | ``PlainText`` (title, date; the phones, e-mails, IBANs, names and addresses it mentions as ``*Mentioned``) — the narrative itself is not exported |
| person | ``Person`` (name, the other spellings as ``alias``, the phones and e-mails it uses) |
| organisation | ``Company`` (name, the KvK numbers its company rows give as ``registrationNumber``) |
| address | ``Address`` (full, city) |
| vehicle, bank account, account | ``Vehicle`` (registrationNumber), ``BankAccount`` (iban), ``UserAccount`` (username, service) |
| identity document | ``Identification`` (number, holder) when a source says whose it is |
| "mentions" | ``Documentation`` (document → entity, role and field as given, date) |

Ids are stable: ``vigil-<kind>-<entity id>``, signed with nothing secret. The export holds what the user running it
may read; the command runs as the system (every source), audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from followthemoney import model
from followthemoney.proxy import EntityProxy

from vigil.linking.models import Edge, Entity, Kind

SCHEMA = {Kind.SIGNAL: "PlainText", Kind.AD_NETWORK: "PlainText", Kind.PERSON: "Person",
          Kind.ORGANISATION: "Company", Kind.ADDRESS: "Address", Kind.VEHICLE: "Vehicle",
          Kind.BANK_ACCOUNT: "BankAccount", Kind.HANDLE: "UserAccount"}
MENTIONED = {Kind.PHONE: "phoneMentioned", Kind.EMAIL: "emailMentioned", Kind.BANK_ACCOUNT: "ibanMentioned",
             Kind.PERSON: "peopleMentioned", Kind.ORGANISATION: "companiesMentioned",
             Kind.ADDRESS: "locationMentioned"}


def fid(entity: Entity) -> str:
    return f"vigil-{entity.kind}-{entity.pk}"


def _proxy(entity: Entity) -> EntityProxy | None:
    schema = SCHEMA.get(entity.kind)
    if schema is None:
        return None
    p = model.make_entity(schema)
    p.id = fid(entity)
    if entity.kind in (Kind.SIGNAL, Kind.AD_NETWORK):
        p.add("title", entity.label)
        if entity.first_seen:
            p.add("date", entity.first_seen.date().isoformat())
    elif entity.kind == Kind.PERSON:
        p.add("name", entity.label)
        p.add("alias", [v for v in entity.variants if v != entity.label])
    elif entity.kind == Kind.ORGANISATION:
        p.add("name", entity.label)
        if entity.key.startswith("kvk:"):
            p.add("registrationNumber", entity.key[4:])
            p.add("jurisdiction", "nl")
    elif entity.kind == Kind.ADDRESS:
        p.add("full", entity.label)
        p.add("city", entity.city)
        p.add("country", "nl")
    elif entity.kind == Kind.VEHICLE:
        p.add("registrationNumber", entity.key)
    elif entity.kind == Kind.BANK_ACCOUNT:
        p.add("iban", entity.key)
    elif entity.kind == Kind.HANDLE:
        service, _, name = entity.key.partition(":")
        p.add("username", name or entity.key)
        p.add("service", service if name else None)
    return p


class End(NamedTuple):
    """One end of a link: its key among the proxies, its kind, its normalised key and its entity id."""

    ref: object
    kind: str
    key: str
    pk: int


def fold_link(proxies: dict, documents: list, a: End, b: End, relation: str, *, given=None, field=None, role=None,
              date: str | None = None, link_id: str = "") -> None:
    """Fold one link of the graph into FtM: what a source mentions becomes its ``*Mentioned`` properties and a
    ``Documentation``; what a person or company uses becomes its phone, e-mail, identification, account or vehicle.
    Shared by the graph export and the referral dossier, so both map a link the same way."""
    if relation == "mentions":
        doc = proxies.get(a.ref)
        if doc is None:
            return
        if b.kind in MENTIONED:
            doc.add(MENTIONED[b.kind], given if b.kind == Kind.ADDRESS else
                    (proxies[b.ref].first("name") if b.ref in proxies and b.kind in (Kind.PERSON, Kind.ORGANISATION)
                     else b.key))
        if b.ref in proxies:
            link = model.make_entity("Documentation")
            link.id = link_id
            link.add("document", doc.id)
            link.add("entity", proxies[b.ref].id)
            link.add("role", " · ".join(x for x in (field, role) if x))
            link.add("summary", given)
            link.add("date", date)
            documents.append(link)
    elif relation == "uses":
        owner = proxies.get(a.ref)
        if owner is None:
            return
        if b.kind == Kind.PHONE:
            owner.add("phone", b.key, quiet=True)
        elif b.kind == Kind.EMAIL:
            owner.add("email", b.key, quiet=True)
        elif b.kind == Kind.DOCUMENT and a.kind == Kind.PERSON:
            ident = model.make_entity("Identification")
            ident.id = f"vigil-identification-{b.pk}-{a.pk}"
            ident.add("number", b.key)
            ident.add("holder", owner.id)
            documents.append(ident)
        elif b.kind in (Kind.BANK_ACCOUNT, Kind.VEHICLE) and b.ref in proxies:
            proxies[b.ref].add("owner", owner.id)


def entities(batch: int = 2000) -> Iterator[EntityProxy]:
    """Every entity and link as FtM proxies, streamed (entities first, then the links between them)."""
    proxies: dict[int, EntityProxy] = {}
    kinds: dict[int, End] = {}
    for entity in Entity.objects.order_by("pk").iterator(chunk_size=batch):
        kinds[entity.pk] = End(entity.pk, entity.kind, entity.key, entity.pk)
        proxy = _proxy(entity)
        if proxy is not None:
            proxies[entity.pk] = proxy
    documents: list = []
    companies: dict[int, int] = {}  # company row -> its organisation entity
    for edge in Edge.objects.order_by("pk").iterator(chunk_size=batch):
        ev = edge.evidence or {}
        if edge.relation == "mentions" and kinds[edge.b_id].kind == Kind.ORGANISATION and \
                str(ev.get("ref", "")).startswith("company:"):
            companies[int(ev["ref"][8:])] = edge.b_id
        fold_link(proxies, documents, kinds[edge.a_id], kinds[edge.b_id], edge.relation, given=ev.get("given"),
                  field=ev.get("field"), role=ev.get("role"), date=edge.at.date().isoformat() if edge.at else None,
                  link_id=f"vigil-edge-{edge.pk}")
    _registrations(proxies, companies)
    yield from proxies.values()
    yield from documents


def _registrations(proxies: dict, companies: dict[int, int]) -> None:
    """The KvK numbers the company rows of each organisation give (an organisation entity is keyed by its cluster,
    so its key holds no number)."""
    from vigil.register.models import Identifier

    rows = Identifier.objects.filter(kind=Identifier.Kind.REGISTRATION, valid=True, company__in=list(companies))
    for company, value in rows.values_list("company_id", "value").iterator(chunk_size=5000):
        proxy = proxies.get(companies[company])
        if proxy is not None:  # (FtM keeps a value once)
            proxy.add("registrationNumber", value)
            if value.isdigit() and len(value) == 8:
                proxy.add("jurisdiction", "nl", quiet=True)
