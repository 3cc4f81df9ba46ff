"""Signals through the API: partner systems submit them (the importer's format, validation and idempotency) and read
back the ones their organisation may see."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from vigil.api.auth import require_scope
from vigil.api.errors import ApiError, Text, errors
from vigil.api.limits import charge
from vigil.api.models import Scope
from vigil.api.submission import MAX_RECORDS, submit
from vigil.audit.log import record
from vigil.register.access import get_signal

router = Router(tags=["signals"])
MAX_BODY_BYTES = 2 * 1024 * 1024

SIGNAL_REF = {"$ref": "#/components/schemas/SignalRecord"}
SUBMIT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
    SIGNAL_REF, {"type": "array", "items": SIGNAL_REF, "minItems": 1, "maxItems": MAX_RECORDS}]}}}}}


class RecordResult(Schema):
    index: int
    result: Literal["created", "updated", "unchanged", "error"]
    ref: str | None = None
    id: int | None = None
    version: int | None = None
    field: str | None = None
    reason: str | None = None


class SubmitOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int
    results: list[RecordResult]


class SubmitRejected(Schema):
    """422: either no record could be stored (with the counts and per-record results) or the body holds no signals
    at all (error and detail only)."""

    error: str
    detail: Any = None
    created: int | None = None
    updated: int | None = None
    unchanged: int | None = None
    rejected: int | None = None
    results: list[RecordResult] | None = None


class SignalOut(Schema):
    id: int
    ref: str
    organisation: str
    owner: str
    channel: str
    received_at: dt.datetime
    status: str
    urgent: bool
    sensitive: bool
    forms: list[str]
    version: int
    updated_at: dt.datetime
    record: dict[str, Any]


class ReadParams(Schema):
    reason: Text = Field("", max_length=500, description="why you read it; required for sensitive signals")


def _not_json(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _records(request) -> list:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        raise ApiError(413, f"a request may carry at most {MAX_BODY_BYTES // (1024 * 1024)} MiB; send smaller batches")
    try:
        body = json.loads(request.body or b"null", parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc}", code="bad_json") from None
    if isinstance(body, dict):
        return [body]
    if not isinstance(body, list) or not body:
        raise ApiError(422, "send one signal (a JSON object) or a batch (a non-empty JSON array of them)")
    if len(body) > MAX_RECORDS:
        raise ApiError(413, f"a batch holds at most {MAX_RECORDS} signals; this one has {len(body)}")
    return body


@router.post("/signals", response={200: SubmitOut, 422: SubmitRejected, **errors(400, 401, 403, 413, 429)},
             openapi_extra=SUBMIT_BODY, summary="Submit one signal or a batch")
def submit_signals(request):
    """One signal (a JSON object in the format of formats/signal.schema.json) or a batch (an array of up to 500).
    The token's organisation sends and owns them. Per record: created, updated (changed content: a new version),
    unchanged (the same content again) or error (with the field and the reason). 422 when no record could be
    stored; otherwise 200, also when some records were refused."""
    require_scope(request, Scope.SIGNALS_WRITE)
    records = _records(request)
    token = request.auth.api_token
    charge(token, "signals", token.signals_per_minute, len(records), what="signals")
    results = submit(request.auth, records)
    body = {kind: sum(r.result == kind for r in results) for kind in ("created", "updated", "unchanged")}
    body["rejected"] = sum(r.result == "error" for r in results)
    body["results"] = [r.__dict__ for r in results]
    if body["rejected"] == len(results):
        return Status(422, {"error": "invalid_signals", "detail": "no record could be stored: see results", **body})
    return Status(200, body)


@router.get("/signals/{signal_id}", response={200: SignalOut, **errors(401, 403, 404, 422, 429)},
            summary="Read one signal")
def read_signal(request, signal_id: int, params: Query[ReadParams]):
    """A signal the organisation owns or that was shared with it, as last sent (``record``) with its state. Sensitive
    signals (minors, IND procedures) need a stated ``reason``, kept in the audit log like in the workspace."""
    require_scope(request, Scope.SIGNALS_READ)
    signal = get_signal(request.auth, signal_id, purpose="api")
    reason = params.reason.strip()
    if signal.sensitive and len(reason) < 5:
        record(request.auth, "denied", signal, detail={"purpose": "api", "reason_missing": True})
        raise ApiError(403, "this signal is sensitive (a minor or an IND procedure): say why you read it with "
                       "?reason=… (at least 5 characters)", code="reason_required")
    record(request.auth, "view", signal, reason=reason, detail={"via": "api"})
    latest = signal.versions.order_by("-version").first()
    return {"id": signal.pk, "ref": signal.ref, "organisation": signal.sending_organisation,
            "owner": signal.owner.slug, "channel": signal.channel, "received_at": signal.received_at,
            "status": signal.status, "urgent": signal.urgent, "sensitive": signal.sensitive, "forms": signal.forms,
            "version": signal.version, "updated_at": signal.updated_at, "record": latest.data if latest else {}}
