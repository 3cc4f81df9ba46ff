"""The partner API (django-ninja): one NinjaAPI, routers per part of the domain. OpenAPI at /api/openapi.json,
docs at /api/docs."""

from ninja import NinjaAPI

from vigil.api.auth import TokenAuth

api = NinjaAPI(title="Vigil partner API", version="1", urls_namespace="api", auth=TokenAuth(), docs_url="/docs")
api.add_router("/protection/", "vigil.protection.api.router")
