"""Schemathesis against the API's own OpenAPI document: generated requests to every operation, valid and invalid,
with a token carrying every scope, and once more with the ids of things the token's user may see (so the happy paths
are exercised, not only 404s). No server errors; every answer conforms to the document (status codes, content
types, bodies, headers). Deterministic (derandomised Hypothesis, no example database) and bounded in examples."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.conftest import make_record, store
from vigil.api.main import api
from vigil.api.models import ApiToken, Scope
from vigil.audit.models import AuditEntry
from vigil.cases.models import Referral
from vigil.cases.service import open_case
from vigil.organisations.models import Organisation
from vigil.register.models import Signal
from vigil.wsgi import application

UNLIMITED = {"requests_per_minute": 10**9, "signals_per_minute": 10**9, "lookups_per_minute": 10**9}
EXAMPLES = 30


def load_schema():
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = application  # calls go through Django's WSGI handler in this process
    # the token is sent with every call (below); refused tokens are covered by tests/test_api.py
    schema.config.generation.update(with_security_parameters=False)
    return schema


SCHEMA = load_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def world(users):
    """Something to find for the IND officer, whose role can use every scope: signals, a case, a referral in."""
    store(make_record("IND-1", phones=["0612345678"]), owner="ind")
    store(make_record("EMM-1"), owner="emm")
    ind = users["ind_officer"]
    emm_case = open_case(users["analyst"], "Flats", signals=[Signal.objects.get(ref="EMM-1")])
    referral = Referral.objects.create(
        case=emm_case, reference=f"{emm_case.reference}-V1", from_organisation=emm_case.owner,
        to_organisation=Organisation.objects.get(slug="ind"), reason="Permits involved.",
        content={"summary": "Sponsor of three workers"})
    ind_case = open_case(ind, "Sponsor", signals=[Signal.objects.get(ref="IND-1")])
    ids = {"signal_id": Signal.objects.get(ref="IND-1").pk, "case_id": ind_case.pk, "referral_id": referral.pk}
    return ApiToken.issue(ind, "schemathesis", Scope.values, **UNLIMITED)[1], ids


@pytest.fixture
def in_process():
    # The app runs in this thread inside the test's transaction: like Django's test client, keep the connection
    # open around each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# A batch of signals is accepted record by record (a bad record never drops the good ones) and records are checked
# beyond what JSON Schema can say (dates are parsed): acceptance of schema-valid and refusal of schema-violating
# bodies are per record there, tested in tests/test_api.py. Every other check holds for it too.
PER_RECORD = {"POST /api/signals": [negative_data_rejection, positive_data_acceptance]}


def run(strategy, headers, excluded):
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    check()


def test_the_document_covers_the_api():
    labels = {op.label for op in OPERATIONS}
    assert {"POST /api/signals", "GET /api/lookup", "POST /api/referrals/{referral_id}/updates"} <= labels


def test_every_operation_conforms_to_the_document(world, in_process):
    """One test over all operations (the data is made once); each operation's failure is reported by its label."""
    token, ids = world
    headers = {"Authorization": f"Bearer {token}"}
    failures = {}
    for operation in OPERATIONS:
        excluded = PER_RECORD.get(operation.label, [])
        known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        strategies = [operation.as_strategy(generation_mode=mode)
                      for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if known:
            strategies.append(operation.as_strategy(path_parameters=known))
        try:
            for strategy in strategies:
                run(strategy, headers, excluded)
        except Exception as exc:  # noqa: BLE001 - collected and reported with the operation below
            failures[operation.label] = exc
    assert not failures, "\n\n".join(f"{label}:\n{exc}" for label, exc in failures.items())
    # the calls reached the endpoints: generated signals were stored, lookups audited
    assert Signal.objects.count() > 2
    assert AuditEntry.objects.filter(username="ind", action="search", object_type="identifier").exists()
