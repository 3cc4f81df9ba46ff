"""Looking up an identifier across the register: only whether signals with it exist and which organisations hold
them, so the caller knows where to ask for more. Never the signals, never how many (the number of reports about a
phone says something about its owner and about the holder's work; the holder decides what to share when asked).
Every lookup is audited with the value looked up."""

from __future__ import annotations

from typing import Literal

from django.db.models import Exists, OuterRef
from ninja import Query, Router, Schema
from pydantic import Field

from vigil.api.auth import require_scope
from vigil.api.errors import ApiError, Text, errors
from vigil.api.limits import charge
from vigil.api.models import Scope
from vigil.audit.log import record
from vigil.organisations.models import Organisation
from vigil.register.models import Identifier
from vigil.register.records import identifier

router = Router(tags=["lookup"])
Kind = Literal[tuple(Identifier.Kind.values)]


def holders(kind: str, value: str, country: str = "NL") -> tuple[Identifier, list[Organisation]]:
    """The identifier normalised as the register stores it, and the organisations owning signals that carry it."""
    norm = identifier(kind, value, country=(country or "NL").upper()[:2])
    if not norm.value:
        return norm, []
    carrying = Identifier.objects.filter(kind=kind, value=norm.value, signal__owner_id=OuterRef("pk"))
    return norm, list(Organisation.objects.filter(Exists(carrying)).order_by("name"))


class Holder(Schema):
    organisation: str
    name: str
    kind: str
    own: bool


class LookupOut(Schema):
    kind: str
    value: str
    valid: bool
    problem: str | None = None
    found: bool
    holders: list[Holder]


class LookupParams(Schema):
    kind: Kind
    value: Text = Field(min_length=1, max_length=500)
    country: str = Field("NL", pattern="^[A-Za-z]{2}$", description="for plates: the issuing country")


@router.get("/lookup", response={200: LookupOut, **errors(401, 403, 422, 429)}, summary="Look up an identifier")
def lookup(request, params: Query[LookupParams]):
    """Whether signals carrying the identifier exist and which organisations hold them: ask them for more. The value
    is normalised like the register does (e.g. 06-12 34 56 78 becomes +31612345678). Audited, value included."""
    require_scope(request, Scope.LOOKUP)
    token = request.auth.api_token
    charge(token, "lookups", token.lookups_per_minute, what="lookups")
    kind, value = params.kind, params.value
    norm, found = holders(kind, value, params.country)
    record(request.auth, "search", object_type="identifier", object_id=f"{kind}:{norm.value}"[:100],
           detail={"via": "api lookup", "kind": kind, "given": value, "value": norm.value,
                   "holders": [o.slug for o in found]})
    if not norm.value:
        raise ApiError(422, f"nothing to look up in {value!r} as a {kind}", field="value")
    own = request.auth.organisation_id
    return {"kind": kind, "value": norm.value, "valid": norm.valid, "problem": norm.problem or None,
            "found": bool(found), "holders": [{"organisation": o.slug, "name": o.name, "kind": o.kind,
                                               "own": o.pk == own} for o in found]}
