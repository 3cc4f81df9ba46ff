from django.conf import settings

from vigil.organisations.roles import CAPABILITIES


def capabilities(request):
    """What the menu may offer; the views check again on every object."""
    user = getattr(request, "user", None)
    caps = CAPABILITIES.get(user.role, frozenset()) if user is not None and user.is_authenticated else frozenset()
    return {"user_caps": caps, "staff_languages": settings.STAFF_LANGUAGE_CODES}
