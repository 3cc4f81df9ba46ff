"""Who reads victim-protection records and permit flags: users with the capability ("protection", "permits"), in
the organisation that owns them, and nobody else. Deny by default; a record or flag the user may not read answers
404 (its existence is not revealed) and is audited as denied."""

from __future__ import annotations

from django.db.models import QuerySet

from vigil.protection.models import PermitFlag, ProtectionRecord
from vigil.register.access import get_visible, require


def _org(user, capability: str) -> int | None:
    if not user.is_authenticated or not user.can(capability):
        return None
    return user.organisation_id


def visible_records(user) -> QuerySet[ProtectionRecord]:
    org = _org(user, "protection")
    return ProtectionRecord.objects.none() if org is None else ProtectionRecord.objects.filter(owner_id=org)


def get_record(user, pk, *, purpose: str = "view") -> ProtectionRecord:
    require(user, "protection")
    return get_visible(user, visible_records(user), pk, object_type="protectionrecord", purpose=purpose)


def visible_flags(user) -> QuerySet[PermitFlag]:
    org = _org(user, "permits")
    return PermitFlag.objects.none() if org is None else PermitFlag.objects.filter(owner_id=org)


def get_flag(user, pk, *, purpose: str = "view") -> PermitFlag:
    require(user, "permits")
    return get_visible(user, visible_flags(user), pk, object_type="permitflag", purpose=purpose)
