"""Signals sent by partner systems through the API. The same validation as ``vigil import signals``
(register.records.prepare) and the same idempotency (register.writer.write_batch): (organisation, ref) identifies a
signal, the same content again changes nothing, changed content is a new version. The token's organisation is the
sender and the owner, so a partner can neither file signals in another organisation's name nor touch another
organisation's references. One result per record; a bad record never holds back the good ones."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import structlog
from django.db import IntegrityError

from vigil import normalise
from vigil.audit.log import record as audit
from vigil.register.models import Signal
from vigil.register.records import Prepared, RecordError, prepare, unstorable
from vigil.register.writer import write_batch

log = structlog.get_logger("vigil.api")
MAX_RECORDS = 500  # per request, the importer's batch size


@dataclass
class Result:
    index: int
    result: str  # created, updated, unchanged, error
    ref: str | None = None
    id: int | None = None
    version: int | None = None
    field: str | None = None
    reason: str | None = None


def _ref(rec) -> str | None:
    ref = rec.get("ref") if isinstance(rec, dict) else None
    return ref.strip()[:200].encode("utf-8", "replace").decode() if isinstance(ref, str) else None


def as_sent_by(rec, organisation) -> dict:
    """The record as this organisation's: ``organisation`` may be left out (its name is filled in) or be one of the
    organisation's names or aliases (kept as given, so references match those of file imports); ``owner`` may only
    name the organisation itself and is dropped (the token decides)."""
    if not isinstance(rec, dict):
        raise RecordError("(record)", "a JSON object is expected")
    bad = unstorable(rec)
    if bad:
        raise RecordError(bad, "contains text that cannot be stored (U+0000 or an unpaired surrogate)")
    sender = rec.get("organisation")
    if sender not in (None, "") and (not isinstance(sender, str)
                                     or normalise.text_key(sender) not in organisation.name_keys()):
        raise RecordError("organisation", f"a token of {organisation.name} submits that organisation's own signals "
                          f"only (leave the field out or use one of its names)")
    owner = rec.get("owner")
    if owner not in (None, "") and owner != organisation.slug:
        raise RecordError("owner", f"signals submitted with this token belong to {organisation.slug}")
    out = {k: v for k, v in rec.items() if k != "owner"}
    if not sender:
        out["organisation"] = organisation.name
    return out


def _prepare(rec, organisation) -> Prepared:
    try:
        return prepare(as_sent_by(rec, organisation))
    except RecordError:
        raise
    except Exception as exc:  # a fault of ours on strange input: that record is reported, the others stored
        log.exception("API record could not be prepared")
        raise RecordError("(record)", f"could not be read ({type(exc).__name__})") from None


def _write(run: list[tuple[int, dict]], organisation, resolver, recorded_by: str, user) -> list[Prepared]:
    """Store records whose keys are unique; when another request stored one of them at the same moment (unique
    key or version taken), prepare and store again: the second time they are updates or unchanged."""
    for attempt in range(3):
        preps = [_prepare(rec, organisation) for _, rec in run]
        try:
            write_batch(preps, resolver, recorded_by, user=user, background=True)  # one transaction of its own
            return preps
        except (IntegrityError, psycopg.errors.IntegrityError):  # COPY raises psycopg's own
            if attempt == 2:
                raise
            log.info("concurrent submission of the same references; storing again")
    raise AssertionError("unreachable")


def submit(user, records: list, *, source: str = "api") -> list[Result]:
    """Validate and store the records for the user's organisation; one Result per record, in order."""
    organisation = user.organisation

    def resolver(prep):  # the token's organisation owns every signal it submits (as_sent_by refused others)
        return organisation

    results: list[Result | None] = [None] * len(records)
    runs: list[list[tuple[int, dict]]] = [[]]
    keys: set = set()
    for i, rec in enumerate(records):
        try:
            prep = _prepare(rec, organisation)
        except RecordError as exc:
            results[i] = Result(i, "error", _ref(rec), field=exc.field, reason=exc.message)
            continue
        if prep.key in keys:  # the same reference twice in one request: the later one is the newer version
            runs.append([])
            keys = set()
        keys.add(prep.key)
        runs[-1].append((i, rec))
    recorded_by = f"{source} {organisation.slug} ({user.get_username()})"
    for run in runs:
        if not run:
            continue
        preps = _write(run, organisation, resolver, recorded_by, user)
        unchanged = {}
        if any(p.signal.pk is None for p in preps):
            wanted = [p for p in preps if p.signal.pk is None]
            unchanged = {(s.sender_key, s.ref): s for s in Signal.objects.filter(
                sender_key__in={p.key[0] for p in wanted}, ref__in={p.key[1] for p in wanted}).only(
                "id", "sender_key", "ref", "version")}
        for (i, _), prep in zip(run, preps, strict=True):
            sig = prep.signal
            if sig.pk is None:  # write_batch leaves an unchanged record unsaved
                stored = unchanged[prep.key]
                results[i] = Result(i, "unchanged", sig.ref, stored.pk, stored.version)
            else:
                results[i] = Result(i, "created" if sig.version == 1 else "updated", sig.ref, sig.pk, sig.version)
    done = [r for r in results if r is not None]
    counts = {kind: sum(r.result == kind for r in done) for kind in ("created", "updated", "unchanged", "error")}
    audit(user, "import", object_type="api_token", object_id=getattr(getattr(user, "api_token", None), "pk", ""),
          detail={"source": source, **counts, "refs": [r.ref for r in done if r.result in ("created", "updated")][:50]})
    return done
