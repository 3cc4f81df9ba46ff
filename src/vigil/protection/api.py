"""Victim-protection endpoints of the partner API (IND tokens only): the open deadlines and the records of the
token's organisation. A call needs the scope "protection:read" on the token AND the capability "protection" of the
token's user; anything else is 403 with a JSON body, audited. Every answer is audited."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from vigil.api.auth import require_scope
from vigil.api.errors import ApiError, errors
from vigil.api.models import Scope
from vigil.audit.log import record as audit
from vigil.protection import deadlines as dl
from vigil.protection.access import visible_records
from vigil.protection.models import (
    Authority,
    ContinuedGround,
    Cooperation,
    DeadlineKind,
    Decision,
    ExemptionGround,
    PermitKind,
)

router = Router(tags=["protection"])
MAX_INT = 2_147_483_647


class DeadlineOut(Schema):
    record: int
    reference: str
    name: str
    kind: Literal[tuple(DeadlineKind.values)]  # type: ignore[valid-type]
    subject: str
    due: dt.date
    days_left: int
    overdue: bool
    what: str


class PermitOut(Schema):
    id: int
    kind: Literal[tuple(PermitKind.values)]  # type: ignore[valid-type]
    applied_on: dt.date
    ground: Literal[("", *ContinuedGround.values)]  # type: ignore[valid-type]
    decision: Literal[tuple(Decision.values)]  # type: ignore[valid-type]
    decided_on: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None


class ExemptionOut(Schema):
    id: int
    ground: Literal[tuple(ExemptionGround.values)]  # type: ignore[valid-type]
    applied_on: dt.date
    decision: Literal[tuple(Decision.values)]  # type: ignore[valid-type]
    decided_on: dt.date | None


class RecordOut(Schema):
    id: int
    reference: str
    name: str
    nationality: str
    birth_date: dt.date | None
    v_number: str
    stage: str
    reflection_offered: bool | None
    reflection_offered_on: dt.date | None
    reflection_offered_by: Literal[("", *Authority.values)]  # type: ignore[valid-type]
    reflection_start: dt.date | None
    reflection_end: dt.date | None
    reflection_ended_on: dt.date | None
    cooperation: Literal[("", *Cooperation.values)]  # type: ignore[valid-type]
    cooperation_on: dt.date | None
    closed_on: dt.date | None
    permits: list[PermitOut]
    exemptions: list[ExemptionOut]
    updated_at: dt.datetime


class DeadlineList(Schema):
    count: int
    items: list[DeadlineOut]


class RecordList(Schema):
    count: int
    items: list[RecordOut]


class DeadlineFilter(Schema):
    within: int | None = Field(None, ge=0, le=3660, description="only deadlines due within this many days "
                               "(overdue ones always)")


class Page(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_INT)


def _allowed(request, what: str):
    """The token's scope (which relies on the capability "protection"), and the user's own capability checked here
    again: a victim-protection answer never rests on one check alone."""
    require_scope(request, Scope.PROTECTION_READ)
    user = request.auth
    if not user.can("protection") or user.organisation_id is None:
        audit(user, "denied", object_type="capability", object_id="protection", detail={"via": "api", "what": what})
        raise ApiError(403, "the role of this token's user lacks the capability 'protection'")
    return visible_records(user)


@router.get("/deadlines", response={200: DeadlineList, **errors(401, 403, 422, 429)},
            operation_id="protection_deadlines",
            summary="Open deadlines of your organisation's protection records, overdue first, then by date")
def deadlines(request, filters: Query[DeadlineFilter]):
    rows = dl.deadlines(_allowed(request, "deadlines"), within=filters.within)
    audit(request.auth, "view", object_type="protection_deadlines", object_id=request.auth.organisation_id,
          detail={"via": "api", "records": sorted({d.record_id for d in rows})})
    return {"count": len(rows), "items": [
        {"record": d.record_id, "reference": d.reference, "name": d.name, "kind": d.kind, "subject": d.subject,
         "due": d.due, "days_left": d.days_left, "overdue": d.overdue, "what": d.what} for d in rows]}


@router.get("/records", response={200: RecordList, **errors(401, 403, 422, 429)}, operation_id="protection_records",
            summary="Your organisation's protection records with their permits and exemptions")
def records(request, page: Query[Page]):
    qs = _allowed(request, "records").order_by("reference", "id")
    rows = list(qs.prefetch_related("permits", "exemptions")[page.offset:page.offset + page.limit])
    today = timezone.localdate()
    audit(request.auth, "view", object_type="protection_records", object_id=request.auth.organisation_id,
          detail={"via": "api", "records": [r.pk for r in rows]})
    return {"count": qs.count(), "items": [{
        "id": r.pk, "reference": r.reference, "name": r.display_name, "nationality": r.nationality,
        "birth_date": r.birth_date, "v_number": r.v_number, "stage": r.stage(today),
        **{f: getattr(r, f) for f in ("reflection_offered", "reflection_offered_on", "reflection_offered_by",
                                      "reflection_start", "reflection_end", "reflection_ended_on", "cooperation",
                                      "cooperation_on", "closed_on", "updated_at")},
        "permits": [{"id": p.pk, "kind": p.kind, "applied_on": p.applied_on, "ground": p.ground,
                     "decision": p.decision, "decided_on": p.decided_on, "valid_from": p.valid_from,
                     "valid_until": p.valid_until} for p in r.permits.all()],
        "exemptions": [{"id": e.pk, "ground": e.ground, "applied_on": e.applied_on, "decision": e.decision,
                        "decided_on": e.decided_on} for e in r.exemptions.all()],
    } for r in rows]}
