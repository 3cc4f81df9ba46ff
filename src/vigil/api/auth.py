"""Bearer-token authentication for the API: ``request.auth`` is the token's user, with ``api_token`` set on it so
endpoints check scopes (``require_scope``) as well as the user's own capabilities and need-to-know. Every
authenticated request counts against the token's rate limit (vigil.api.limits)."""

from __future__ import annotations

import structlog
from django.utils import timezone
from ninja.security import HttpBearer

from vigil.api.errors import ApiError
from vigil.api.limits import charge
from vigil.api.models import SCOPE_NEEDS, ApiToken, digest
from vigil.audit.log import record
from vigil.register.access import require

log = structlog.get_logger("vigil.api")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = (ApiToken.objects.select_related("user", "user__organisation")
                 .filter(hash=digest(token)).first())
        if found is None:
            log.info("unknown API token", shown=token[:10])
            return None
        if found.revoked_at is not None or not found.user.is_active \
                or found.user.organisation_id != found.organisation_id:
            # a known token that no longer works: someone still uses it, which the audit log should show
            record(found.user, "denied", found, detail={"revoked": found.revoked_at is not None,
                                                        "path": request.path})
            return None
        charge(found, "requests", found.requests_per_minute, what="requests")
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        user = found.user
        user.api_token = found
        return user


def require_scope(request, scope: str) -> None:
    """403 with a clear body when the token lacks the scope, or the role of its user lacks the capability the scope
    relies on; audited like any refusal."""
    scope = str(scope)  # a Scope member or its value
    token = getattr(request.auth, "api_token", None)
    if token is None or scope not in token.scopes:
        record(request.auth, "denied", object_type="api_scope", object_id=scope)
        raise ApiError(403, f"this token lacks the scope {scope!r}", code="missing_scope")
    if SCOPE_NEEDS.get(scope):
        require(request.auth, SCOPE_NEEDS[scope])  # PermissionDenied: 403, audited (vigil.api.errors)
