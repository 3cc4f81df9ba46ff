"""The partner API (django-ninja): one NinjaAPI, routers per part of the domain. OpenAPI at /api/openapi.json,
docs at /api/docs (Swagger UI served from this server, vigil.api.docs). Every error answers
``{"error": code, "detail": ...}`` (vigil.api.errors); docs/api.md describes it all."""

from ninja import NinjaAPI, Router

from vigil.api.auth import TokenAuth
from vigil.api.docs import SelfHostedSwagger
from vigil.api.errors import ApiError, install, refuse_unknown_query
from vigil.register.records import schema as signal_schema

DESCRIPTION = """Vigil's API for partner systems: submit signals, read cases and referrals shared with you, answer
referrals, look up an identifier. Send `Authorization: Bearer <token>`; a token belongs to one user of one
organisation and carries scopes. Errors answer `{"error": code, "detail": ...}`. See docs/api.md."""


class VigilAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The signal format of the importer (formats/signal.schema.json) as a component, for POST /signals."""
        schema = super().get_openapi_schema(**kwargs)
        record = {k: v for k, v in signal_schema().items() if not k.startswith("$")}
        # the dates as the importer reads them (ISO 8601 date or date-time), which the file format leaves to prose
        when = [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]
        props = record["properties"] = dict(record["properties"])
        props["received_at"] = {"anyOf": when, "description": props["received_at"]["description"]}
        props["observed_at"] = {"anyOf": [*when, {"type": "null"}], "description": props["observed_at"]["description"]}
        schema["components"].setdefault("schemas", {})["SignalRecord"] = record
        return schema


api = VigilAPI(title="Vigil partner API", version="1", description=DESCRIPTION, urls_namespace="api",
               auth=TokenAuth(), docs=SelfHostedSwagger(), docs_url="/docs")
install(api)
api.add_decorator(refuse_unknown_query)
api.add_router("", "vigil.api.docs.router")
api.add_router("", "vigil.api.signals.router")
api.add_router("", "vigil.cases.api.cases")
api.add_router("", "vigil.cases.api.referrals")
api.add_router("", "vigil.api.lookup.router")
api.add_router("/protection/", "vigil.protection.api.router")

unknown = Router(auth=None)


@unknown.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False)
def no_such_endpoint(request, rest: str):
    """Unknown API paths answer a JSON 404 like everything else here (registered last)."""
    raise ApiError(404, f"no such endpoint: {request.path}")


api.add_router("", unknown)
