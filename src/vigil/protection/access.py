"""Who reads victim-protection records and permit flags: users with the capability ("protection", "permits"), in
the organisation that owns them, and nobody else. Deny by default; a record or flag the user may not read answers
404 (its existence is not revealed) and is audited as denied."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from vigil.audit.log import record as audit
from vigil.protection.models import PermitFlag, ProtectionRecord
from vigil.register.access import require


def _org(user, capability: str) -> int | None:
    if not user.is_authenticated or not user.can(capability):
        return None
    return user.organisation_id


def visible_records(user) -> QuerySet[ProtectionRecord]:
    org = _org(user, "protection")
    return ProtectionRecord.objects.none() if org is None else ProtectionRecord.objects.filter(owner_id=org)


def get_record(user, pk, *, purpose: str = "view") -> ProtectionRecord:
    require(user, "protection")
    try:
        return visible_records(user).get(pk=pk)
    except (ProtectionRecord.DoesNotExist, ValueError, TypeError):
        audit(user, "denied", object_type="protectionrecord", object_id=pk, detail={"purpose": purpose})
        raise Http404("record not found") from None


def visible_flags(user) -> QuerySet[PermitFlag]:
    org = _org(user, "permits")
    return PermitFlag.objects.none() if org is None else PermitFlag.objects.filter(owner_id=org)


def get_flag(user, pk, *, purpose: str = "view") -> PermitFlag:
    require(user, "permits")
    try:
        return visible_flags(user).get(pk=pk)
    except (PermitFlag.DoesNotExist, ValueError, TypeError):
        audit(user, "denied", object_type="permitflag", object_id=pk, detail={"purpose": purpose})
        raise Http404("flag not found") from None
