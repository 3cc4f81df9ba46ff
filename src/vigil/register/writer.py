"""Store prepared signals in batches: new ones inserted, changed ones updated with history, unchanged ones left.

Idempotent on (sending organisation, ref): the same record twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vigil.organisations.models import Organisation
from vigil.register.bulk import copy_insert
from vigil.register.events import signals_written
from vigil.register.models import Address, Company, Identifier, Person, Signal, SignalVersion
from vigil.register.records import Prepared, RecordError


class OwnerResolver:
    """Which organisation owns an incoming signal: the record's own ``owner`` slug, else the one
    chosen for the import, else the sending organisation if it is a Vigil organisation, else the default."""

    def __init__(self, forced_slug: str = ""):
        orgs = list(Organisation.objects.all())
        self.by_slug = {o.slug: o for o in orgs}
        self.by_key = {key: o for o in orgs for key in o.name_keys()}
        self.forced = self._slug(forced_slug, "--owner") if forced_slug else None
        self.default = self.by_slug.get(settings.VIGIL_DEFAULT_OWNER)

    def _slug(self, slug: str, field: str) -> Organisation:
        try:
            return self.by_slug[slug]
        except KeyError:
            raise RecordError(field, f"no organisation with slug {slug!r}") from None

    def __call__(self, prepared: Prepared) -> Organisation:
        if prepared.owner_slug:
            return self._slug(prepared.owner_slug, "owner")
        if self.forced:
            return self.forced
        org = self.by_key.get(prepared.signal.sender_key) or self.default
        if org is None:
            raise RecordError("organisation", "no owning organisation: create organisations first (vigil demo or admin)")
        return org


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: BatchResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def _store_children(pairs: list[tuple[Signal, Prepared]]) -> None:
    persons, companies, addresses = [], [], []
    for signal, prep in pairs:
        for pp in prep.persons:
            pp.person.signal = signal
            persons.append(pp.person)
        for pc in prep.companies:
            pc.company.signal = signal
            companies.append(pc.company)
        for a in prep.addresses:
            a.signal = signal
            addresses.append(a)
    copy_insert(persons)
    copy_insert(companies)
    copy_insert(addresses)
    idents = []
    for signal, prep in pairs:
        for ident in prep.identifiers:
            ident.signal = signal
            idents.append(ident)
        for pp in prep.persons:
            for ident in pp.identifiers:
                ident.signal, ident.person = signal, pp.person
                idents.append(ident)
        for pc in prep.companies:
            for ident in pc.identifiers:
                ident.signal, ident.company = signal, pc.company
                idents.append(ident)
    copy_insert(idents)


UPDATABLE = ["channel", "sending_organisation", "received_at", "observed_at", "observed_date_only", "narrative",
             "language", "urgent", "forms", "sensitive", "source_indicators", "online", "extra", "content_hash",
             "owner"]


def write_batch(batch: list[Prepared], resolve_owner: OwnerResolver, recorded_by: str = "", user=None,
                recorded_at=None, background: bool = False) -> BatchResult:
    """Store one batch in one transaction. Keys must be unique within the batch.

    ``recorded_at`` replaces the current time in the history (the public form keeps only the day). ``background``
    leaves reading and linking the batch to the background worker however small it is (partner systems).
    """
    recorded_at = recorded_at or timezone.now()
    result = BatchResult()
    if not batch:
        return result
    keys = {p.key for p in batch}
    if len(keys) != len(batch):
        raise ValueError("duplicate (organisation, ref) within one batch")
    senders = {k[0] for k in keys}
    refs = {k[1] for k in keys}
    existing = {
        (s.sender_key, s.ref): s
        for s in Signal.objects.filter(sender_key__in=senders, ref__in=refs).only(
            "id", "sender_key", "ref", "content_hash", "version", "status", "owner_id")
        if (s.sender_key, s.ref) in keys
    }
    new, changed = [], []
    for prep in batch:
        old = existing.get(prep.key)
        if old is None:
            prep.signal.owner = resolve_owner(prep)
            prep.signal.created_by = user
            new.append(prep)
        elif old.content_hash == prep.signal.content_hash:
            result.unchanged += 1
        else:
            changed.append((old, prep))
    with transaction.atomic():
        if new:
            copy_insert([p.signal for p in new])
            _store_children([(p.signal, p) for p in new])
            copy_insert(
                [SignalVersion(signal=p.signal, version=1, data=p.record, content_hash=p.signal.content_hash,
                               recorded_by=recorded_by, recorded_at=recorded_at) for p in new])
            result.created = len(new)
        for old, prep in changed:
            sig = prep.signal
            sig.pk, sig.id, sig.status, sig.version = old.pk, old.pk, old.status, old.version + 1
            sig.owner_id = old.owner_id if not prep.owner_slug else resolve_owner(prep).pk
            sig.updated_at = recorded_at
            sig.save(update_fields=[*UPDATABLE, "version", "updated_at"])
            for model in (Identifier, Person, Address, Company):
                model.objects.filter(signal_id=old.pk).delete()
            SignalVersion.objects.create(signal=sig, version=sig.version, data=prep.record,
                                         content_hash=sig.content_hash, recorded_by=recorded_by,
                                         recorded_at=recorded_at)
        if changed:
            _store_children([(prep.signal, prep) for _, prep in changed])
            result.updated = len(changed)
        ids = [p.signal.pk for p in new] + [prep.signal.pk for _, prep in changed]
        if ids:
            transaction.on_commit(lambda: signals_written.send(sender=Signal, ids=ids, background=background))
    return result




def write_one(prep: Prepared, resolve_owner: OwnerResolver, recorded_by: str = "", user=None,
              recorded_at=None) -> Signal:
    """Store one signal (staff intake, a web report) and return it as stored, new, changed or unchanged."""
    write_batch([prep], resolve_owner, recorded_by, user=user, recorded_at=recorded_at)
    return Signal.objects.get(sender_key=prep.signal.sender_key, ref=prep.signal.ref)
