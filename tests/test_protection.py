"""Victim protection (B8/3) and permit actions: the rules of the scheme, deadlines and reminders, the history, the
pages and the API, and the role-by-endpoint matrix: records and flags are unreachable for every role but the IND
officer of the owning organisation, by URL and by API."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.conftest import make_record, store
from vigil.api.main import api as ninja_api
from vigil.api.models import ApiToken, Scope
from vigil.audit.models import AuditEntry
from vigil.organisations.models import Organisation, User
from vigil.organisations.roles import CAPABILITIES, Role
from vigil.protection import deadlines as dl
from vigil.protection import service
from vigil.protection.models import (
    Cooperation,
    DeadlineKind,
    Decision,
    ExemptionGround,
    FlagAction,
    FlagStatus,
    FlagStep,
    PermitFlag,
    PermitKind,
    ProtectionEvent,
    ProtectionRecord,
    Reminder,
    reflection_limit,
)
from vigil.protection.urls import POSTS, ROUTE_NEEDS
from vigil.register.models import Company, Person, Signal

TODAY = timezone.localdate()
V_NUMBER = "3104887215"
SUMMARY = "Paspoorten ingehouden door Flexwerk Oost, schulden verrekend met het loon."


def d(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


@pytest.fixture
def ind(users):
    return users[Role.IND_OFFICER]


@pytest.fixture
def signals(users):
    store(make_record("IND-2026-0042", organisation="IND", persons=[
        {"role": "possible_victim", "name": "Valentina Restrepo Gómez", "nationality": "Colombia",
         "birth_date": "1998-11-02"},
        {"role": "possible_suspect", "name": "Hendrik-Jan de Vries"}],
        organisations=[{"name": "Flexwerk Oost B.V.", "registration_number": "80417265", "role": "employer"}]),
        owner="ind")
    store(make_record("ROT-2026-0007", organisation="Politie Rotterdam", persons=[
        {"role": "possible_victim", "name": "Larissa Souza Martins", "nationality": "BR"}]),
        owner="politie-rotterdam")
    return {s.ref: s for s in Signal.objects.all()}


def victim(signals, ref="IND-2026-0042") -> Person:
    return signals[ref].persons.get(role="possible_victim")


@pytest.fixture
def other_ind(orgs):
    """An IND officer of another organisation (the IND unit of the Caribbean Netherlands): same role, other owner."""
    org = Organisation.objects.create(slug="ind-cn", name="IND Caribisch Nederland", kind="ind")
    return User.objects.create_user("ind-cn", role=Role.IND_OFFICER, organisation=org)


@pytest.fixture
def rec(ind, signals):
    return service.open_record(ind, person=victim(signals), v_number=V_NUMBER, reflection_offered=True,
                               reflection_offered_on=d(-80), reflection_offered_by="kmar",
                               reflection_start=d(-80), reflection_end=reflection_limit(d(-80)))


@pytest.fixture
def flag(ind, signals):
    company = Company.objects.get(signal=signals["IND-2026-0042"])
    return service.flag(ind, action=FlagAction.REVOCATION, company=company, permit="Erkend referent arbeidsmigratie",
                        signals=[signals["IND-2026-0042"]], summary=SUMMARY)


# --- the rules of the scheme -------------------------------------------------------------------------------------


def test_reflection_period_lasts_at_most_three_months(ind, signals):
    start = dt.date(2026, 1, 31)
    assert reflection_limit(start) == dt.date(2026, 4, 30)
    with pytest.raises(ValidationError) as e:
        service.open_record(ind, display_name="A", reflection_offered=True, reflection_start=start,
                            reflection_end=dt.date(2026, 5, 1))
    assert "reflection_end" in e.value.message_dict
    ok = service.open_record(ind, display_name="B", reflection_offered=True, reflection_start=start,
                             reflection_end=dt.date(2026, 4, 30))
    assert ok.reflection_end == dt.date(2026, 4, 30)


def test_reflection_period_ends_after_it_starts_and_ends_early_within_it(ind, rec):
    with pytest.raises(ValidationError) as e:
        service.update(ind, rec, "reflection", {"reflection_end": rec.reflection_start})
    assert "reflection_end" in e.value.message_dict
    rec.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        service.update(ind, rec, "reflection", {"reflection_ended_on": rec.reflection_end + dt.timedelta(days=1)})
    assert "reflection_ended_on" in e.value.message_dict
    rec.refresh_from_db()
    with pytest.raises(ValidationError) as e:  # a period that was not offered has no dates
        service.update(ind, rec, "reflection", {"reflection_offered": False})
    assert "reflection_offered" in e.value.message_dict
    rec.refresh_from_db()
    assert service.update(ind, rec, "reflection", {"reflection_ended_on": d(-5),
                                                   "reflection_end_reason": "Aangifte gedaan"})


def test_permit_rules(ind, rec):
    with pytest.raises(ValidationError) as e:
        service.apply_permit(ind, rec, kind=PermitKind.RENEWAL, applied_on=d(-1))
    assert "kind" in e.value.message_dict  # no granted B8/3 permit to renew
    permit = service.apply_permit(ind, rec, kind=PermitKind.B83, applied_on=d(-10))
    with pytest.raises(ValidationError) as e:
        service.decide_permit(ind, permit, decision=Decision.GRANTED, decided_on=d(-9))
    assert "valid_until" in e.value.message_dict  # granted needs a validity
    permit.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        service.decide_permit(ind, permit, decision=Decision.GRANTED, decided_on=d(-11), valid_from=d(-9),
                              valid_until=d(-10))
    assert {"decided_on", "valid_until"} <= set(e.value.message_dict)
    permit.refresh_from_db()
    service.decide_permit(ind, permit, decision=Decision.GRANTED, decided_on=d(-9), valid_from=d(-9),
                          valid_until=d(356))
    with pytest.raises(ValidationError) as e:
        service.apply_permit(ind, rec, kind=PermitKind.CONTINUED, applied_on=d(0))
    assert "ground" in e.value.message_dict
    assert service.apply_permit(ind, rec, kind=PermitKind.RENEWAL, applied_on=d(300)).pk


def test_only_a_possible_victim_gets_a_record_and_only_from_readable_signals(ind, signals):
    suspect = signals["IND-2026-0042"].persons.get(role="possible_suspect")
    with pytest.raises(ValidationError) as e:
        service.open_record(ind, person=suspect)
    assert "person" in e.value.message_dict
    with pytest.raises(ValidationError) as e:  # a Rotterdam signal the IND may not read
        service.open_record(ind, person=victim(signals, "ROT-2026-0007"))
    assert e.value.message_dict == {"person": ["not found"]}
    assert not ProtectionRecord.objects.exists()


# --- history ------------------------------------------------------------------------------------------------------


def test_every_change_is_an_event_with_user_and_time_and_audited(ind, rec):
    service.update(ind, rec, "cooperation", {"cooperation": Cooperation.REPORT, "cooperation_on": d(-3)})
    service.update(ind, rec, "cooperation", {"cooperation": Cooperation.COOPERATE, "cooperation_on": d(-2)})
    events = list(ProtectionEvent.objects.filter(record=rec).order_by("at", "id"))
    assert [e.kind for e in events] == ["opened", "cooperation", "cooperation"]
    assert all(e.user == ind and e.at for e in events)
    assert events[2].detail["changes"] == {"cooperation": ["report", "cooperate"],
                                           "cooperation_on": [d(-3).isoformat(), d(-2).isoformat()]}
    assert events[0].detail["v_number"] == V_NUMBER
    assert AuditEntry.objects.filter(username="ind", action="update", object_id=str(rec.pk)).count() == 2
    assert service.update(ind, rec, "cooperation", {"cooperation": Cooperation.COOPERATE,
                                                    "cooperation_on": d(-2)}) == {}  # no change, no event
    assert ProtectionEvent.objects.filter(record=rec).count() == 3


# --- deadlines and reminders --------------------------------------------------------------------------------------


def test_deadlines_follow_the_record(ind, rec, signals):
    records = ProtectionRecord.objects.all()
    [reflection] = dl.deadlines(records, TODAY)
    assert reflection.kind == DeadlineKind.REFLECTION_END and reflection.due == rec.reflection_end
    assert reflection.days_left == (rec.reflection_end - TODAY).days
    # the decision to report ends the reflection deadline; the report is the application for the permit
    service.update(ind, rec, "cooperation", {"cooperation": Cooperation.REPORT, "cooperation_on": d(-20)})
    permit = service.apply_permit(ind, rec, kind=PermitKind.B83, applied_on=d(-20))
    [pending] = dl.deadlines(records, TODAY)
    assert pending.kind == DeadlineKind.DECISION_PENDING and pending.overdue  # term of a first B8/3 is 7 days
    service.decide_permit(ind, permit, decision=Decision.GRANTED, decided_on=d(-19), valid_from=d(-345),
                          valid_until=d(20))
    kinds = [(x.kind, x.due) for x in dl.deadlines(records, TODAY)]
    assert kinds == [(DeadlineKind.RENEWAL_DUE, d(-10)), (DeadlineKind.PERMIT_EXPIRY, d(20))]  # overdue first
    # a renewal applied for carries the deadline as its pending decision
    renewal = service.apply_permit(ind, rec, kind=PermitKind.RENEWAL, applied_on=d(-1))
    assert [x.kind for x in dl.deadlines(records, TODAY)] == [DeadlineKind.DECISION_PENDING]
    service.decide_permit(ind, renewal, decision=Decision.GRANTED, decided_on=d(0), valid_from=d(21),
                          valid_until=d(21 + 365))
    assert [x.due for x in dl.deadlines(records, TODAY)] == [d(21 + 365 - 30), d(21 + 365)]
    other = service.open_record(ind, display_name="Daniela Ramírez Contreras")
    ex = service.request_exemption(ind, other, ground=ExemptionGround.THREAT, applied_on=d(-100))
    first = dl.deadlines(records, TODAY)[0]
    assert (first.record_id, first.subject, first.overdue) == (other.pk, f"exemption:{ex.pk}", True)
    service.update(ind, rec, "closed", {"closed_on": d(0), "closed_reason": "Vertrokken uit Nederland"})
    assert {x.record_id for x in dl.deadlines(records, TODAY)} == {other.pk}
    with pytest.raises(ValidationError):
        service.update(ind, rec, "closed", {"closed_on": None, "closed_reason": "Vertrokken uit Nederland"})
    rec.refresh_from_db()
    service.update(ind, rec, "closed", {"closed_on": None, "closed_reason": ""})  # open again
    assert {x.record_id for x in dl.deadlines(records, TODAY)} == {rec.pk, other.pk}


def test_reminders_are_made_once_per_step_and_resolve_with_their_deadline(ind, rec):
    end = rec.reflection_end
    assert dl.make_reminders(end - dt.timedelta(days=20))["made"] == 0  # further away than every step
    assert dl.make_reminders(end - dt.timedelta(days=10))["made"] == 1  # the 14-day step
    assert dl.make_reminders(end - dt.timedelta(days=10))["made"] == 0  # idempotent
    assert dl.make_reminders(end - dt.timedelta(days=9))["made"] == 0
    assert dl.make_reminders(end - dt.timedelta(days=6))["made"] == 1  # the 7-day step
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [7, 14]
    current = dl.deadlines(ProtectionRecord.objects.all(), end - dt.timedelta(days=6))
    [(shown, deadline)] = dl.open_reminders(ProtectionRecord.objects.all(), current)
    assert shown.days_before == 7 and deadline.kind == DeadlineKind.REFLECTION_END
    service.update(ind, rec, "cooperation", {"cooperation": Cooperation.DECLINED, "cooperation_on": d(-1)})
    assert dl.make_reminders(end - dt.timedelta(days=5)) == {"deadlines": 0, "made": 0, "resolved": 2}
    assert not Reminder.objects.filter(dismissed_at__isnull=True).exists()


def test_reminder_days_are_configurable(ind, rec, settings):
    settings.VIGIL_PROTECTION_REMINDER_DAYS = {DeadlineKind.REFLECTION_END: (30,)}
    assert dl.make_reminders(rec.reflection_end - dt.timedelta(days=25))["made"] == 1
    assert Reminder.objects.get().days_before == 30


def test_reminders_command_and_daily_task_are_idempotent(ind, rec):
    day = (rec.reflection_end - dt.timedelta(days=3)).isoformat()
    out = io.StringIO()
    call_command("protection_reminders", "--date", day, "--list", stdout=out)
    assert "1 reminders made" in out.getvalue() and "reflection_end" in out.getvalue()
    assert rec.display_name not in out.getvalue()  # the CLI prints no names
    out = io.StringIO()
    call_command("protection_reminders", "--date", day, stdout=out)
    assert "0 reminders made" in out.getvalue()
    from vigil.protection.tasks import daily_reminders, ensure_scheduled

    assert ensure_scheduled()  # the immediate backend of the tests runs it at once (as of today: the 14-day step)
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [7, 14]
    assert daily_reminders.enqueue().return_value == {"deadlines": 1, "made": 0, "resolved": 0}


# --- pages --------------------------------------------------------------------------------------------------------


def test_dashboard_overdue_first_with_reminders(client, ind, rec):
    late = service.open_record(ind, display_name="Daniela Ramírez Contreras")
    service.apply_permit(ind, late, kind=PermitKind.B83, applied_on=d(-30))
    dl.make_reminders()
    client.force_login(ind)
    html = client.get(reverse("protection:dashboard")).content.decode()
    table = html[html.index('id="h-deadlines"'):]
    assert table.index("Daniela Ramírez Contreras") < table.index("Valentina Restrepo Gómez")
    assert 'class="urgent"' in table
    reminders = html[html.index('id="h-reminders"'):html.index('id="h-deadlines"')]
    assert "Daniela Ramírez Contreras" in reminders
    assert AuditEntry.objects.filter(username="ind", action="view", object_type="protection_deadlines").exists()
    reminder = Reminder.objects.get(record=late)
    assert client.post(reverse("protection:dismiss", args=[reminder.pk])).status_code == 302
    reminder.refresh_from_db()
    assert reminder.dismissed_by == ind and reminder.dismissed_at
    html = client.get(reverse("protection:dashboard")).content.decode()
    assert "Daniela Ramírez Contreras" not in html[html.index('id="h-reminders"'):html.index('id="h-deadlines"')]


def test_record_steps_through_the_page(client, ind, rec):
    client.force_login(ind)
    url = reverse("protection:update", args=[rec.pk])
    start = rec.reflection_start
    too_long = {"step": "reflection", "reflection-reflection_offered": "yes",
                "reflection-reflection_start": start.isoformat(),
                "reflection-reflection_end": (start + dt.timedelta(days=120)).isoformat()}
    response = client.post(url, too_long)
    assert response.status_code == 200 and "hoogstens drie maanden" in response.content.decode()
    rec.refresh_from_db()
    assert rec.reflection_end == reflection_limit(start)  # unchanged
    response = client.post(url, {"step": "cooperation", "cooperation-cooperation": "report",
                                 "cooperation-cooperation_on": d(-1).isoformat()})
    assert response.status_code == 302
    client.post(url, {"step": "permit", "permit-kind": "b83", "permit-applied_on": d(-1).isoformat()})
    permit = rec.permits.get()
    response = client.post(url, {"step": "permit_decision", "target": permit.pk,
                                 f"permit-{permit.pk}-decision": "granted",
                                 f"permit-{permit.pk}-decided_on": d(0).isoformat()})
    assert response.status_code == 200 and "heeft een geldigheidsduur nodig" in response.content.decode()
    client.post(url, {"step": "permit_decision", "target": permit.pk, f"permit-{permit.pk}-decision": "granted",
                      f"permit-{permit.pk}-decided_on": d(0).isoformat(),
                      f"permit-{permit.pk}-valid_from": d(0).isoformat(),
                      f"permit-{permit.pk}-valid_until": d(365).isoformat()})
    client.post(url, {"step": "exemption", "exemption-ground": "medical", "exemption-applied_on": d(0).isoformat(),
                      "exemption-note": "Advies BMA"})
    permit.refresh_from_db()
    assert permit.decision == Decision.GRANTED and permit.valid_until == d(365)
    html = client.get(reverse("protection:record", args=[rec.pk])).content.decode()
    assert "Medische of psychische redenen" in html and "Advies BMA" in html
    assert [e.kind for e in rec.events.all()] == ["opened", "cooperation", "permit_applied", "permit_decided",
                                                  "exemption_requested"]


def test_new_record_from_a_signal_person(client, ind, signals):
    client.force_login(ind)
    person = victim(signals)
    html = client.get(reverse("protection:new"), {"person": person.pk}).content.decode()
    candidates = html[html.index('id="h-candidates"'):]
    assert "Valentina Restrepo Gómez" in candidates and "Larissa" not in candidates  # need-to-know
    response = client.post(reverse("protection:new"), {"person": person.pk, "nationality": "Colombiaans"})
    rec = ProtectionRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("protection:record", args=[rec.pk])
    assert (rec.display_name, rec.nationality, rec.owner.slug) == ("Valentina Restrepo Gómez", "CO", "ind")
    html = client.get(reverse("protection:new")).content.decode()
    assert "Valentina" not in html[html.index('id="h-candidates"'):]  # she has her record now
    response = client.post(reverse("protection:new"), {"nationality": "Atlantis",
                                                       "person": victim(signals, "ROT-2026-0007").pk})
    html = response.content.decode()
    assert response.status_code == 200 and "Onbekend land" in html and "signaal dat u mag inzien" in html


def test_flag_needs_evidence_and_follows_its_decision_trail(client, ind, signals, flag):
    company = Company.objects.get(signal=signals["IND-2026-0042"])
    with pytest.raises(ValidationError):
        service.flag(ind, action=FlagAction.REFUSAL, company=company, permit="x", summary=SUMMARY)
    with pytest.raises(ValidationError):  # evidence the IND may not read
        service.flag(ind, action=FlagAction.REFUSAL, company=company, permit="x", summary=SUMMARY,
                     signals=[signals["ROT-2026-0007"]])
    with pytest.raises(ValidationError):
        service.move_flag(ind, flag, FlagStatus.UPHELD, "te vroeg")  # proposed → upheld skips the review
    with pytest.raises(ValidationError):
        service.move_flag(ind, flag, FlagStatus.REVIEW, "  ")
    client.force_login(ind)
    url = reverse("protection:flag_step", args=[flag.pk])
    assert client.post(url, {"status": "under_review", "reason": "Naar juridische zaken"}).status_code == 302
    assert client.post(url, {"status": "upheld", "reason": "Erkenning ingetrokken"}).status_code == 302
    steps = list(FlagStep.objects.filter(flag=flag).order_by("at", "id"))
    assert [(s.status, s.user_id) for s in steps] == [("proposed", ind.pk), ("under_review", ind.pk),
                                                      ("upheld", ind.pk)]
    assert steps[0].detail["signals"] == ["IND-2026-0042"]
    html = client.get(reverse("protection:flag", args=[flag.pk])).content.decode()
    assert "Erkenning ingetrokken" in html and SUMMARY in html and "IND-2026-0042" in html
    assert AuditEntry.objects.filter(action="status", object_type="permitflag", object_id=str(flag.pk)).count() == 2


def test_flag_form_cites_signals_by_reference(client, ind, signals):
    client.force_login(ind)
    company = Company.objects.get(signal=signals["IND-2026-0042"])
    form = {"action": "refusal", "permit": "Verblijfsvergunning arbeid", "company": company.pk,
            "summary": SUMMARY}
    html = client.post(reverse("protection:flag_new"), form).content.decode()
    assert "Noem ten minste één signaal of zaak" in html
    html = client.post(reverse("protection:flag_new"), {**form, "signals": "ROT-2026-0007"}).content.decode()
    assert "Niet gevonden onder de signalen die u mag inzien: ROT-2026-0007" in html
    response = client.post(reverse("protection:flag_new"), {**form, "signals": "IND-2026-0042"})
    assert response.status_code == 302
    assert PermitFlag.objects.get().subject_name == "Flexwerk Oost B.V."


# --- the role-by-endpoint matrix ----------------------------------------------------------------------------------


@pytest.fixture
def matrix(ind, other_ind, rec, flag):
    """A record, reminder and flag of the IND, and the same of another organisation."""
    other_rec = service.open_record(other_ind, display_name="Camila Andrea Torres", reflection_offered=True,
                                    reflection_start=TODAY,
                                    reflection_end=reflection_limit(TODAY))
    other_flag = PermitFlag.objects.create(reference="VGA-CN-1", owner=other_ind.organisation, action="refusal",
                                           subject_name="Kingston Staffing N.V.", permit="Tewerkstellingsvergunning",
                                           summary="Signalen van uitbuiting.")
    for r in (rec, other_rec):
        Reminder.objects.create(record=r, kind=DeadlineKind.REFLECTION_END, subject="reflection",
                                due=r.reflection_end, days_before=14)
    reminders = {r.record.owner_id: r for r in Reminder.objects.select_related("record")}
    return {"record": [rec, other_rec], "update": [rec, other_rec], "flag": [flag, other_flag],
            "flag_step": [flag, other_flag], "dismiss": [reminders[rec.owner_id], reminders[other_rec.owner_id]]}


def _owner(obj):
    return obj.record.owner_id if isinstance(obj, Reminder) else obj.owner_id


def _walk(client, user, targets):
    caps = CAPABILITIES[user.role]
    for name, need in ROUTE_NEEDS.items():
        for obj in targets.get(name, [None]):
            url = reverse(f"protection:{name}", args=[obj.pk] if obj is not None else [])
            response = client.post(url, {}) if name in POSTS else client.get(url)
            if need not in caps:
                assert response.status_code == 403, (user.username, url, response.status_code)
            elif obj is None:
                assert response.status_code == 200, (user.username, url, response.status_code)
            elif _owner(obj) != user.organisation_id:
                assert response.status_code == 404, (user.username, url, response.status_code)
                kind = {"record": "protectionrecord", "update": "protectionrecord", "flag": "permitflag",
                        "flag_step": "permitflag", "dismiss": "reminder"}[name]
                assert AuditEntry.objects.filter(username=user.username, action="denied", object_type=kind,
                                                 object_id=str(obj.pk)).exists(), (user.username, url)
            else:
                expected = (302,) if name == "dismiss" else (200,)
                assert response.status_code in expected, (user.username, url, response.status_code)


def test_the_matrix_covers_every_route():
    [protection] = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "protection"]
    assert {p.name for p in protection.url_patterns} == set(ROUTE_NEEDS)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_protection_url_as_every_role(client, users, matrix, role):
    user = users[role]
    client.force_login(user)
    _walk(client, user, matrix)
    if role == Role.IND_OFFICER:
        assert CAPABILITIES[role] >= {"protection", "permits"}
    else:
        assert not CAPABILITIES[role] & {"protection", "permits"}


def test_every_protection_url_as_an_ind_officer_of_another_organisation(client, other_ind, matrix):
    client.force_login(other_ind)
    _walk(client, other_ind, matrix)  # their own record and flag answer, the IND's are 404 and audited


def test_anonymous_is_sent_to_login(client, matrix):
    for name in ROUTE_NEEDS:
        obj = matrix.get(name, [None])[0]
        response = client.get(reverse(f"protection:{name}", args=[obj.pk] if obj is not None else []))
        assert response.status_code == 302 and "/login/" in response["Location"], name


class Api:
    def __init__(self, token):
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)


def _api_paths():
    """Every GET operation of the OpenAPI document: (path template, has path parameters)."""
    schema = ninja_api.get_openapi_schema()
    return [path for path, ops in schema["paths"].items() if "get" in ops]


PROTECTION_API = ["/api/protection/deadlines", "/api/protection/records"]


def test_protection_api_operations_are_in_the_openapi_document():
    paths = _api_paths()
    assert set(PROTECTION_API) <= set(paths)
    schema = ninja_api.get_openapi_schema()
    for path in PROTECTION_API:
        responses = schema["paths"][path]["get"]["responses"]
        assert {200, 401, 403} <= {int(code) for code in responses}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_api_only_the_ind_officer_reads_protection(users, matrix, signals, role):
    user = users[role]
    api = Api(ApiToken.issue(user, "matrix", Scope.values)[1])
    secrets = [matrix["record"][0].reference, V_NUMBER, SUMMARY, matrix["flag"][0].reference]
    for path in PROTECTION_API:
        response = api.get(path)
        if role == Role.IND_OFFICER:
            assert response.status_code == 200, (role, path, response.content)
            body = response.json()
            assert body["count"] >= 1
            what = "protection_" + path.rsplit("/", 1)[1]
            assert AuditEntry.objects.filter(username=user.username, action="view", object_type=what).exists()
        else:
            assert response.status_code == 403, (role, path, response.status_code)
            assert response["Content-Type"].startswith("application/json")
            assert response.json()["error"] == "forbidden" and response.json()["detail"]
            assert AuditEntry.objects.filter(username=user.username, action="denied").exists()
    if role == Role.IND_OFFICER:
        return
    # no protection data in any other answer of the API or of the workspace for this role
    for template in _api_paths():
        path = template
        for param in ("signal_id", "case_id", "referral_id"):
            path = path.replace("{" + param + "}", str(signals["IND-2026-0042"].pk))
        if "{" in path:
            continue
        body = api.get(path).content.decode()
        assert not any(s in body for s in secrets), (role, path)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    from tests.test_access import all_routes

    for route, _name in all_routes():
        if "<" in route or route.startswith("protection/"):
            continue
        body = client.get("/" + route).content.decode()
        assert not any(s in body for s in secrets), (role, route)


def test_api_token_without_the_scope_and_without_a_token(users, matrix):
    ind = users[Role.IND_OFFICER]
    response = Api(ApiToken.issue(ind, "no scope", [Scope.CASES_READ])[1]).get("/api/protection/records")
    assert response.status_code == 403 and "protection:read" in response.json()["detail"]
    assert Api(None).get("/api/protection/deadlines").status_code == 401


def test_api_answers_the_records_and_deadlines(users, matrix):
    ind = users[Role.IND_OFFICER]
    rec = matrix["record"][0]
    api = Api(ApiToken.issue(ind, "ind system", [Scope.PROTECTION_READ])[1])
    records = api.get("/api/protection/records").json()
    assert records["count"] == 1  # not the other organisation's record
    [item] = records["items"]
    assert (item["reference"], item["v_number"], item["nationality"]) == (rec.reference, V_NUMBER, "CO")
    assert item["reflection_end"] == rec.reflection_end.isoformat() and item["permits"] == []
    deadlines = api.get("/api/protection/deadlines").json()
    assert [x["kind"] for x in deadlines["items"]] == ["reflection_end"]
    assert api.get("/api/protection/deadlines", within=0).json()["count"] == 0
    assert api.get("/api/protection/records", limit=0).status_code == 422
    entry = AuditEntry.objects.filter(username="ind", object_type="protection_records").latest("id")
    assert entry.detail == {"via": "api", "records": [rec.pk]}


# --- the demo -----------------------------------------------------------------------------------------------------


def test_demo_records_and_flag(users):
    from vigil.demo.load import load_signals
    from vigil.demo.world import generate_world
    from vigil.protection import demo

    world = generate_world(n_signals=0)
    load_signals([s for s in world.signals if s["owner"] == "ind"])
    made = demo.load(world)
    assert len(made["records"]) == 4 and len(made["flags"]) == 1
    assert demo.load(world) == {"records": [], "flags": []}  # idempotent
    current = dl.deadlines(ProtectionRecord.objects.all())
    kinds = {(x.name, x.kind): x for x in current}
    assert 0 < kinds[("Larissa Souza Martins", DeadlineKind.REFLECTION_END)].days_left <= 14
    assert 0 < kinds[("Valentina Restrepo Gómez", DeadlineKind.PERMIT_EXPIRY)].days_left <= 30
    assert kinds[("Daniela Ramírez Contreras", DeadlineKind.DECISION_PENDING)].overdue
    minor = ProtectionRecord.objects.get(display_name="Le Van Tuan")
    assert minor.exemptions.get().ground == ExemptionGround.MINOR
    flag = PermitFlag.objects.get()
    assert flag.status == FlagStatus.REVIEW and flag.signals.count() == 2 and flag.company.name_key.startswith("flexwerk")


def test_record_json_has_no_secrets_in_anonymous_openapi():
    """The OpenAPI document describes the fields, never data."""
    assert V_NUMBER not in json.dumps(ninja_api.get_openapi_schema())
