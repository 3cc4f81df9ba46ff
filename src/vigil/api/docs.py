"""The API's docs page (Swagger UI) served entirely from this server: django-ninja's own template would load Swagger
UI from a CDN (ninja is not an installed app here), which the strict CSP blocks and which would tell a third party
who reads our API docs. The Swagger UI files that ship inside the django-ninja package are served from there."""

from __future__ import annotations

from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.shortcuts import render
from ninja import Router
from ninja.openapi.docs import Swagger

ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
FILES = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript",
         "swagger-ui-init.js": "text/javascript", "favicon.png": "image/png"}

router = Router(auth=None)


class SelfHostedSwagger(Swagger):
    template = "api/docs.html"

    def __init__(self):
        # no validator badge: Swagger UI would send the whole document to validator.swagger.io
        super().__init__(settings={"validatorUrl": None, "persistAuthorization": False, "tryItOutEnabled": False})

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # ninja's init script reads them with JSON.parse(textContent) from the json_script element
        context = {"swagger_settings": settings, "api": api, "assets": request.path.rstrip("/") + "/assets/"}
        return render(request, self.template, context)


@router.get("/docs/assets/{name}", include_in_schema=False)
def asset(request, name: str):
    if name not in FILES:
        raise Http404("no such file")
    response = FileResponse((ASSETS / name).open("rb"), content_type=FILES[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
