"""Bearer-token authentication for the API: ``request.auth`` is the token's user, with ``api_token`` set on it so
endpoints check scopes (``require_scope``) as well as the user's own capabilities and need-to-know."""

from __future__ import annotations

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from vigil.api.models import ApiToken, digest
from vigil.audit.log import record


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = (ApiToken.objects.select_related("user", "user__organisation")
                 .filter(hash=digest(token), revoked_at__isnull=True).first())
        if found is None or not found.user.is_active or found.user.organisation_id != found.organisation_id:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        user = found.user
        user.api_token = found
        return user


def require_scope(request, scope: str) -> None:
    """403 with a clear body when the token lacks the scope; audited like any refusal."""
    token = getattr(request.auth, "api_token", None)
    if token is None or scope not in token.scopes:
        record(request.auth, "denied", object_type="api_scope", object_id=scope)
        raise HttpError(403, f"this token lacks the scope {scope!r}")
