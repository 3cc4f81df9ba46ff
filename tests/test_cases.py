"""Case work, the staff side: opening cases from signals, entities, template clusters and networks, the case page
and its work (status, tasks, notes, attachments, members), proposals from the graph, merging, and who may reach
what (members only; every role walked over every route)."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.conftest import make_record, store
from vigil.ads.models import Ad, AdVersion, TemplateCluster
from vigil.audit.models import AuditEntry
from vigil.cases import demo, merge, proposals, service, work
from vigil.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseItem,
    CaseMember,
    CaseProposal,
    CaseStatus,
    Outcome,
    Referral,
    Task,
)
from vigil.cases.urls import ROUTE_NEEDS
from vigil.linking.models import Entity, Kind
from vigil.organisations.models import Organisation, User
from vigil.organisations.roles import CAPABILITIES, Role
from vigil.register.models import Signal, SignalShare

pytestmark = pytest.mark.django_db

PHONE = "+31641278390"


@pytest.fixture
def client(client):
    """The workspace in English (its Dutch is the lead's catalogue)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def tip(ref, **fields):
    return make_record(ref, **fields)


def store_linked(capture, *records, owner="politie-rotterdam"):
    """Store signals and link them as the import's commit hook does."""
    with capture(execute=True):
        store(*records, owner=owner)


@pytest.fixture
def three(users, django_capture_on_commit_callbacks):
    """The manager of test_linking: T-1 names him with his phone and plate, T-2 his phone, T-3 his plate, T-4 a
    near miss; all Rotterdam's."""
    store_linked(django_capture_on_commit_callbacks,
                 tip("T-1", persons=[{"role": "possible_suspect", "name": "H.J. de Vries", "phones": ["06-41278390"]}],
                     addresses=[{"role": "residence", "street": "Mathenesserlaan", "house_number": "212B",
                                 "city": "Rotterdam"}], vehicles=[{"plate": "54-TVR-1"}], suspected_forms=["sexual"]),
                 tip("T-2", phones=["+31 6 41 27 83 90"],
                     addresses=[{"street": "Grote Markt", "house_number": "14 a", "postcode": "1315 JG",
                                 "city": "Almere"}]),
                 tip("T-3", vehicles=[{"plate": "54TVR1"}],
                     addresses=[{"street": "Postjesweg", "house_number": "87 3", "city": "Amsterdam"}]),
                 tip("T-4", vehicles=[{"plate": "54-TVR-7"}],
                     addresses=[{"street": "Grote Markt", "house_number": "14A", "city": "Groningen"}]))
    return {s.ref: s for s in Signal.objects.all()}


@pytest.fixture
def detective(users):
    return users[Role.INVESTIGATOR]  # Politie Eenheid Rotterdam, owns the signals


@pytest.fixture
def colleague(users):
    """A second investigator of the same unit."""
    user = User.objects.create(username="collega", role=Role.INVESTIGATOR, first_name="Kim", last_name="Vos",
                               organisation=Organisation.objects.get(slug="politie-rotterdam"))
    return user


def phone_entity() -> Entity:
    return Entity.objects.get(kind=Kind.PHONE, key=PHONE)


def node(signal) -> Entity:
    return Entity.objects.get(signal=signal)


def png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def page(client, case) -> str:
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- opening a case from a page, adding to it ----------------------------------------------------------------------


def test_open_a_case_from_a_signal_and_add_an_entity_and_a_network(client, three, detective):
    client.force_login(detective)
    t1 = three["T-1"]
    html = client.get(reverse("register:signal", args=[t1.pk])).content.decode()
    assert reverse("cases:open") in html and "Open case" in html  # the button on the signal page
    response = client.post(reverse("cases:open"), {"source": "signal", "pk": t1.pk, "title": "  De beheerder  ",
                                                    "next": f"/signals/{t1.pk}/"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case", args=[case.pk])
    assert case.title == "De beheerder" and case.reference.startswith("ZAAK-") and case.forms == ["sexual"]
    assert case.owner.slug == "politie-rotterdam" and case.members.get().user == detective
    item = case.items.get()
    assert item.signal == t1 and item.via == "signal T-1"
    assert AuditEntry.objects.filter(username=detective.username, action="create", object_type="case").exists()
    # the entity page offers the case; adding the phone
    phone = phone_entity()
    html = client.get(reverse("linking:entity", args=[phone.pk])).content.decode()
    assert case.reference in html and reverse("cases:add") in html
    client.post(reverse("cases:add"), {"source": "entity", "pk": phone.pk, "case": case.pk})
    assert case.items.filter(entity=phone, via=f"entity {phone.pk}").exists()
    # the network around the phone: its signals and entities, each once
    html = client.get(reverse("linking:network", args=[phone.pk])).content.decode()
    assert reverse("cases:add") in html
    client.post(reverse("cases:add"), {"source": "network", "pk": phone.pk, "case": case.pk})
    signals = set(case.items.filter(signal__isnull=False).values_list("signal__ref", flat=True))
    assert {"T-1", "T-2", "T-3"} <= signals and "T-4" not in signals  # the near miss is another network
    assert case.items.filter(entity=phone).count() == 1
    assert case.items.filter(via=f"network {phone.pk}").exists()
    client.post(reverse("cases:add"), {"source": "network", "pk": phone.pk, "case": case.pk})  # again: nothing new
    assert CaseEvent.objects.filter(case=case, kind="items_added").count() == 3  # signal, entity, network
    html = page(client, case)
    for ref in ("T-1", "T-2", "T-3"):
        assert ref in html
    assert "signal T-1" in html and f"network {phone.pk}" in html  # how each came in
    assert 'id="graph"' in html and "graph-data" in html  # the case's network for Cytoscape
    assert "Opened the case “De beheerder” (through signal T-1)" in html


def test_open_a_case_from_a_network_and_from_a_template_cluster(client, three, users, detective):
    client.force_login(detective)
    phone = phone_entity()
    client.post(reverse("cases:open"), {"source": "network", "pk": phone.pk, "title": "Netwerk"})
    case = Case.objects.get()
    assert case.items.filter(signal__isnull=False).count() == 3 and case.items.filter(entity=phone).exists()
    # a template cluster: its ads
    owner = Organisation.objects.get(slug="emm")
    at = timezone.now()
    cluster = TemplateCluster.objects.create(size=2, phones=[PHONE], cities=["Almere"], first_seen=at, last_seen=at)
    ads = [Ad.objects.create(owner=owner, site="s.example", site_ad_id=f"A-{n}", first_collected=at,
                             last_collected=at, title=f"Nieuw in Almere {n}", city="Almere", cluster=cluster)
           for n in range(2)]
    for ad in ads:
        AdVersion.objects.create(ad=ad, number=1, collected_at=at, title=ad.title, body="Nieuw in Almere, bel mij",
                                 city="Almere", content_hash=f"h{ad.pk}", extraction={"language": "nl"})
    html = client.get(reverse("ads:cluster", args=[cluster.pk])).content.decode()
    assert reverse("cases:open") in html and f"Template cluster {cluster.pk}" in html
    client.post(reverse("cases:add"), {"source": "cluster", "pk": cluster.pk, "case": case.pk})
    assert set(case.items.filter(ad__isnull=False).values_list("ad", flat=True)) == {a.pk for a in ads}
    assert "Nieuw in Almere 0" in page(client, case)


def test_bad_input_never_opens_or_reaches_anything(client, three, users, detective):
    client.force_login(detective)
    t1 = three["T-1"]
    response = client.post(reverse("cases:open"), {"source": "signal", "pk": t1.pk, "title": "   ",
                                                   "next": f"/signals/{t1.pk}/"}, follow=True)
    assert not Case.objects.exists() and "The case was not opened" in response.content.decode()
    for data in ({"source": "dossier", "pk": t1.pk, "title": "x"}, {"source": "signal", "pk": "x", "title": "x"},
                 {"source": "signal", "pk": t1.pk, "title": "x", "next": "https://elsewhere.example/"}):
        response = client.post(reverse("cases:open"), data)
        assert response.status_code == 302 and response["Location"].startswith("/"), data
    Case.objects.all().delete()
    # a signal of another organisation: 404, audited, no case
    store(tip("EMM-1", phones=["06-41278390"]), owner="emm")
    foreign = Signal.objects.get(ref="EMM-1")
    assert client.post(reverse("cases:open"), {"source": "signal", "pk": foreign.pk, "title": "x"}).status_code == 404
    assert AuditEntry.objects.filter(username=detective.username, action="denied", object_type="signal",
                                     object_id=str(foreign.pk)).exists()
    assert client.post(reverse("cases:open"), {"source": "entity", "pk": 10**9, "title": "x"}).status_code == 404
    assert not Case.objects.exists()
    # someone else's case: 404, audited, nothing added
    other = service.open_case(users[Role.ANALYST], "EMM's zaak")
    response = client.post(reverse("cases:add"), {"source": "signal", "pk": t1.pk, "case": other.pk})
    assert response.status_code == 404 and not other.items.exists()
    assert AuditEntry.objects.filter(username=detective.username, action="denied", object_type="case",
                                     object_id=str(other.pk)).exists()


def test_open_case_refuses_what_the_user_may_not_see_as_a_whole(three, users, detective):
    store(tip("EMM-2", phones=["06-11111111"]), owner="emm")
    with pytest.raises(service.CaseError):
        service.open_case(detective, "Gemengd", signals=[three["T-1"], Signal.objects.get(ref="EMM-2")])
    assert not Case.objects.exists()  # nothing half-opened


# --- the work on a case ----------------------------------------------------------------------------------------


def test_status_workflow_needs_an_outcome_to_close(client, three, detective):
    client.force_login(detective)
    case = service.open_case(detective, "Zaak", signals=[three["T-1"]])
    url = reverse("cases:status", args=[case.pk])
    response = client.post(url, {"status": "closed"})
    assert response.status_code == 200 and "Closing a case needs an outcome." in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    client.post(url, {"status": "under_investigation"})
    client.post(url, {"status": "closed", "outcome": "prosecution", "note": "OM neemt het over"})
    case.refresh_from_db()
    assert (case.status, case.outcome, case.outcome_note) == ("closed", "prosecution", "OM neemt het over")
    assert case.closed_at is not None
    response = client.post(reverse("cases:add"), {"source": "signal", "pk": three["T-2"].pk, "case": case.pk},
                           follow=True)
    assert "is closed: reopen it first" in response.content.decode() and case.items.count() == 1
    response = client.post(url, {"status": "referred"})  # closed -> referred is not a step
    assert "cannot become Referred" in response.content.decode()
    client.post(url, {"status": "open"})
    case.refresh_from_db()
    assert case.status == "open" and case.outcome == "" and case.closed_at is None
    html = page(client, case)
    assert "Status Open → Under investigation" in html and "outcome: Handed to the prosecution service" in html
    response = client.post(url, {"status": "closed", "outcome": "merged"})  # only a merge closes as merged
    assert response.status_code == 200 and Case.objects.get(pk=case.pk).status == "open"


def test_tasks_with_due_dates_overdue_and_done(client, three, detective, colleague):
    client.force_login(detective)
    case = service.open_case(detective, "Zaak", signals=[three["T-1"]])
    service.add_member(detective, case, colleague)
    today = timezone.localdate()
    url = reverse("cases:task", args=[case.pk])
    response = client.post(url, {"title": "Kadaster opvragen", "due": (today - dt.timedelta(days=2)).isoformat(),
                                 "assignee": colleague.pk})
    assert response.status_code == 302 and response["Location"].endswith("#h-tasks")
    client.post(url, {"title": "Advertenties vastleggen", "due": (today + dt.timedelta(days=5)).isoformat()})
    late = Task.objects.get(title="Kadaster opvragen")
    assert late.assignee == colleague and work.overdue(late)
    html = page(client, case)
    assert "Kadaster opvragen" in html and "overdue" in html
    listing = client.get(reverse("cases:list")).content.decode()
    assert case.reference in listing and "1 overdue" in listing
    # bad input: an empty task, a date that is no date, a task for someone outside the case
    for data in ({"title": "  "}, {"title": "x", "due": "morgen"}, {"title": "x", "assignee": 10**9}):
        assert client.post(url, data).status_code == 200
    assert case.tasks.count() == 2
    client.post(reverse("cases:task_done", args=[case.pk]), {"task": late.pk})
    late.refresh_from_db()
    assert late.done_at is not None and not work.overdue(late)
    other = service.open_case(detective, "Andere zaak")
    foreign = work.add_task(detective, other, "Niet van deze zaak")
    response = client.post(reverse("cases:task_done", args=[case.pk]), {"task": foreign.pk})
    assert "Task not found." in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.done_at is None
    html = page(client, case)
    assert "New task: Kadaster opvragen" in html and "Task done: Kadaster opvragen" in html


def test_notes_and_the_timeline_and_the_list_filter(client, three, detective):
    client.force_login(detective)
    case = service.open_case(detective, "Zaak", signals=[three["T-1"]])
    closed = service.open_case(detective, "Oude zaak")
    service.set_status(detective, closed, "closed", outcome=Outcome.NO_OFFENCE)
    assert client.post(reverse("cases:note", args=[case.pk]), {"text": " "}).status_code == 200
    client.post(reverse("cases:note", args=[case.pk]), {"text": "Buren bellen <b>elke</b> week."})
    html = page(client, case)
    assert "Buren bellen &lt;b&gt;elke&lt;/b&gt; week." in html  # escaped, never markup
    assert "Note: Buren bellen" in html
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "opened", "items_added", "note_added"]
    listing = client.get(reverse("cases:list"), {"status": "closed"}).content.decode()
    assert closed.reference in listing and case.reference not in listing
    listing = client.get(reverse("cases:list")).content.decode()
    assert listing.index(case.reference) < listing.index(closed.reference)  # the last changed first
    assert AuditEntry.objects.filter(username=detective.username, action="view", object_type="case",
                                     object_id=str(case.pk)).exists()


def test_attachments_checked_by_content_and_size_download_audited(client, three, detective, settings):
    client.force_login(detective)
    case = service.open_case(detective, "Zaak")
    url = reverse("cases:upload", args=[case.pk])
    upload = io.BytesIO(png())
    upload.name = "foto van de deur.exe"
    assert client.post(url, {"file": upload}).status_code == 302
    item = Attachment.objects.get()
    assert item.name == "foto van de deur.png" and item.content_type == "image/png"  # by content, not by name
    response = client.get(reverse("cases:attachment", args=[case.pk, item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff" and "attachment" in response["Content-Disposition"]
    assert Image.open(io.BytesIO(response.content)).size == (8, 8)
    assert AuditEntry.objects.filter(username=detective.username, action="view", object_type="case",
                                     detail__attachment=item.pk).exists()
    # refused: a program, HTML, an empty file, a file over the limit
    for name, data in (("a.png", b"MZ\x90\x00" + b"\x00" * 100), ("a.txt", b"<html><script>x</script></html>"),
                       ("leeg.txt", b"")):
        f = io.BytesIO(data)
        f.name = name
        response = client.post(url, {"file": f})
        assert response.status_code == 200 and 'class="error' in response.content.decode(), name
    big = io.BytesIO(b"a" * (work.MAX_ATTACHMENT_BYTES + 1))
    big.name = "groot.txt"
    response = client.post(url, {"file": big})
    assert "The file is larger than 10 MB." in response.content.decode()
    assert Attachment.objects.count() == 1
    assert client.get(reverse("cases:attachment", args=[case.pk, item.pk + 1])).status_code == 404
    html = page(client, case)
    assert "Attached foto van de deur.png" in html


def test_members_are_colleagues_of_the_own_organisation(client, three, users, detective, colleague):
    client.force_login(detective)
    case = service.open_case(detective, "Zaak", signals=[three["T-1"]])
    html = page(client, case)
    assert "Kim Vos" in html  # offered
    assert users[Role.ANALYST].username not in html.split('id="h-members"')[1].split("</section>")[0]
    client.force_login(colleague)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 404  # not yet a member
    client.force_login(detective)
    response = client.post(reverse("cases:member", args=[case.pk]), {"user": users[Role.ANALYST].pk})
    assert response.status_code == 200 and not case.members.filter(user=users[Role.ANALYST]).exists()
    client.post(reverse("cases:member", args=[case.pk]), {"user": colleague.pk})
    client.force_login(colleague)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 200
    client.post(reverse("cases:assign", args=[case.pk]), {"assignee": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague
    with pytest.raises(service.CaseError):
        work.assign(detective, case, users[Role.IND_OFFICER])
    assert "Assigned to collega" in page(client, case)


# --- proposals ---------------------------------------------------------------------------------------------------


def test_a_new_signal_touching_a_case_is_proposed_and_accepted_or_set_aside(client, three, users, detective,
                                                                             django_capture_on_commit_callbacks):
    case = service.open_case(detective, "Zaak", signals=[three["T-1"]])
    by_entity = service.open_case(detective, "Via de telefoon", entities=[phone_entity()])
    closed = service.open_case(detective, "Gesloten", signals=[three["T-1"]])
    service.set_status(detective, closed, "closed", outcome=Outcome.OTHER)
    elsewhere = service.open_case(users[Role.ANALYST], "EMM", signals=[])  # EMM may not read Rotterdam's signals
    CaseItem.objects.create(case=elsewhere, entity=phone_entity(), via="test")
    store_linked(django_capture_on_commit_callbacks,
                 tip("T-5", phones=["0031 6 41278390"]), tip("T-6", phones=["06-99999999"]))
    new, unrelated = Signal.objects.get(ref="T-5"), Signal.objects.get(ref="T-6")
    ids = [new.pk, unrelated.pk, three["T-2"].pk, three["T-4"].pk]
    with CaptureQueriesContext(connection) as queries:
        proposals.propose_for_signals(ids)
    assert len(queries) == 1  # one statement for the batch
    proposed = {(p.case_id, p.signal.ref) for p in CaseProposal.objects.select_related("signal")}
    assert proposed == {(case.pk, "T-5"), (case.pk, "T-2"), (by_entity.pk, "T-5"), (by_entity.pk, "T-2")}
    proposal = CaseProposal.objects.get(case=case, signal=new)
    assert proposal.entities == [phone_entity().pk]
    assert proposals.propose_for_signals(ids) == 0  # nothing new: nothing written
    client.force_login(detective)
    html = page(client, case)
    assert "T-5" in html and "Phone: +31641278390" in html
    client.post(reverse("cases:proposal", args=[case.pk]), {"proposal": proposal.pk, "decision": "accept"})
    assert case.items.filter(signal=new, via="proposal").exists()
    proposal.refresh_from_db()
    assert proposal.decision == "accepted" and proposal.decided_by == detective
    response = client.post(reverse("cases:proposal", args=[case.pk]), {"proposal": proposal.pk, "decision": "accept"})
    assert "already decided" in response.content.decode()
    other = CaseProposal.objects.get(case=case, signal=three["T-2"])
    client.post(reverse("cases:proposal", args=[case.pk]), {"proposal": other.pk, "decision": "reject"})
    other.refresh_from_db()
    assert other.decision == "rejected" and not case.items.filter(signal=three["T-2"]).exists()
    proposals.propose_for_signals([three["T-2"].pk])  # set aside stays set aside
    other.refresh_from_db()
    assert other.decision == "rejected"
    html = page(client, case)
    assert "Proposed signal T-5 added to the case" in html and "Proposed signal T-2 set aside" in html
    # a proposal of another case cannot be decided from this one
    foreign = CaseProposal.objects.get(case=by_entity, signal=new)
    response = client.post(reverse("cases:proposal", args=[case.pk]), {"proposal": foreign.pk, "decision": "accept"})
    assert "Proposal not found." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_new_ads_that_touch_a_case_are_proposed_as_their_ad_network(client, three, users, detective, tmp_path):
    """An ad network whose ads show the case's phone is proposed to the open case (not to a closed one); accepting
    adds its entity; a partner in the case's organisation could not decide on it (ads are not for that role)."""
    from tests.conftest import write_jsonl
    from vigil.ads.importer import import_ads

    case = service.open_case(detective, "Zaak", signals=[three["T-1"]])
    closed = service.open_case(detective, "Gesloten", entities=[phone_entity()])
    service.set_status(detective, closed, "closed", outcome=Outcome.OTHER)
    body = "Nieuw in Almere! Lieve meiden, bel {} voor een afspraak, discreet en 24/7 beschikbaar."
    write_jsonl(tmp_path / "ads.jsonl", [
        {"site": "s.example", "id": "1", "collected_at": "2026-03-01T10:00:00Z", "body": body.format("06-41278390")},
        {"site": "s.example", "id": "2", "collected_at": "2026-03-02T10:00:00Z", "body": body.format("0641278390")},
        {"site": "s.example", "id": "3", "collected_at": "2026-03-02T10:00:00Z",
         "body": "Andere meid, bel 06-55512345 en 06-55512346"}])
    import_ads(tmp_path / "ads.jsonl", owner="politie-rotterdam", workers=0)  # the graph follows (background task)
    network = Entity.objects.get(kind=Kind.AD_NETWORK)
    proposal = CaseProposal.objects.get()
    assert (proposal.case, proposal.ad_network_id, proposal.signal) == (case, int(network.key), None)
    assert proposal.entities == [phone_entity().pk]
    client.force_login(detective)
    html = page(client, case)
    assert f"Ad network {network.key}" in html and "new signals and ad networks" in html
    client.post(reverse("cases:proposal", args=[case.pk]), {"proposal": proposal.pk, "decision": "accept"})
    assert case.items.filter(entity=network, via="proposal").exists()
    assert f"Proposed ad network {network.key} added to the case" in page(client, case)
    proposal.refresh_from_db()
    assert proposal.decision == "accepted"
    from vigil.cases.proposals import propose_for_ad_networks

    assert propose_for_ad_networks([int(network.key)]) == 0  # held by the case now: nothing proposed again
    proposal.decision = ""  # (in memory) as if still open: a role that may not read ads cannot decide on it
    with pytest.raises(service.CaseError, match="not readable"):
        proposals.decide(users[Role.PARTNER], case, proposal, accept=False)


def test_proposals_for_many_signals_and_cases_stay_one_statement(three, detective):
    cases = [service.open_case(detective, f"Zaak {n}", signals=[three["T-1"]]) for n in range(30)]
    with CaptureQueriesContext(connection) as queries:
        written = proposals.propose_for_signals(s.pk for s in three.values())
    assert len(queries) == 1
    assert written == 2 * len(cases)  # T-2 (phone) and T-3 (plate) for each; T-4 is the near miss
    assert not CaseProposal.objects.filter(signal=three["T-4"]).exists()


# --- merging -----------------------------------------------------------------------------------------------------


def test_merge_moves_everything_and_keeps_history(client, three, users, detective, colleague):
    source = service.open_case(detective, "Flat Rotterdam", signals=[three["T-1"], three["T-2"]], forms=["sexual"])
    target = service.open_case(detective, "Flat Almere", signals=[three["T-2"]], entities=[phone_entity()],
                               forms=["labour"])
    service.add_member(detective, source, colleague)
    task = work.add_task(detective, source, "Kadaster opvragen")
    note = work.add_note(detective, source, "Eerste notitie")
    attachment = work.attach(detective, source, "deur.png", png())
    proposals.propose_for_signals([three["T-3"].pk])
    assert CaseProposal.objects.filter(case=source, signal=three["T-3"]).exists()
    referral = Referral.objects.create(case=source, reference=f"{source.reference}-V1",
                                       from_organisation=source.owner,
                                       to_organisation=Organisation.objects.get(slug="ind"), reason="test")
    source_events = set(CaseEvent.objects.filter(case=source).values_list("pk", flat=True))
    client.force_login(detective)
    html = page(client, source)
    assert "Merge this case into" in html and target.reference in html
    response = client.post(reverse("cases:merge", args=[source.pk]), {"target": target.pk})
    assert response.status_code == 302 and response["Location"] == reverse("cases:case", args=[target.pk])
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.status, source.outcome, source.merged_into) == ("closed", "merged", target)
    refs = sorted(target.items.filter(signal__isnull=False).values_list("signal__ref", flat=True))
    assert refs == ["T-1", "T-2"]  # T-2 once
    assert target.items.filter(entity=phone_entity()).count() == 1 and not source.items.exists()
    for obj in (task, note, attachment, referral):
        obj.refresh_from_db()
        assert obj.case_id == target.pk
    assert CaseProposal.objects.filter(case=target, signal=three["T-3"]).exists()
    assert target.members.filter(user=colleague).exists() and source.members.filter(user=colleague).exists()
    assert set(target.forms) == {"sexual", "labour"}
    moved = CaseEvent.objects.filter(pk__in=source_events)
    assert set(moved.values_list("case", flat=True)) == {target.pk}
    assert set(moved.values_list("case_reference", flat=True)) == {source.reference}  # where it happened
    assert CaseEvent.objects.filter(case=target, kind="merged_from", detail__source=source.reference).exists()
    assert CaseEvent.objects.filter(case=source, kind="merged_into", detail__target=target.reference).exists()
    assert AuditEntry.objects.filter(username=detective.username, action="update", object_type="case",
                                     object_id=str(source.pk), detail__merged_into=target.reference).exists()
    html = page(client, target)
    assert f"(in {source.reference})" in html and "Kadaster opvragen" in html and "Eerste notitie" in html
    assert f"Case {source.reference} (“Flat Rotterdam”) merged into this case" in html
    html = page(client, source)  # the merged case stays readable and points to the target
    assert "This case was merged into" in html and reverse("cases:case", args=[target.pk]) in html
    assert "Merged into case" in html
    # no more work on the merged case, no second merge
    assert "Task: " not in html
    response = client.post(reverse("cases:task", args=[source.pk]), {"title": "nog iets"})
    assert "was merged into" in response.content.decode() and not Task.objects.filter(title="nog iets").exists()
    with pytest.raises(service.CaseError):
        merge.merge(detective, source, target)
    with pytest.raises(service.CaseError):
        merge.merge(detective, target, target)


def test_merge_only_between_own_open_cases(three, users, detective, colleague):
    mine = service.open_case(detective, "Mijn zaak")
    theirs = service.open_case(colleague, "Andere zaak")  # same unit, but not a member
    with pytest.raises(service.CaseError):
        merge.merge(detective, mine, theirs)
    closed = service.open_case(detective, "Gesloten")
    service.set_status(detective, closed, "closed", outcome=Outcome.OTHER)
    with pytest.raises(service.CaseError):
        merge.merge(detective, closed, mine)
    assert Case.objects.filter(merged_into__isnull=False).count() == 0


# --- the demo ----------------------------------------------------------------------------------------------------


def test_demo_case_for_the_analyst(client, three, users):
    for signal in three.values():
        SignalShare.objects.create(signal=signal, organisation=Organisation.objects.get(slug="emm"), reason="test")
    world = SimpleNamespace(networks={"flat-manager": ["T-1", "T-2", "T-3", "T-4"]})
    result = demo.load(world)
    assert result["created"] and result["proposed"] == 2  # T-2 (phone) and T-3 (plate); T-4 is the near miss
    case = Case.objects.get(reference=result["case"])
    analyst = users[Role.ANALYST]
    assert case.owner == analyst.organisation and case.assignee == analyst and case.status == "under_investigation"
    assert case.items.filter(signal=three["T-1"]).exists() and case.items.filter(entity=phone_entity()).exists()
    assert case.tasks.count() == 3 and case.tasks.filter(done_at__isnull=False).count() == 1
    assert any(work.overdue(t) for t in case.tasks.all()) and case.notes.count() == 2
    assert demo.load(world) == {"case": case.reference, "created": False}
    client.force_login(analyst)
    html = page(client, case)
    assert "Woningbeheerder" in html and "overdue" in html and "T-2" in html


# --- access: every route as every role ---------------------------------------------------------------------------


def routes(case, attachment) -> dict[str, tuple[str, str]]:
    """Each named route: (method, url) for this case."""
    get = {"list", "case", "attachment"}
    out = {}
    for name in ROUTE_NEEDS:
        if name in ("list", "open", "add"):
            url = reverse(f"cases:{name}")
        elif name == "attachment":
            url = reverse("cases:attachment", args=[case.pk, attachment.pk])
        else:
            url = reverse(f"cases:{name}", args=[case.pk])
        out[name] = ("get" if name in get else "post", url)
    return out


def test_every_route_is_listed_and_needs_case_work():
    from django.urls import get_resolver

    names = {p.name for p in get_resolver("vigil.cases.urls").url_patterns}
    assert names == set(ROUTE_NEEDS) and set(ROUTE_NEEDS.values()) == {"cases"}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_route_as_every_role(client, three, users, detective, role):
    """Members reach everything; a non-member who works cases gets 404 on the case's routes (audited as denied)
    and never sees it listed; a role without case work gets 403 everywhere. Empty posts never crash."""
    case = service.open_case(detective, "Geheime zaak", signals=[three["T-1"]])
    attachment = work.attach(detective, case, "deur.png", png())
    user = detective if role == Role.INVESTIGATOR else users[role]
    client.force_login(user)
    member = user == detective
    for name, (method, url) in routes(case, attachment).items():
        response = getattr(client, method)(url, {})
        status = response.status_code
        if "cases" not in CAPABILITIES[role]:
            assert status == 403, (role, name, status)
        elif name in ("list", "open", "add"):
            assert status in (200, 302), (role, name, status)  # empty forms go back with a message
        elif member:
            assert status in (200, 302), (role, name, status)
        else:
            assert status == 404, (role, name, status)
            assert AuditEntry.objects.filter(username=user.username, action="denied", object_type="case",
                                             object_id=str(case.pk)).exists()
    listing = client.get(reverse("cases:list"))
    if "cases" in CAPABILITIES[role]:
        assert (case.reference in listing.content.decode()) == member
    if not member:
        assert "Geheime zaak" not in client.get(reverse("register:queue")).content.decode()
    assert CaseMember.objects.filter(case=case).count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_buttons_only_for_roles_that_work_cases(client, three, users):
    signal = three["T-1"]
    SignalShare.objects.create(signal=signal, organisation=Organisation.objects.get(slug="comensha"), reason="t")
    client.force_login(users[Role.PARTNER])
    html = client.get(reverse("register:signal", args=[signal.pk])).content.decode()
    assert reverse("cases:open") not in html
    client.force_login(users[Role.INVESTIGATOR])
    html = client.get(reverse("register:signal", args=[signal.pk])).content.decode()
    assert reverse("cases:open") in html and "Signal T-1" in html
