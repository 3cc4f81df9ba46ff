"""Cases and referrals in the partner API. Cases: members only (cases.access). Referrals received: the frozen copy of
what was shared and its markings, never the case. Referrals sent: their status and what the receiver reported, for
members of the case they came from. Every read is audited; answers go through cases.referrals like in the
workspace."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from vigil.api.auth import require_scope
from vigil.api.errors import ApiError, Text, errors
from vigil.api.models import Scope
from vigil.audit.log import record
from vigil.cases.access import (
    get_case,
    get_received_referral,
    received_referrals,
    sent_referrals,
    visible_cases,
)
from vigil.cases.models import Case, CaseStatus, FeedbackKind, Referral, ReferralStatus
from vigil.cases.referrals import decide, report_back
from vigil.cases.service import CaseError
from vigil.register.access import require

cases = Router(tags=["cases"])
referrals = Router(tags=["referrals"])
MAX_INT = 2_147_483_647


class Page(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_INT)


# --- cases -------------------------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    outcome: str
    forms: list[str]
    assignee: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None


class CaseItemOut(Schema):
    kind: Literal["signal", "entity", "ad"]
    id: int
    via: str
    added_at: dt.datetime


class TaskOut(Schema):
    title: str
    due: dt.date | None
    assignee: str | None
    done_at: dt.datetime | None


class CaseReferralOut(Schema):
    id: int
    reference: str
    to_organisation: str
    status: str
    sent_at: dt.datetime


class CaseDetailOut(CaseOut):
    summary: str
    outcome_note: str
    members: list[str]
    items: list[CaseItemOut]
    tasks: list[TaskOut]
    referrals: list[CaseReferralOut]


class CaseList(Schema):
    count: int
    items: list[CaseOut]


class CaseFilter(Page):
    status: Literal[tuple(CaseStatus.values)] | None = None


def _case(case: Case) -> dict:
    return {"id": case.pk, "reference": case.reference, "title": case.title, "status": case.status,
            "outcome": case.outcome, "forms": case.forms,
            "assignee": case.assignee.get_username() if case.assignee_id else None, "created_at": case.created_at,
            "updated_at": case.updated_at, "closed_at": case.closed_at}


@cases.get("/cases", response={200: CaseList, **errors(401, 403, 422, 429)}, summary="Cases you are a member of")
def list_cases(request, filters: Query[CaseFilter]):
    require_scope(request, Scope.CASES_READ)
    qs = visible_cases(request.auth).select_related("assignee").order_by("-updated_at", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    rows = list(qs[filters.offset:filters.offset + filters.limit])
    record(request.auth, "view", object_type="case_list", detail={"via": "api", "cases": [c.pk for c in rows]})
    return {"count": qs.count(), "items": [_case(c) for c in rows]}


@cases.get("/cases/{case_id}", response={200: CaseDetailOut, **errors(401, 403, 404, 422, 429)},
           summary="One case")
def read_case(request, case_id: int):
    require_scope(request, Scope.CASES_READ)
    case = get_case(request.auth, case_id, purpose="api")
    record(request.auth, "view", case, detail={"via": "api"})
    items = [{"kind": kind, "id": getattr(item, f"{kind}_id"), "via": item.via, "added_at": item.added_at}
             for item in case.items.order_by("added_at", "id")
             for kind in ("signal", "entity", "ad") if getattr(item, f"{kind}_id")]
    return {**_case(case), "summary": case.summary, "outcome_note": case.outcome_note,
            "members": [m.user.get_username() for m in case.members.select_related("user").order_by("added_at")],
            "items": items,
            "tasks": [{"title": t.title, "due": t.due, "done_at": t.done_at,
                       "assignee": t.assignee.get_username() if t.assignee_id else None}
                      for t in case.tasks.select_related("assignee")],
            "referrals": [{"id": r.pk, "reference": r.reference, "to_organisation": r.to_organisation.slug,
                           "status": r.status, "sent_at": r.sent_at}
                          for r in case.referrals.select_related("to_organisation").order_by("sent_at")]}


# --- referrals ---------------------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    slug: str
    name: str


class UpdateOut(Schema):
    kind: str
    count: int | None
    note: str
    organisation: str | None
    at: dt.datetime


class ReferralOut(Schema):
    id: int
    reference: str
    direction: Literal["received", "sent"]
    from_organisation: OrganisationOut
    to_organisation: OrganisationOut
    case: str | None = Field(None, description="the case's reference; sent referrals only")
    reason: str
    tlp: str = Field(description="TLP 2.0: how far it may be passed on (red, amber+strict, amber, green, clear)")
    pap: str = Field(description="PAP: how it may be used (red, amber, green, clear)")
    status: str
    decline_reason: str
    sent_at: dt.datetime
    decided_at: dt.datetime | None
    updates: list[UpdateOut]
    content: dict[str, Any] | None = Field(None, description="what was shared, as frozen when sent; received "
                                                             "referrals, one at a time")


class ReferralList(Schema):
    count: int
    items: list[ReferralOut]


class ReferralFilter(Page):
    direction: Literal["received", "sent"] = "received"


class DecisionIn(Schema):
    decision: Literal["accept", "decline"]
    reason: Text = Field("", max_length=5000, description="required when declining")


class ReportIn(Schema):
    kind: Literal[tuple(k for k in FeedbackKind.values if k != FeedbackKind.DECLINED)]
    count: int | None = Field(None, ge=0, le=MAX_INT, description="persons identified, arrests")
    note: Text = Field("", max_length=5000)


def _org(org) -> dict:
    return {"slug": org.slug, "name": org.name}


def _referral(ref: Referral, direction: str, *, content: bool = False) -> dict:
    return {"id": ref.pk, "reference": ref.reference, "direction": direction,
            "from_organisation": _org(ref.from_organisation), "to_organisation": _org(ref.to_organisation),
            "case": ref.case.reference if direction == "sent" else None, "reason": ref.reason, "tlp": ref.tlp,
            "pap": ref.pap, "status": ref.status, "decline_reason": ref.decline_reason, "sent_at": ref.sent_at,
            "decided_at": ref.decided_at,
            "updates": [_update(u) for u in ref.updates.select_related("by_organisation")],
            "content": ref.content if content else None}


def _update(update) -> dict:
    return {"kind": update.kind, "count": update.count, "note": update.note, "at": update.at,
            "organisation": update.by_organisation.slug if update.by_organisation_id else None}


RELATED = ("from_organisation", "to_organisation", "case")


@referrals.get("/referrals", response={200: ReferralList, **errors(401, 403, 422, 429)},
               summary="Referrals received by your organisation, or sent from your cases")
def list_referrals(request, filters: Query[ReferralFilter]):
    """``direction=received``: what partner organisations passed on to yours (content: read one at a time).
    ``direction=sent``: referrals from cases you are a member of, with their status and what the receiver reported."""
    require_scope(request, Scope.REFERRALS_READ)
    if filters.direction == "received":
        require(request.auth, "receive_referrals")
        qs = received_referrals(request.auth)
    else:
        require(request.auth, "cases")
        qs = sent_referrals(request.auth)
    qs = qs.select_related(*RELATED).order_by("-sent_at", "-id")
    rows = list(qs[filters.offset:filters.offset + filters.limit])
    record(request.auth, "view", object_type="referral_list",
           detail={"via": "api", "direction": filters.direction, "referrals": [r.pk for r in rows]})
    return {"count": qs.count(), "items": [_referral(r, filters.direction) for r in rows]}


def _find(user, referral_id: int) -> tuple[Referral, str]:
    """A referral received by the user's organisation, or sent from a case the user is a member of; else 404,
    audited as denied."""
    if user.can("receive_referrals"):
        found = received_referrals(user).select_related(*RELATED).filter(pk=referral_id).first()
        if found:
            return found, "received"
    found = sent_referrals(user).select_related(*RELATED).filter(pk=referral_id).first()
    if found:
        return found, "sent"
    record(user, "denied", object_type="referral", object_id=referral_id, detail={"purpose": "api"})
    raise ApiError(404, "referral not found")


@referrals.get("/referrals/{referral_id}", response={200: ReferralOut, **errors(401, 403, 404, 422, 429)},
               summary="One referral")
def read_referral(request, referral_id: int):
    """Received: exactly what was shared (``content``) under its markings. Sent: status and reports back."""
    require_scope(request, Scope.REFERRALS_READ)
    referral, direction = _find(request.auth, referral_id)
    record(request.auth, "view", referral, detail={"via": "api", "direction": direction})
    return _referral(referral, direction, content=direction == "received")


def _answer(call, referral: Referral, expected: str):
    """Run a referral step; a step the referral's state does not allow is a conflict (409), other refusals 400."""
    try:
        return call()
    except CaseError as exc:
        status = 409 if referral.status != expected else 400
        raise ApiError(status, str(exc)) from None


@referrals.post("/referrals/{referral_id}/decision",
                response={200: ReferralOut, **errors(400, 401, 403, 404, 409, 422, 429)},
                summary="Accept or decline a referral received")
def decide_referral(request, referral_id: int, body: DecisionIn):
    require_scope(request, Scope.REFERRALS_WRITE)
    referral = get_received_referral(request.auth, referral_id, purpose="api decision")
    _answer(lambda: decide(request.auth, referral, accept=body.decision == "accept", reason=body.reason), referral,
            ReferralStatus.SENT)
    return _referral(referral, "received")


@referrals.post("/referrals/{referral_id}/updates",
                response={201: UpdateOut, **errors(400, 401, 403, 404, 409, 422, 429)},
                summary="Report back on an accepted referral")
def report_on_referral(request, referral_id: int, body: ReportIn):
    require_scope(request, Scope.REFERRALS_WRITE)
    referral = get_received_referral(request.auth, referral_id, purpose="api report")
    update = _answer(lambda: report_back(request.auth, referral, body.kind, count=body.count, note=body.note),
                     referral, ReferralStatus.ACCEPTED)
    return Status(201, _update(update))
