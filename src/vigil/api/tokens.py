"""Making and revoking API tokens, for the command line and the admin. Plain functions, audited."""

from __future__ import annotations

from django.utils import timezone

from vigil.api.models import SCOPE_NEEDS, ApiToken, Scope
from vigil.audit.log import record


def check_scopes(user, scopes) -> list[str]:
    """The scopes, sorted, if the user may hold a token with them; ValueError says why not."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))} (known: {', '.join(Scope.values)})")
    if not scopes:
        raise ValueError("a token needs at least one scope")
    if user.organisation_id is None:
        raise ValueError(f"{user.get_username()} belongs to no organisation")
    if not user.is_active:
        raise ValueError(f"{user.get_username()} is not active")
    useless = [s for s in scopes if SCOPE_NEEDS.get(s) and not user.can(SCOPE_NEEDS[s])]
    if useless:
        raise ValueError(f"{user.get_username()} is a {user.get_role_display()}: the role cannot use "
                         f"{', '.join(useless)}")
    return scopes


def create(user, name: str, scopes, *, by=None, **limits) -> tuple[ApiToken, str]:
    """A new token; refuses scopes the user's role cannot use (a scope never gives more than the role)."""
    scopes = check_scopes(user, scopes)
    token, plain = ApiToken.issue(user, name, scopes, **limits)
    record(by, "create", token, detail={"user": user.get_username(), "name": name, "scopes": scopes, **limits})
    return token, plain


def revoke(token: ApiToken, *, by=None) -> bool:
    """Revoke the token; False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(by, "update", token, detail={"revoked": True, "user": token.user.get_username(), "name": token.name})
    return True
