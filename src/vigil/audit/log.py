"""Writing and verifying the hash-chained audit log (plain Python, no request needed)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from vigil.audit.models import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 7_273_273  # advisory lock that serialises writers of the chain


def _digest(prev_hash: str, fields: dict) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict:
    return {
        "at": entry.at.isoformat(),
        "user_id": entry.user_id,
        "username": entry.username,
        "organisation": entry.organisation,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
        "reason": entry.reason,
    }


def record(user, action: str, obj=None, *, object_type: str = "", object_id="", detail: dict | None = None,
           reason: str = "") -> AuditEntry:
    """Append one entry. ``user`` may be None or anonymous (CLI, refused requests)."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    org = getattr(user, "organisation", None) if authenticated else None
    entry = AuditEntry(
        at=timezone.now(),
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "",
        organisation=org.name if org else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=json.loads(json.dumps(detail or {}, default=str)),
        reason=reason,
    )
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            cur.execute("SELECT hash FROM audit_auditentry ORDER BY id DESC LIMIT 1")
            row = cur.fetchone()
        entry.prev_hash = row[0] if row else GENESIS
        entry.hash = _digest(entry.prev_hash, _fields(entry))
        entry.save(force_insert=True)
    return entry


@dataclass
class Verification:
    checked: int
    problems: list[str]
    head: str

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(batch: int = 5000) -> Verification:
    """Walk the chain in order; report entries whose content or predecessor no longer fits."""
    prev = GENESIS
    checked = 0
    problems: list[str] = []
    last_id = 0
    while True:
        chunk = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not chunk:
            break
        for entry in chunk:
            checked += 1
            if entry.prev_hash != prev:
                problems.append(f"entry {entry.id}: predecessor hash does not match; an entry before it was removed or changed")
            if _digest(entry.prev_hash, _fields(entry)) != entry.hash:
                problems.append(f"entry {entry.id}: content does not match its hash; it was changed")
            prev = entry.hash
            last_id = entry.id
    return Verification(checked=checked, problems=problems, head=prev)
