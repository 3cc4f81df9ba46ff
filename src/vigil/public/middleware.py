"""Privacy and security for the public site, applied before anything else sees the request."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from vigil.public.abuse import RateLimiter

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def csp_with_images_from(url: str) -> str:
    """The CSP of a page that also loads images from the origin of ``url`` (a map's background tiles)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return CSP
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {parts.scheme}://{parts.netloc}")


FORGET = ("REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP",
          "HTTP_FORWARDED", "HTTP_VIA", "HTTP_ACCEPT_LANGUAGE")
SUBMIT_LIMIT = RateLimiter(per_hour=settings.VIGIL_PUBLIC_SUBMITS_PER_HOUR, burst=settings.VIGIL_PUBLIC_BURST)
FOLLOW_UP_LIMIT = RateLimiter(per_hour=60, burst=10)
NO_POW_LIMIT = RateLimiter(per_hour=settings.VIGIL_PUBLIC_NOJS_PER_HOUR, burst=max(settings.VIGIL_PUBLIC_BURST // 2, 1))


def is_public(path: str) -> bool:
    first = path.lstrip("/").split("/", 1)[0]
    return first in settings.PUBLIC_LANGUAGE_CODES or first == "static"


class PublicPrivacyMiddleware:
    """On public paths: derive the anonymous rate-limit keys, then drop every header that could identify the
    visitor (address, browser, where they came from, their language preference) before any view or log sees it.
    On every response: a strict CSP; on public pages also no referrer and no caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = is_public(request.path)
        if public:
            address = request.META.get("REMOTE_ADDR", "")
            request.submit_key = SUBMIT_LIMIT.client_key(address)
            request.follow_up_key = FOLLOW_UP_LIMIT.client_key(address)
            request.no_pow_key = NO_POW_LIMIT.client_key(address)
            for header in FORGET:
                request.META.pop(header, None)
            request.META["REMOTE_ADDR"] = "0.0.0.0"
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        # Public pages send no referrer at all. Browsers then send "Origin: null" with forms, which Django's CSRF
        # check refuses, so the public forms do without CSRF (there is no session to protect) and staff pages
        # keep the referrer within the site.
        response["Referrer-Policy"] = "no-referrer" if public else "same-origin"
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if public and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


class StaffLanguageMiddleware:
    """The workspace speaks Dutch and English only; the public site speaks more."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public(request.path) and translation.get_language() not in settings.STAFF_LANGUAGE_CODES:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
