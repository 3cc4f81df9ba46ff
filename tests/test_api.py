"""The partner API: the contract (submit signals, find them in the queue), idempotency, scopes, tokens, need-to-know,
lookups, rate limits, error bodies, token management and the self-hosted docs page."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import make_record, store
from vigil.api.models import ApiToken, Scope
from vigil.audit.models import AuditEntry
from vigil.cases.models import FeedbackKind, Referral, ReferralUpdate
from vigil.cases.service import open_case
from vigil.organisations.models import Organisation, User
from vigil.organisations.roles import Role
from vigil.register.models import Signal, SignalVersion

ALL = Scope.values


def token_for(user, scopes=ALL, **limits) -> str:
    return ApiToken.issue(user, "test system", scopes, **limits)[1]


class Api:
    """A Django test client speaking JSON with one bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path, body, raw=False):
        data = body if raw else json.dumps(body)
        return self.client.post(f"/api{path}", data, content_type="application/json", headers=self.headers)


@pytest.fixture
def api(users):
    """The API as a user (by role), with a token carrying the given scopes."""
    def make(role, scopes=ALL, **limits):
        return Api(token_for(users[role], scopes, **limits))
    return make


def partner_record(ref, **fields):
    return make_record(ref, organisation=None, **fields)


def denied(user, object_type, object_id=None):
    qs = AuditEntry.objects.filter(username=user.username, action="denied", object_type=object_type)
    return qs.filter(object_id=str(object_id)).exists() if object_id is not None else qs.exists()


# --- submitting signals ----------------------------------------------------------------------------------------


def test_contract_submitted_signals_are_in_the_queue_and_readable(api, users, client):
    intake = api("intake_operator", ["signals:write", "signals:read"])  # EMM's intake system
    response = intake.post("/signals", [partner_record("API-1", phones=["06-12345678"]),
                                        partner_record("API-2", urgent=True)])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (2, 0, 0, 0)
    assert [r["result"] for r in body["results"]] == ["created", "created"]
    stored = Signal.objects.get(pk=body["results"][0]["id"])
    assert stored.owner.slug == "emm" and stored.ref == "API-1" and stored.created_by == users["intake_operator"]
    assert stored.sending_organisation == Organisation.objects.get(slug="emm").name
    assert stored.identifiers.get().value == "+31612345678"
    # the queue of the owning organisation shows them, another organisation's does not
    client.force_login(users["analyst"])
    html = client.get("/signals/").content.decode()
    assert "API-1" in html and "API-2" in html
    client.force_login(users["partner"])
    assert "API-1" not in client.get("/signals/").content.decode()
    # and they read back through the API, audited
    read = intake.get(f"/signals/{stored.pk}")
    assert read.status_code == 200
    assert read.json()["record"]["ref"] == "API-1" and read.json()["owner"] == "emm"
    assert AuditEntry.objects.filter(action="view", object_type="signal", object_id=str(stored.pk),
                                     username="intake").exists()
    entry = AuditEntry.objects.filter(action="import", object_type="api_token").get()
    assert entry.detail["created"] == 2 and entry.username == "intake"


def test_same_content_is_unchanged_and_changed_content_a_new_version(api):
    intake = api("intake_operator", ["signals:write"])
    first = intake.post("/signals", partner_record("API-9")).json()["results"][0]
    again = intake.post("/signals", partner_record("API-9")).json()["results"][0]
    assert (first["result"], again["result"], again["id"], again["version"]) == ("created", "unchanged", first["id"], 1)
    changed = intake.post("/signals", partner_record("API-9", narrative="Nu ook kinderen gezien.")).json()
    assert changed["results"][0] == {"index": 0, "result": "updated", "ref": "API-9", "id": first["id"],
                                     "version": 2, "field": None, "reason": None}
    assert Signal.objects.filter(ref="API-9").count() == 1
    assert SignalVersion.objects.filter(signal_id=first["id"]).count() == 2
    # the same reference twice in one batch: stored in order, the later is the newer version
    twice = intake.post("/signals", [partner_record("API-10"), partner_record("API-10", urgent=True)]).json()
    assert [r["result"] for r in twice["results"]] == ["created", "updated"]
    assert Signal.objects.get(ref="API-10").urgent


def test_the_token_decides_sender_and_owner(api, users):
    """A file import under the organisation's alias and the API share references; nobody files in another's name."""
    store(make_record("ROT-7", organisation="Politie Rotterdam"))
    police = api("investigator", ["signals:write"])
    same = police.post("/signals", make_record("ROT-7", organisation="Politie Rotterdam")).json()["results"][0]
    assert same["result"] == "unchanged"
    other = police.post("/signals", [make_record("X-1", organisation="IND"), partner_record("X-2", owner="emm"),
                                     partner_record("X-3", owner="politie-rotterdam")]).json()["results"]
    assert [(r["result"], r["field"]) for r in other] == [("error", "organisation"), ("error", "owner"),
                                                          ("created", None)]
    assert Signal.objects.get(ref="X-3").owner.slug == "politie-rotterdam"
    assert not Signal.objects.filter(ref__in=["X-1", "X-2"]).exists()


def test_a_bad_record_never_drops_the_good_ones(api):
    intake = api("intake_operator", ["signals:write"])
    missing = partner_record("BAD-1")
    del missing["received_at"]
    batch = [partner_record("OK-1"), missing, "not an object", partner_record("BAD-2", received_at="gisteren"),
             partner_record("BAD-3", suspected_forms=["slavery"]), partner_record("OK-2")]
    response = intake.post("/signals", batch)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["rejected"]) == (2, 4)
    errors = {r["index"]: r for r in body["results"] if r["result"] == "error"}
    assert errors[1]["ref"] == "BAD-1" and "received_at" in errors[1]["reason"]
    assert errors[2]["field"] == "(record)" and errors[2]["ref"] is None
    assert errors[3]["field"] == "received_at" and "ISO 8601" in errors[3]["reason"]
    assert errors[4]["field"] == "suspected_forms[0]"
    assert set(Signal.objects.values_list("ref", flat=True)) == {"OK-1", "OK-2"}


def test_nothing_stored_answers_422_with_the_results(api):
    response = api("intake_operator", ["signals:write"]).post("/signals", {"ref": "only-a-ref"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_signals" and "'source' is a required property" in body["results"][0]["reason"]


@pytest.mark.parametrize("body, status, error", [
    ("{not json", 400, "bad_json"),
    ("[]", 422, "invalid"),
    ("42", 422, "invalid"),
    (json.dumps([make_record(f"R-{i}") for i in range(501)]), 413, "too_large"),
    (json.dumps([make_record("BIG", narrative="x" * 3_000_000)]), 413, "too_large"),
])
def test_malformed_submissions_have_clear_bodies(api, body, status, error):
    response = api("intake_operator", ["signals:write"]).post("/signals", body, raw=True)
    assert response.status_code == status, response.content
    assert response.json()["error"] == error and response.json()["detail"]
    assert not Signal.objects.exists()


# --- tokens and scopes -------------------------------------------------------------------------------------------


def test_missing_scope_is_403_with_a_body_and_audited(api, users):
    response = api("intake_operator", ["signals:read"]).post("/signals", partner_record("S-1"))
    assert response.status_code == 403
    assert response.json() == {"error": "missing_scope", "detail": "this token lacks the scope 'signals:write'"}
    assert denied(users["intake_operator"], "api_scope", "signals:write")
    assert not Signal.objects.exists()
    for path in ("/cases", "/referrals", "/lookup?kind=phone&value=0612345678"):
        assert api("intake_operator", ["signals:write"]).get(path).json()["error"] == "missing_scope"


def test_scope_never_gives_more_than_the_role(api, users):
    """An intake operator cannot search: a lookup scope on its token gives nothing."""
    response = api("intake_operator", ["lookup"]).get("/lookup", kind="phone", value="0612345678")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert "search" in response.json()["detail"]
    assert denied(users["intake_operator"], "capability", "search")
    partner = api("partner", ["signals:write"])  # a partner reads, it does not submit
    assert partner.post("/signals", partner_record("P-1")).status_code == 403


def test_unknown_revoked_and_missing_tokens_are_401(users):
    user = users["intake_operator"]
    token, plain = ApiToken.issue(user, "old system", ["signals:write"])
    ok = Api(plain).post("/signals", partner_record("T-1"))
    assert ok.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    for client in (Api(None), Api("vgl_unknown"), Api(plain[:-1])):
        response = client.post("/signals", partner_record("T-2"))
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized" and "Bearer" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())
    response = Api(plain).post("/signals", partner_record("T-3"))
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert denied(user, "apitoken", token.pk)  # a revoked token still in use shows in the audit log
    token2, plain2 = ApiToken.issue(user, "another", ["signals:write"])
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert Api(plain2).post("/signals", partner_record("T-4")).status_code == 401
    assert list(Signal.objects.values_list("ref", flat=True)) == ["T-1"]


# --- need-to-know ------------------------------------------------------------------------------------------------


def test_another_organisations_signal_is_404_and_audited(api, users):
    store(make_record("ROT-1"), owner="politie-rotterdam")
    store(make_record("SENSITIVE-1", source="ind_observation"), owner="emm")
    hidden = Signal.objects.get(ref="ROT-1")
    emm = api("analyst", ["signals:read"])
    response = emm.get(f"/signals/{hidden.pk}")
    assert response.status_code == 404 and response.json() == {"error": "not_found", "detail": "signal not found"}
    assert denied(users["analyst"], "signal", hidden.pk)
    assert "ROT-1" not in response.content.decode()
    assert api("investigator", ["signals:read"]).get(f"/signals/{hidden.pk}").status_code == 200
    # a sensitive signal needs a reason, kept in the audit log
    sensitive = Signal.objects.get(ref="SENSITIVE-1")
    refused = emm.get(f"/signals/{sensitive.pk}")
    assert refused.status_code == 403 and refused.json()["error"] == "reason_required"
    assert "narrative" not in refused.content.decode()
    read = emm.get(f"/signals/{sensitive.pk}", reason="case ZAAK-2026-00001, victim interview")
    assert read.status_code == 200 and read.json()["sensitive"]
    assert AuditEntry.objects.get(action="view", object_id=str(sensitive.pk)).reason.startswith("case ZAAK")


@pytest.fixture
def casework(users):
    """A case of EMM's analyst, one of Rotterdam's investigator, and a referral from EMM to Rotterdam."""
    store(make_record("EMM-1"), owner="emm")
    store(make_record("ROT-1"), owner="politie-rotterdam")
    emm_case = open_case(users["analyst"], "Three-city flat network", signals=[Signal.objects.get(ref="EMM-1")])
    rot_case = open_case(users["investigator"], "Rotterdam car wash", signals=[Signal.objects.get(ref="ROT-1")])
    referral = Referral.objects.create(
        case=emm_case, reference=f"{emm_case.reference}-V1", from_organisation=emm_case.owner,
        to_organisation=Organisation.objects.get(slug="politie-rotterdam"), reason="The flats are in Rotterdam.",
        tlp="amber+strict", pap="amber", sent_by=users["analyst"],
        content={"summary": "Women moved between flats weekly", "persons": [{"name": "Marek K."}]})
    return {"emm": emm_case, "rot": rot_case, "referral": referral}


def test_cases_only_for_members(api, users, casework):
    emm = api("analyst", ["cases:read"])
    listed = emm.get("/cases").json()
    assert listed["count"] == 1 and [c["reference"] for c in listed["items"]] == [casework["emm"].reference]
    detail = emm.get(f"/cases/{casework['emm'].pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["members"] == ["analist"] and body["items"][0]["kind"] == "signal"
    assert body["referrals"][0]["to_organisation"] == "politie-rotterdam"
    assert AuditEntry.objects.filter(action="view", object_type="case", object_id=str(casework["emm"].pk)).exists()
    hidden = emm.get(f"/cases/{casework['rot'].pk}")
    assert hidden.status_code == 404 and hidden.json()["error"] == "not_found"
    assert "car wash" not in hidden.content.decode()
    assert denied(users["analyst"], "case", casework["rot"].pk)
    # a colleague in the same organisation who is not a member sees nothing either
    colleague = User.objects.create(username="collega", organisation=users["analyst"].organisation, role=Role.ANALYST)
    other = Api(token_for(colleague, ["cases:read"]))
    assert other.get("/cases").json() == {"count": 0, "items": []}
    assert other.get(f"/cases/{casework['emm'].pk}").status_code == 404
    assert api("analyst", ["cases:read"]).get("/cases", status="closed").json()["count"] == 0
    assert emm.get("/cases", status="nonsense").status_code == 422


def test_referrals_received_show_the_frozen_content_only(api, users, casework):
    referral = casework["referral"]
    police = api("investigator", ["referrals:read", "referrals:write"])
    listed = police.get("/referrals").json()
    assert [r["reference"] for r in listed["items"]] == [referral.reference]
    assert listed["items"][0]["content"] is None and listed["items"][0]["case"] is None
    detail = police.get(f"/referrals/{referral.pk}").json()
    assert detail["content"] == referral.content and (detail["tlp"], detail["pap"]) == ("amber+strict", "amber")
    assert detail["direction"] == "received" and detail["case"] is None
    assert "Three-city" not in json.dumps(detail)  # the case itself is not shared
    assert AuditEntry.objects.filter(username="rechercheur", action="view", object_type="referral",
                                     object_id=str(referral.pk)).exists()
    # the case's own organisation is no receiver; other organisations see nothing
    partner = api("partner", ["referrals:read", "referrals:write"])
    assert partner.get("/referrals").json() == {"count": 0, "items": []}
    assert partner.get(f"/referrals/{referral.pk}").status_code == 404
    assert denied(users["partner"], "referral", referral.pk)
    refused = partner.post(f"/referrals/{referral.pk}/decision", {"decision": "accept"})
    assert refused.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_answer_a_referral_and_the_sender_sees_it(api, users, casework):
    referral = casework["referral"]
    police = api("investigator", ["referrals:read", "referrals:write"])
    early = police.post(f"/referrals/{referral.pk}/updates", {"kind": "investigation_opened"})
    assert early.status_code == 409 and early.json()["error"] == "conflict"
    no_reason = police.post(f"/referrals/{referral.pk}/decision", {"decision": "decline", "reason": " "})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["detail"]
    accepted = police.post(f"/referrals/{referral.pk}/decision", {"decision": "accept"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = police.post(f"/referrals/{referral.pk}/decision", {"decision": "decline", "reason": "too late"})
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    report = police.post(f"/referrals/{referral.pk}/updates", {"kind": "arrests", "count": 2, "note": "Two arrests."})
    assert report.status_code == 201 and report.json()["organisation"] == "politie-rotterdam"
    assert police.post(f"/referrals/{referral.pk}/updates", {"kind": "declined"}).status_code == 422
    assert police.post(f"/referrals/{referral.pk}/updates", {"kind": "arrests", "count": -1}).status_code == 422
    assert ReferralUpdate.objects.get(referral=referral).kind == FeedbackKind.ARRESTS
    # the sender: status and reports, from the case it was sent from, without the copy
    emm = api("analyst", ["referrals:read"])
    sent = emm.get("/referrals", direction="sent").json()["items"][0]
    assert (sent["direction"], sent["status"], sent["case"]) == ("sent", "accepted", casework["emm"].reference)
    assert sent["updates"][0]["kind"] == "arrests" and sent["updates"][0]["count"] == 2
    detail = emm.get(f"/referrals/{referral.pk}").json()
    assert detail["direction"] == "sent" and detail["content"] is None
    # writing needs the scope
    read_only = api("investigator", ["referrals:read"])
    assert read_only.post(f"/referrals/{referral.pk}/updates", {"kind": "other"}).json()["error"] == "missing_scope"


# --- lookup ------------------------------------------------------------------------------------------------------


def test_lookup_says_where_to_ask_and_nothing_more(api, users):
    store(make_record("ROT-3", phones=["06-41 27 83 90"], narrative="Marek haalt de meisjes op."),
          owner="politie-rotterdam")
    store(make_record("NLA-1", phones=["+31641278390"]), owner="nla")
    emm = api("analyst", ["lookup"])
    response = emm.get("/lookup", kind="phone", value="0031 6 41278390")
    assert response.status_code == 200
    body = response.json()
    assert body["found"] and body["value"] == "+31641278390" and body["valid"]
    assert [h["organisation"] for h in body["holders"]] == ["nla", "politie-rotterdam"]
    assert not any(h["own"] for h in body["holders"])
    text = response.content.decode()
    for secret in ("ROT-3", "NLA-1", "Marek", "meisjes", str(Signal.objects.get(ref="ROT-3").pk) + ","):
        assert secret not in text
    entry = AuditEntry.objects.filter(username="analist", action="search", object_type="identifier").get()
    assert entry.detail["given"] == "0031 6 41278390" and entry.detail["value"] == "+31641278390"
    assert entry.detail["holders"] == ["nla", "politie-rotterdam"]
    # nothing found is an answer too, and audited
    none = emm.get("/lookup", kind="phone", value="0612000000").json()
    assert none["found"] is False and none["holders"] == []
    assert AuditEntry.objects.filter(action="search", object_type="identifier").count() == 2
    own = api("investigator", ["lookup"]).get("/lookup", kind="phone", value="06-41278390").json()
    assert [h["own"] for h in own["holders"]] == [False, True]
    bad = emm.get("/lookup", kind="shoe_size", value="42")
    assert bad.status_code == 422 and bad.json()["error"] == "invalid" and bad.json()["detail"][0]["where"]
    assert emm.get("/lookup", kind="email", value=" ").status_code == 422


# --- rate limits -------------------------------------------------------------------------------------------------


def test_rate_limits_answer_429_with_retry_after(api, users):
    small = api("analyst", ["lookup", "signals:write"], requests_per_minute=3)
    # whatever the minute boundary, seven requests in two windows of three each meet a refusal
    statuses = [small.get("/lookup", kind="phone", value="0612345678") for _ in range(7)]
    refused = [r for r in statuses if r.status_code == 429]
    assert refused and all(r.status_code in (200, 429) for r in statuses)
    assert refused[0].json()["error"] == "rate_limited" and "3 requests per minute" in refused[0].json()["detail"]
    assert 1 <= int(refused[0]["Retry-After"]) <= 60
    submissions = api("intake_operator", ["signals:write"], signals_per_minute=2)
    over = submissions.post("/signals", [partner_record(f"L-{i}") for i in range(3)])
    assert over.status_code == 429 and "2 signals per minute" in over.json()["detail"]
    assert not Signal.objects.exists()
    lookups = api("analyst", ["lookup"], lookups_per_minute=1)
    codes = [lookups.get("/lookup", kind="phone", value="0612345678").status_code for _ in range(3)]
    assert 429 in codes


# --- errors, docs, token management ------------------------------------------------------------------------------


def test_unknown_endpoints_parameters_and_bad_ids_answer_json(api):
    emm = api("analyst")
    typo = emm.get("/referrals", directon="sent")
    assert typo.status_code == 422 and typo.json()["detail"][0]["where"] == "query.directon"
    assert "direction" in typo.json()["detail"][0]["problem"]
    assert emm.get("/lookup", kind="phone", value="06\x0012345678").status_code == 422
    nul = api("intake_operator", ["signals:write"]).post("/signals", [partner_record("NUL-1", narrative="a\x00b"),
                                                                       partner_record("NUL-2")])
    assert [r["result"] for r in nul.json()["results"]] == ["error", "created"]
    assert emm.get("/nothing-here").json()["error"] == "not_found"
    assert Api(None).get("/nothing-here").status_code == 404
    bad = emm.get("/signals/abc")
    assert bad.status_code == 422 and bad.json()["error"] == "invalid"
    assert emm.get("/cases/99999999999999999999").json() == {"error": "not_found", "detail": "case not found"}


def test_values_postgresql_cannot_take_are_refused_per_record(api):
    """Found by the schemathesis run: these made the whole batch fail in the database."""
    intake = api("intake_operator", ["signals:write"])
    far = partner_record("TZ-1", received_at="2026-01-01T10:00:00+21:14")  # Python parses it, PostgreSQL not
    response = intake.post("/signals", [far, partner_record("TZ-2", received_at="0001-01-01T00:00:00+05:00")])
    assert [(r["result"], r["field"]) for r in response.json()["results"]] == [("created", None),
                                                                              ("error", "received_at")]
    assert Signal.objects.get(ref="TZ-1").received_at.isoformat() == "2025-12-31T12:46:00+00:00"
    surrogate = '[{"source": "other", "ref": "S-1", "received_at": "2026-01-01", "narrative": "\\udbbc"}]'
    assert intake.post("/signals", surrogate, raw=True).json()["results"][0]["result"] == "error"
    nan = intake.post("/signals", '{"source": "other", "ref": "N-1", "received_at": "2026-01-01", "x": NaN}', raw=True)
    assert nan.status_code == 400 and nan.json()["error"] == "bad_json"


def test_openapi_document_and_self_hosted_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/signals", "/api/lookup", "/api/referrals/{referral_id}/decision"} <= set(schema["paths"])
    assert schema["components"]["schemas"]["SignalRecord"]["required"] == ["source", "ref", "received_at"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    page = client.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200 and "cdn" not in html and "http" not in html.split("<body")[1]
    assert "script-src 'self'" in page["Content-Security-Policy"] and "<script>" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert f"/api/docs/assets/{asset}" in html
        response = client.get(f"/api/docs/assets/{asset}")
        assert response.status_code == 200 and b"".join(response.streaming_content)
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404


def test_token_commands(users):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "create", "--user", "partner", "--name", "CoMensha intake", "--scopes",
                 "lookup,referrals:read", stdout=out, stderr=err)
    plain = out.getvalue().strip()
    assert plain.startswith("vgl_") and "shown only now" in err.getvalue()
    token = ApiToken.objects.get()
    assert token.hash != plain and plain not in token.shown and token.organisation.slug == "comensha"
    assert Api(plain).get("/referrals").status_code == 200
    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "CoMensha intake" in listing.getvalue() and plain not in listing.getvalue()
    with pytest.raises(CommandError, match="cannot use signals:write"):
        call_command("api_token", "create", "--user", "partner", "--name", "x", "--scopes", "signals:write")
    with pytest.raises(CommandError, match="unknown scopes"):
        call_command("api_token", "create", "--user", "partner", "--name", "x", "--scopes", "everything")
    call_command("api_token", "revoke", token.shown, stdout=io.StringIO())
    assert Api(plain).get("/referrals").status_code == 401
    assert AuditEntry.objects.filter(object_type="apitoken", object_id=str(token.pk), action="create").exists()
    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "CoMensha intake" not in listing.getvalue()


def test_tokens_in_the_admin(client, users):
    client.force_login(users["administrator"])
    page = client.post("/admin/api/apitoken/add/", {
        "user": users["partner"].pk, "name": "CoMensha intake", "scopes": ["lookup"], "requests_per_minute": 600,
        "signals_per_minute": 6000, "lookups_per_minute": 60})
    assert page.status_code == 200, page.content
    html = page.content.decode()
    plain = html.split('<code id="api-token">')[1].split("<")[0]
    assert plain.startswith("vgl_") and "no-store" in page["Cache-Control"]
    assert Api(plain).get("/lookup", kind="phone", value="0612345678").status_code == 200
    token = ApiToken.objects.get()
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert token.shown in listing and token.hash not in listing and plain not in listing
    change = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert "CoMensha intake" in change and token.hash not in change and plain not in change
    refused = client.post("/admin/api/apitoken/add/", {"user": users["partner"].pk, "name": "x",
                                                        "scopes": ["signals:write"], "requests_per_minute": 1,
                                                        "signals_per_minute": 1, "lookups_per_minute": 1})
    assert "cannot use signals:write" in refused.content.decode()
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.force_login(users["analyst"])
    assert client.get("/admin/api/apitoken/").status_code == 302


@pytest.mark.browser
def test_docs_page_renders_under_the_csp_without_third_parties(browser, live_server, transactional_db):
    from tests.browser import SHOTS

    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    assert page.locator(".opblock").count() >= 9
    page.screenshot(path=str(SHOTS / "api-docs.png"), full_page=False)
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), requests
    assert not [p for p in problems if "Content Security Policy" in p], problems
    page.close()
