"""Passing signs on: only the chosen items of a case go, the receiver sees exactly that frozen copy and nothing else,
decisions and reports back follow their rules, and every route answers each role as it should, audited."""

import json
from io import BytesIO

import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import make_record, store
from vigil.ads.models import Ad, AdVersion
from vigil.audit.models import AuditEntry
from vigil.cases import referral_urls, referrals
from vigil.cases.models import CaseEvent, CaseItem, CaseStatus, Referral, ReferralStatus
from vigil.cases.service import CaseError, add_items, open_case
from vigil.linking.models import Entity, Kind
from vigil.organisations.models import Organisation, User
from vigil.organisations.roles import CAPABILITIES, Role
from vigil.register.models import Signal

pytestmark = pytest.mark.django_db

SECRET = "XYZZY-geheim"  # only in the signal that is not shared


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, so the checks on their wording hold once the Dutch catalogue exists."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(users, django_capture_on_commit_callbacks):
    """Three signals of the expertise centre in one case. The third one (not to be shared) names a second suspect
    with the same phone and writes the flat another way, and it is stored first, so the graph's own label of the
    flat is its spelling."""
    with django_capture_on_commit_callbacks(execute=True):
        store(make_record("EMM-3", narrative=f"Anonieme melding {SECRET}: Zacharias Geheimnaam int de huur.",
                          persons=[{"role": "possible_suspect", "name": "Zacharias Geheimnaam",
                                    "phones": ["06-41278390"]}],
                          addresses=[{"street": "Mathenesserlaan", "house_number": "212-B", "city": "Rotterdam"}]),
              owner="emm")
        store(make_record("EMM-1", narrative="Jonge vrouwen moeten hun paspoort inleveren en een schuld afbetalen. "
                                             "Ze worden gedwongen tot seks met klanten en mogen het huis niet uit.",
                          persons=[{"role": "possible_suspect", "name": "H.J. de Vries", "phones": ["06-41278390"]},
                                   {"role": "possible_victim", "name": "Ana Popescu", "nationality": "RO"},
                                   {"role": "reporter", "name": "Ria Verhoeven", "phones": ["010-4763321"]}],
                          addresses=[{"role": "workplace", "street": "Mathenesserlaan", "house_number": "212B",
                                      "city": "Rotterdam"}],
                          vehicles=[{"plate": "54-TVR-1"}]),
              make_record("EMM-2", phones=["+31 6 41 27 83 90"],
                          organisations=[{"name": "Vriesland Vastgoedbeheer B.V.", "registration_number": "71846203"}],
                          addresses=[{"street": "Grote Markt", "house_number": "14 a", "postcode": "1315 JG",
                                      "city": "Almere"}]),
              owner="emm")
    signals = {s.ref: s for s in Signal.objects.all()}
    phone = Entity.objects.get(kind=Kind.PHONE, key="+31641278390")
    case = open_case(users["analyst"], "Netwerk woningbeheerder", summary="Drie flats, een beheerder.",
                     forms=["sexual"], signals=signals.values(), entities=[phone])
    return {"case": case, "signals": signals, "phone": phone,
            "rotterdam": Organisation.objects.get(slug="politie-rotterdam")}


def refer(world, users, **kw):
    s = world["signals"]
    args = {"reason": "Uw eenheid: de flat ligt in Rotterdam.", "tlp": "amber", "pap": "green",
            "signals": [s["EMM-1"], s["EMM-2"]], "entities": [world["phone"]]} | kw
    return referrals.refer(users["analyst"], world["case"], world["rotterdam"], **args)


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(BytesIO(data))
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_refer_shares_only_the_chosen_items(world, users):
    referral = refer(world, users)
    case = world["case"]
    assert referral.reference == f"{case.reference}-V1"
    content = referral.content
    assert [s["ref"] for s in content["signals"]] == ["EMM-1", "EMM-2"]
    flat = next(n for n in content["nodes"] if n["kind"] == Kind.ADDRESS and "Mathenesserlaan" in n["label"])
    assert flat["label"] == "Mathenesserlaan 212B, Rotterdam"  # as the shared signal wrote it
    # the indicators with their evidence, and the legal elements they evidence
    reading = content["signals"][0]["assessment"]
    assert reading["indicators"] and all(i["evidence"] for i in reading["indicators"])
    assert reading["elements"]["purpose"]["indicated"]
    # links of the graph with their evidence, from the shared sources only
    assert any(x["relation"] == "uses" and x["given"] == "06-41278390" for x in content["links"])
    assert {x["source"] for x in content["links"]} == {"EMM-1", "EMM-2"}
    assert content["withheld"] == {"reporters": 1}
    made = referral.dossier
    for text in (json.dumps(content, ensure_ascii=False), made.ftm, pdf_text(bytes(made.pdf))):
        for word in ("EMM-3", SECRET, "Geheimnaam", "212-B", "Verhoeven", "4763321"):
            assert word not in text, word
    assert "H.J. de Vries" in made.ftm and "Ana Popescu" in pdf_text(bytes(made.pdf))
    # recorded: the timeline, the status, the audit log
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    event = CaseEvent.objects.get(case=case, kind="referred")
    assert event.detail["referral"] == referral.reference and event.detail["signals"] == ["EMM-1", "EMM-2"]
    entry = AuditEntry.objects.get(action="share", object_type="referral", object_id=str(referral.pk))
    assert entry.detail["to"] == "Politie Eenheid Rotterdam" and entry.detail["pdf_sha256"] == made.pdf_sha256
    assert refer(world, users).reference == f"{case.reference}-V2"  # a second referral of a referred case


def test_what_may_not_be_referred(world, users):
    s = world["signals"]
    with pytest.raises(CaseError, match="reason"):
        refer(world, users, reason="  ")
    with pytest.raises(CaseError, match="at least one"):
        refer(world, users, signals=[], entities=[])
    with pytest.raises(CaseError, match="TLP"):
        refer(world, users, tlp="purple")
    with pytest.raises(CaseError, match="another organisation"):
        referrals.refer(users["analyst"], world["case"], users["analyst"].organisation, reason="x", tlp="red",
                        pap="red", signals=[s["EMM-1"]])
    store(make_record("EMM-9"), owner="emm")  # a signal the analyst may see, but not an item of the case
    with pytest.raises(CaseError, match="Not items of this case"):
        refer(world, users, signals=[Signal.objects.get(ref="EMM-9")])
    store(make_record("ROT-1"), owner="politie-rotterdam")  # an item the analyst cannot see (no longer shared)
    hidden = Signal.objects.get(ref="ROT-1")
    CaseItem.objects.create(case=world["case"], signal=hidden)
    with pytest.raises(CaseError, match="Not items of this case"):
        refer(world, users, signals=[hidden])
    assert AuditEntry.objects.filter(action="denied", object_type="case", detail__purpose="refer").count() == 2
    colleague = User.objects.create(username="collega", role=Role.ANALYST, organisation=users["analyst"].organisation)
    with pytest.raises(CaseError, match="members"):  # not a member of the case
        referrals.refer(colleague, world["case"], world["rotterdam"], reason="x", tlp="red", pap="red",
                        signals=[s["EMM-1"]])
    with pytest.raises(PermissionDenied):  # a role that may not refer
        referrals.refer(users["intake_operator"], world["case"], world["rotterdam"], reason="x", tlp="red",
                        pap="red", signals=[s["EMM-1"]])
    assert not Referral.objects.exists()


def test_an_ad_and_a_signal_node_are_shared_as_chosen(world, users):
    """An ad goes as last captured, linked to the phone it shows; a signal's own node in the graph stands for the
    signal."""
    at = timezone.now()
    ad = Ad.objects.create(owner=users["analyst"].organisation, site="kinky.example", site_ad_id="LISA-1",
                           first_collected=at, last_collected=at, versions=1, title="Nieuw in Rotterdam! Lisa 19",
                           city="Rotterdam", phones=["+31641278390"], indicators=["ad.new_in_town"])
    AdVersion.objects.create(ad=ad, number=1, collected_at=at, title=ad.title, url="https://kinky.example/lisa-1",
                             body="Nieuw in de stad, bel 06-41278390.", city="Rotterdam", content_hash="l1")
    add_items(users["analyst"], world["case"], ads=[ad])
    node = Entity.objects.get(signal=world["signals"]["EMM-2"])
    add_items(users["analyst"], world["case"], entities=[node])
    referral = refer(world, users, signals=[], entities=[node], ads=[ad])
    content = referral.content
    assert [s["ref"] for s in content["signals"]] == ["EMM-2"]
    assert content["ads"][0]["url"] == "https://kinky.example/lisa-1" and content["ads"][0]["phones"] == ["+31641278390"]
    assert {"a": f"ad{ad.pk}", "b": f"e{world['phone'].pk}", "relation": "shows"}.items() <= next(
        x for x in content["links"] if x["a"] == f"ad{ad.pk}").items()
    rows = [json.loads(line) for line in referral.dossier.ftm.splitlines()]
    shown = next(r for r in rows if r["id"] == f"vigil-ad-{ad.pk}")
    assert shown["schema"] == "PlainText" and shown["properties"]["phoneMentioned"] == ["+31641278390"]
    assert "Nieuw in Rotterdam! Lisa 19" in pdf_text(bytes(referral.dossier.pdf))


def test_receiver_sees_exactly_the_frozen_content(client, world, users):
    referral = refer(world, users)
    # the case and its signals change afterwards: the receiver still reads what was sent
    Signal.objects.filter(ref="EMM-1").update(narrative="Later gewijzigd verhaal LIVEDATA")
    world["case"].title = "Nieuwe titel LIVEDATA"
    world["case"].save()
    client.force_login(users["investigator"])
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert referral.reference in inbox and "Netwerk woningbeheerder" in inbox
    page = client.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert "TLP:AMBER" in page and "PAP:GREEN" in page and "marking tlp-amber" in page
    assert "paspoort inleveren" in page and "H.J. de Vries" in page and "Ana Popescu" in page
    for word in ("LIVEDATA", "EMM-3", SECRET, "Geheimnaam", "212-B", "Verhoeven"):
        assert word not in page, word
    pdf = client.get(reverse("referrals:pdf", args=[referral.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "no-store, private"
    assert "SECRET" not in pdf_text(pdf.content) and "EMM-1" in pdf_text(pdf.content)
    ftm = client.get(reverse("referrals:ftm", args=[referral.pk]))
    assert ftm.content.decode() == referral.dossier.ftm and b"EMM-3" not in ftm.content


def test_another_organisation_gets_404_and_the_denial_is_audited(client, world, users):
    referral = refer(world, users)
    for role in ("ind_officer", "partner", "analyst"):  # analyst: the sender's own organisation is not the receiver
        client.force_login(users[role])
        for name in ("referral", "pdf", "ftm"):
            assert client.get(reverse(f"referrals:{name}", args=[referral.pk])).status_code == 404, (role, name)
        for name in ("decide", "report"):
            assert client.post(reverse(f"referrals:{name}", args=[referral.pk]),
                               {"decision": "accept"}).status_code == 404
        assert AuditEntry.objects.filter(username=users[role].username, action="denied", object_type="referral",
                                         object_id=str(referral.pk)).count() == 5
        assert referral.reference not in client.get(reverse("referrals:inbox")).content.decode()
    client.force_login(users["investigator"])  # the receiver is no member of the sender's case
    for name in ("sent", "sent_pdf", "sent_ftm"):
        assert client.get(reverse(f"referrals:{name}", args=[referral.pk])).status_code == 404
    assert client.get(reverse("referrals:new", args=[world["case"].pk])).status_code == 404
    assert AuditEntry.objects.filter(username="rechercheur", action="denied", object_type="case").count() == 4
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_decisions_and_reports_back(client, world, users):
    referral = refer(world, users)
    receiver = users["investigator"]
    with pytest.raises(CaseError, match="accept it before"):
        referrals.report_back(receiver, referral, "investigation_opened")
    with pytest.raises(CaseError, match="reason"):
        referrals.decide(receiver, referral, accept=False)
    with pytest.raises(CaseError, match="receiving organisation"):
        referrals.decide(users["analyst"], referral, accept=True)
    client.force_login(receiver)
    url = reverse("referrals:referral", args=[referral.pk])
    response = client.post(reverse("referrals:decide", args=[referral.pk]), {"decision": "decline"}, follow=True)
    assert "Say why you decline" in response.content.decode()
    client.post(reverse("referrals:decide", args=[referral.pk]), {"decision": "accept"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.decided_by == receiver
    response = client.post(reverse("referrals:decide", args=[referral.pk]), {"decision": "accept"}, follow=True)
    assert "already accepted" in response.content.decode()
    report = reverse("referrals:report", args=[referral.pk])
    response = client.post(report, {"kind": "arrests"}, follow=True)  # a number is needed
    assert "Give the number" in response.content.decode() and not referral.updates.exists()
    client.post(report, {"kind": "investigation_opened", "note": "Onderzoek Mathenesser"})
    client.post(report, {"kind": "persons_identified", "count": "3"})
    assert client.post(report, {"kind": "declined"}).status_code == 302  # not a report: refused
    assert [(u.kind, u.count) for u in referral.updates.all()] == [("investigation_opened", None),
                                                                     ("persons_identified", 3)]
    page = client.get(url).content.decode()
    assert "Investigation opened" in page and "Onderzoek Mathenesser" in page
    kinds = list(CaseEvent.objects.filter(case=world["case"]).values_list("kind", flat=True))
    assert kinds[-3:] == ["referral_accepted", "referral_update", "referral_update"]
    # the sender sees the status and the reports: on the referral and in the case's panel
    client.force_login(users["analyst"])
    sent = client.get(reverse("referrals:sent", args=[referral.pk])).content.decode()
    assert "Accepted" in sent and "Onderzoek Mathenesser" in sent and "Persons identified" in sent
    panel = render_to_string("referrals/_case_panel.html", {"case": world["case"], "user_caps": {"refer"}})
    assert referral.reference in panel and "Accepted" in panel and "Investigation opened" in panel
    assert reverse("referrals:new", args=[world["case"].pk]) in panel


def test_a_declined_referral_says_why(world, users):
    referral = refer(world, users)
    referrals.decide(users["investigator"], referral, accept=False, reason="Geen capaciteit; Amsterdam vragen")
    assert referral.updates.get().kind == "declined"
    panel = render_to_string("referrals/_case_panel.html", {"case": world["case"], "user_caps": set()})
    assert "Geen capaciteit" in panel and reverse("referrals:new", args=[world["case"].pk]) not in panel


def test_the_refer_form(client, world, users):
    client.force_login(users["analyst"])
    url = reverse("referrals:new", args=[world["case"].pk])
    page = client.get(url).content.decode()
    for s in world["signals"].values():  # every item is offered, ticked
        assert f'value="{s.pk}"' in page
    assert page.count("checked") >= 4
    assert AuditEntry.objects.filter(username="analist", action="view", object_type="case",
                                     detail__purpose="refer").exists()
    response = client.post(url, {"to_organisation": world["rotterdam"].pk, "reason": " ", "tlp": "amber",
                                 "pap": "green"})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html and 'href="#id_reason"' in html
    response = client.post(url, {"to_organisation": world["rotterdam"].pk, "reason": "Rotterdam", "tlp": "amber",
                                 "pap": "green"})
    assert "Choose at least one item" in response.content.decode()
    response = client.post(url, {"to_organisation": world["rotterdam"].pk, "reason": "Rotterdam", "tlp": "amber",
                                 "pap": "green", "signals": [world["signals"]["EMM-2"].pk, "x"]})
    assert response.status_code == 200 and not Referral.objects.exists()  # bad input: an error, no crash
    response = client.post(url, {"to_organisation": world["rotterdam"].pk, "reason": "De flat ligt in Rotterdam",
                                 "tlp": "red", "pap": "amber", "signals": [world["signals"]["EMM-2"].pk]})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:sent", args=[referral.pk])
    assert [s["ref"] for s in referral.content["signals"]] == ["EMM-2"] and referral.tlp == "red"


def test_every_view_and_download_is_audited(client, world, users):
    referral = refer(world, users)
    rid = str(referral.pk)
    client.force_login(users["investigator"])
    for name, detail in (("referral", {"side": "receiver"}), ("pdf", {"file": "pdf", "side": "receiver"}),
                         ("ftm", {"file": "ftm", "side": "receiver"})):
        before = AuditEntry.objects.count()
        assert client.get(reverse(f"referrals:{name}", args=[referral.pk])).status_code == 200
        entry = AuditEntry.objects.order_by("-id").first()
        assert AuditEntry.objects.count() == before + 1 and entry.object_id == rid and entry.username == "rechercheur"
        assert detail.items() <= entry.detail.items()
    client.get(reverse("referrals:inbox"))
    assert AuditEntry.objects.filter(username="rechercheur", object_type="referral_inbox").exists()
    client.force_login(users["analyst"])
    for name in ("sent", "sent_pdf", "sent_ftm"):
        before = AuditEntry.objects.count()
        assert client.get(reverse(f"referrals:{name}", args=[referral.pk])).status_code == 200
        entry = AuditEntry.objects.order_by("-id").first()
        assert AuditEntry.objects.count() == before + 1 and entry.object_id == rid and entry.detail["side"] == "sender"


def test_walk_every_route_as_every_role(client, world, users):
    referral = refer(world, users)
    case = world["case"]
    receiver_routes = {"inbox", "referral", "pdf", "ftm", "decide", "report"}
    posts = {"decide", "report"}
    names = {p.name for p in referral_urls.urlpatterns}
    assert names == set(referral_urls.ROUTE_NEEDS)
    for role in Role.values:
        user = users[role]
        client.force_login(user)
        for name in sorted(names):
            args = [] if name == "inbox" else [case.pk] if name == "new" else [referral.pk]
            url = reverse(f"referrals:{name}", args=args)
            response = client.post(url, {}) if name in posts else client.get(url)
            need = referral_urls.ROUTE_NEEDS[name]
            if need not in CAPABILITIES[role]:
                expected = {403}
            elif name == "inbox":
                expected = {200}
            elif name in receiver_routes:  # only the organisation referred to
                expected = ({302} if name in posts else {200}) if user == users["investigator"] else {404}
            else:  # sending side: members of the case
                expected = {200} if user == users["analyst"] else {404}
            assert response.status_code in expected, (role, name, response.status_code)
            if response.status_code == 404:
                assert AuditEntry.objects.filter(username=user.username, action="denied").exists()
    client.logout()
    for name in names:  # anonymous: to the login page
        args = [] if name == "inbox" else [referral.pk]
        response = client.get(reverse(f"referrals:{name}", args=args))
        assert response.status_code == 302 and "/login/" in response["Location"]
